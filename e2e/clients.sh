#!/usr/bin/env bash
# Extended-protocol clients through pgmemo, each compared with a direct connection:
#   psycopg 3  prepared statements (prepare=True), binary results, pipeline mode
#   asyncpg    prepared statements, binary results, a cursor inside a transaction, executemany
#   node-postgres  parameterized queries, named statements, rowMode array
# Each must give results identical to direct and be answered from the cache at least once (pgmemo
# logs every hit at DEBUG). Then pipelined reads, many extended-protocol units under one Sync, each
# run twice: identical to direct both times, and the second run answered from the cache:
#   psycopg 3  conn.pipeline() of SELECTs          asyncpg  executemany of a SELECT
#   pgbench    \startpipeline ... \endpipeline of hot-set SELECTs, -M extended and -M prepared, for
#              a few seconds: no failed transaction, and cache hits
# Installs what is missing from Debian's packages and the npm registry.
# Starts its own `pgmemo.jar demo` on free loopback ports. Prints `N passed, N failed` last.
# Env: PGMEMO_JAR, JAVA, E2E_KEEP_TMP=1 (keep the work directory).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
LOG_PREFIX=clients
LOG_FD=1
JAR="${PGMEMO_JAR:-$ROOT/proxy-server/target/pgmemo.jar}"
JAVA="${JAVA:-java}"
JAVA_OPTS="" # this script runs pgmemo without JAVA_OPTS
PYTHON=/usr/bin/python3
HOST=127.0.0.1

[ -f "$JAR" ] || die "$JAR not found. Build it first: (cd $ROOT && ./mvnw -B package)"

"$PYTHON" -c 'import psycopg, asyncpg' 2>/dev/null || apt_install python3-psycopg python3-asyncpg \
  || die "install python3-psycopg and python3-asyncpg yourself"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt_install nodejs npm || die "install nodejs and npm yourself"
fi
install_pg_tools

WORK="$(mktemp -d "${TMPDIR:-/tmp}/pgmemo-clients.XXXXXX")"
LOG="$WORK/pgmemo.log"
PID=""
PG_PORT=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_demo "$PID" "$PG_PORT" 30
  if [ "$rc" -ne 0 ] || [ "${E2E_KEEP_TMP:-0}" = 1 ]; then
    log "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
on_exit cleanup

log "installing node-postgres (pg) from the npm registry"
(cd "$WORK" && timeout 300 npm install --silent --no-audit --no-fund pg >/dev/null) || die "npm install pg failed"

start_demo PID PROXY_PORT PG_PORT "$LOG" --cache-file "$WORK/cache.duckdb" --log-level DEBUG
wait_demo "$PID" "$PROXY_PORT" "$PG_PORT" "$LOG"

DIRECT="postgresql://postgres@$HOST:$PG_PORT/demo"
PROXIED="postgresql://postgres@$HOST:$PROXY_PORT/demo"
psql -X -q -v ON_ERROR_STOP=1 "$DIRECT" <<'SQL' || die "cannot create the test tables"
CREATE TABLE e2e_clients (id int PRIMARY KEY, name text, price numeric(10, 2), tags text[],
                          created timestamptz, payload bytea);
INSERT INTO e2e_clients
SELECT g, 'item ' || g, g * 1.25, ARRAY['t' || g, 'x'], timestamptz '2024-05-01 12:00+00' + g * interval '1 hour',
       decode(md5(g::text), 'hex')
FROM generate_series(1, 10) g;
CREATE TABLE e2e_writes (tag text, n int);
CREATE TABLE e2e_pipelined (id int PRIMARY KEY, name text, price numeric(10, 2), tags text[]);
INSERT INTO e2e_pipelined SELECT g, 'item ' || g, g * 0.75, ARRAY['p' || g] FROM generate_series(1, 1000) g;
SQL
pgbench -i -q -s 1 -h "$HOST" -p "$PG_PORT" -U postgres demo >"$WORK/pgbench-init.out" 2>&1 \
  || { cat "$WORK/pgbench-init.out" >&2; die "pgbench -i failed"; }

# hits: the cache hits pgmemo has logged so far (DEBUG "hit <digest>", whichever class logs it).
hits() { grep -cE 'DEBUG .* - hit ' "$LOG" || true; }

RUN_HITS=0
# run_client NAME COMMAND...: runs COMMAND PROXIED DIRECT and prints its output; pass if it exits 0
# (its results through pgmemo identical to direct); the cache hits logged meanwhile into RUN_HITS.
run_client() {
  local name=$1 before out rc=0
  shift
  before=$(hits)
  out=$(timeout 120 "$@" "$PROXIED" "$DIRECT" 2>&1) || rc=$?
  RUN_HITS=$(($(hits) - before))
  printf '%s\n' "$out" | sed 's/^/  /'
  if [ "$rc" -eq 0 ]; then pass "$name: results identical to direct"; else fail "$name: results identical to direct (exit $rc)"; fi
}

# check_hits NAME: pass if the last run_client (or pgbench run) logged cache hits.
check_hits() {
  if [ "$RUN_HITS" -gt 0 ]; then pass "$1: $RUN_HITS cache hits"; else fail "$1: cache hits (none)"; fi
}

check_client() { # check_client NAME COMMAND...
  run_client "$@"
  check_hits "$1"
}

check_pipelined() { # check_pipelined NAME COMMAND...: twice; the second run's reads were all made by the first
  run_client "$1, first run" "${@:2}"
  run_client "$1, second run" "${@:2}"
  check_hits "$1, second run"
}

# check_pgbench_pipeline MODE: the pipelined hot-set script through pgmemo for 3 s with pgbench -M MODE.
check_pgbench_pipeline() {
  local name="pgbench -M $1 pipeline" out="$WORK/pgbench-$1.out" before rc=0 failed processed
  before=$(hits)
  run_pgbench 3 "$out" -M "$1" -c 2 -j 1 -f "$WORK/pipeline.sql" -h "$HOST" -p "$PROXY_PORT" -U postgres demo || rc=$?
  RUN_HITS=$(($(hits) - before))
  failed=$(pgbench_figure "$out" failed)
  processed=$(pgbench_figure "$out" processed)
  if [ "$rc" -eq 0 ] && [ "${failed:-x}" = 0 ] && [ "${processed:-0}" -gt 0 ]; then
    pass "$name: $processed transactions, 0 failed"
  else
    sed 's/^/  /' "$out"
    fail "$name: no failed transaction (exit $rc, failed ${failed:-?}, processed ${processed:-?})"
  fi
  check_hits "$name"
}

check_client "psycopg 3" "$PYTHON" "$ROOT/e2e/clients/psycopg3_check.py"
check_client "asyncpg" "$PYTHON" "$ROOT/e2e/clients/asyncpg_check.py"
check_client "node-postgres" env NODE_PATH="$WORK/node_modules" node "$ROOT/e2e/clients/node_pg_check.js"

check_pipelined "psycopg 3 pipeline" "$PYTHON" "$ROOT/e2e/clients/psycopg3_pipeline_check.py"
check_pipelined "asyncpg executemany" "$PYTHON" "$ROOT/e2e/clients/asyncpg_pipeline_check.py"

# Four point SELECTs of a hot set of 20 accounts under one Sync per transaction.
{
  for i in 1 2 3 4; do printf '\\set aid%s random(1, 20)\n' "$i"; done
  printf '\\startpipeline\n'
  for i in 1 2 3 4; do printf 'SELECT abalance FROM pgbench_accounts WHERE aid = :aid%s;\n' "$i"; done
  printf '\\endpipeline\n'
} >"$WORK/pipeline.sql"
check_pgbench_pipeline extended
check_pgbench_pipeline prepared

checks_summary
