#!/usr/bin/env bash
# Runs the randomized differential tester (../shared/difftest) against pgmemo at its default cache
# settings, in front of the demo's embedded PostgreSQL: every statement through pgmemo is compared
# with a twin session straight to PostgreSQL. Usage: e2e/difftest.sh [simple|extended|mixed ...]
set -euo pipefail
cd "$(dirname "$0")/.."

DIFFTEST=${DIFFTEST:-../shared/difftest/differential.py}
JAR=${PGMEMO_JAR:-proxy-server/target/pgmemo.jar}
PROTOCOLS=("$@")
[ ${#PROTOCOLS[@]} -gt 0 ] || PROTOCOLS=(simple mixed)
PYTHON=/usr/bin/python3

[ -f "$JAR" ] || { echo "difftest: $JAR is missing; run ./mvnw -B package first" >&2; exit 2; }
[ -f "$DIFFTEST" ] || { echo "difftest: $DIFFTEST not found (expected shared/ beside the repository)" >&2; exit 2; }

if ! "$PYTHON" -c 'import psycopg2, psycopg, asyncpg' 2>/dev/null; then
  echo "difftest: installing python3-psycopg2, python3-psycopg and python3-asyncpg from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    python3-psycopg2 python3-psycopg python3-asyncpg >/dev/null
fi

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

# Each protocol gets its own pgmemo, demo PostgreSQL and cache file: the tester sets its database
# up straight on PostgreSQL, bypassing pgmemo, so a pgmemo kept from an earlier run could serve
# that run's results for up to the TTL (120 s), longer than the tester waits after set-up.
work=$(mktemp -d /tmp/pgmemo-difftest.XXXXXX)
pid=""
stop_pgmemo() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  pid=""
}
cleanup() {
  stop_pgmemo
  rm -rf "$work"
}
trap cleanup EXIT

# Starts pgmemo's demo in $1 (a new directory); sets pid, pg_port and proxy_port.
start_pgmemo() {
  local dir=$1
  mkdir -p "$dir"
  pg_port=$(free_port)
  proxy_port=$(free_port "$pg_port")
  echo "difftest: starting pgmemo demo (cache at defaults, file $dir/cache.duckdb) on $proxy_port, PostgreSQL on $pg_port"
  # Leak sampling on (a running pgmemo turns it off by default): the log is checked for LEAK reports.
  (cd "$dir" && exec java -Dio.netty.leakDetection.level=simple -jar "$jar_path" demo --listen "127.0.0.1:$proxy_port" \
    --pg-port "$pg_port" --cache-file "$dir/cache.duckdb") > "$dir/pgmemo.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 240); do
    grep -q "pgmemo demo is running" "$dir/pgmemo.log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$dir/pgmemo.log"; echo "difftest: pgmemo exited" >&2; exit 2; }
    sleep 0.5
  done
  cat "$dir/pgmemo.log"
  echo "difftest: pgmemo did not start" >&2
  exit 2
}

# True when every counted mismatch in the tester's JSON lines ($1) is a read in a session that had
# temporary tables, by a client that prepares statements: pgmemo forwards every read of such a
# session, so the answer was PostgreSQL's own, and PostgreSQL's plan cache can make the proxied and
# the twin backend disagree on their own (docs/difftest.md).
only_plan_cache_mismatches() {
  "$PYTHON" - "$1" <<'PY'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1], encoding='utf-8') if line.strip()]
counted = [r for r in records if r.get('counted_as_failure', True)]
def temporary(r):
    state = r.get('state') or {}
    return bool(state.get('temp_same') or state.get('temp_only_b'))
sys.exit(0 if counted and all(str(r.get('kind', '')).startswith('leak:') and temporary(r)
                              and r.get('client') in ('asyncpg', 'psycopg3') for r in counted) else 1)
PY
}

# Runs the tester once against a new pgmemo in $1; true when nothing failed and Netty saw no leak.
run_tester() {
  local dir=$1 ok=0
  start_pgmemo "$dir"
  echo "difftest: --protocol $protocol"
  "$PYTHON" "$DIFFTEST" --port "$proxy_port" --upstream-port "$pg_port" --protocol "$protocol" \
    --jsonl "$dir/difftest.jsonl" --duration 240 || ok=1
  stop_pgmemo
  grep -a "cache hits" "$dir/pgmemo.log" | tail -1 || true
  if grep -aq "LEAK:" "$dir/pgmemo.log"; then
    echo "difftest: Netty reported a buffer leak" >&2
    return 2
  fi
  return $ok
}

case "$JAR" in
  /*) jar_path=$JAR ;;
  *) jar_path=$PWD/$JAR ;;
esac
status=0
for protocol in "${PROTOCOLS[@]}"; do
  rc=0
  run_tester "$work/$protocol" || rc=$?
  if [ "$rc" = 1 ] && only_plan_cache_mismatches "$work/$protocol/difftest.jsonl"; then
    echo "difftest: every mismatch above is a read of a session with temporary tables through prepared" \
      "statements, which pgmemo forwards: PostgreSQL's plan cache (docs/difftest.md). Once more; it must pass."
    rc=0
    run_tester "$work/$protocol-again" || rc=$?
  fi
  [ "$rc" = 0 ] || status=1
done
exit $status
