#!/usr/bin/env bash
# Runs the randomized differential tester (../shared/difftest) against pgmemo at its default cache
# settings, in front of the demo's embedded PostgreSQL: every statement through pgmemo is compared
# with a twin session straight to PostgreSQL. Usage: e2e/difftest.sh [simple|extended|mixed ...]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
LOG_PREFIX=difftest
LOG_FD=1

DIFFTEST=${DIFFTEST:-../shared/difftest/differential.py}
JAR=${PGMEMO_JAR:-proxy-server/target/pgmemo.jar}
JAVA=java
# Leak sampling on (a running pgmemo turns it off by default): the log is checked for LEAK reports.
JAVA_OPTS="-Dio.netty.leakDetection.level=simple"
PROTOCOLS=("$@")
[ ${#PROTOCOLS[@]} -gt 0 ] || PROTOCOLS=(simple mixed)
PYTHON=/usr/bin/python3

[ -f "$JAR" ] || { echo "difftest: $JAR is missing; run ./mvnw -B package first" >&2; exit 2; }
[ -f "$DIFFTEST" ] || { echo "difftest: $DIFFTEST not found (expected shared/ beside the repository)" >&2; exit 2; }

if ! "$PYTHON" -c 'import psycopg2, psycopg, asyncpg' 2>/dev/null; then
  log "installing python3-psycopg2, python3-psycopg and python3-asyncpg from Debian"
  apt_install python3-psycopg2 python3-psycopg python3-asyncpg \
    || die "install python3-psycopg2, python3-psycopg and python3-asyncpg yourself"
fi

# Each protocol gets its own pgmemo, demo PostgreSQL and cache file: the tester sets its database
# up straight on PostgreSQL, bypassing pgmemo, so a pgmemo kept from an earlier run could serve
# that run's results for up to the TTL (120 s), longer than the tester waits after set-up.
work=$(mktemp -d /tmp/pgmemo-difftest.XXXXXX)
pid=""
pg_port=""
proxy_port=""
stop_pgmemo() {
  stop_demo "$pid" "$pg_port" 20
  pid=""
}
# shellcheck disable=SC2317 # run by the trap of on_exit
cleanup() {
  stop_pgmemo
  rm -rf "$work"
}
on_exit cleanup

# Starts pgmemo's demo in $1 (a new directory, also its working directory); sets pid, pg_port and
# proxy_port.
demo_in() {
  local dir=$1
  mkdir -p "$dir"
  PGMEMO_DIR="$dir" start_demo pid proxy_port pg_port "$dir/pgmemo.log" --cache-file "$dir/cache.duckdb"
  log "starting pgmemo demo (cache at defaults, file $dir/cache.duckdb) on $proxy_port, PostgreSQL on $pg_port"
  wait_demo "$pid" "$proxy_port" "$pg_port" "$dir/pgmemo.log"
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
  demo_in "$dir"
  log "--protocol $protocol"
  "$PYTHON" "$DIFFTEST" --port "$proxy_port" --upstream-port "$pg_port" --protocol "$protocol" \
    --jsonl "$dir/difftest.jsonl" --duration 240 || ok=1
  stop_pgmemo
  grep -a "cache hits" "$dir/pgmemo.log" | tail -1 || true
  if grep -aq "LEAK:" "$dir/pgmemo.log"; then
    warn "Netty reported a buffer leak"
    return 2
  fi
  return $ok
}

status=0
for protocol in "${PROTOCOLS[@]}"; do
  rc=0
  run_tester "$work/$protocol" || rc=$?
  if [ "$rc" = 1 ] && only_plan_cache_mismatches "$work/$protocol/difftest.jsonl"; then
    log "every mismatch above is a read of a session with temporary tables through prepared" \
      "statements, which pgmemo forwards: PostgreSQL's plan cache (docs/difftest.md). Once more; it must pass."
    rc=0
    run_tester "$work/$protocol-again" || rc=$?
  fi
  [ "$rc" = 0 ] || status=1
done
exit $status
