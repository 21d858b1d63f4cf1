#!/usr/bin/env bash
# Extended-protocol clients through pgmemo, each compared with a direct connection:
#   psycopg 3  prepared statements (prepare=True), binary results, pipeline mode
#   asyncpg    prepared statements, binary results, a cursor inside a transaction, executemany
#   node-postgres  parameterized queries, named statements, rowMode array
# Each must give results identical to direct and be answered from the cache at least once (pgmemo
# logs every hit at DEBUG). Installs what is missing from Debian's packages and the npm registry.
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
psql --version >/dev/null 2>&1 || apt_install postgresql-client || die "install postgresql-client yourself"

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
SQL

hits() { grep -c "SessionCache - hit " "$LOG" || true; }

check_client() { # check_client NAME COMMAND...
  local name=$1 before after out rc=0
  shift
  before=$(hits)
  out=$(timeout 120 "$@" "$PROXIED" "$DIRECT" 2>&1) || rc=$?
  after=$(hits)
  printf '%s\n' "$out" | sed 's/^/  /'
  if [ "$rc" -eq 0 ]; then pass "$name: results identical to direct"; else fail "$name: results identical to direct (exit $rc)"; fi
  if [ "$after" -gt "$before" ]; then pass "$name: $((after - before)) cache hits"; else fail "$name: cache hits (none)"; fi
}

check_client "psycopg 3" "$PYTHON" "$ROOT/e2e/clients/psycopg3_check.py"
check_client "asyncpg" "$PYTHON" "$ROOT/e2e/clients/asyncpg_check.py"
check_client "node-postgres" env NODE_PATH="$WORK/node_modules" node "$ROOT/e2e/clients/node_pg_check.js"

checks_summary
