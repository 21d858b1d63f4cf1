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
JAR="${PGMEMO_JAR:-$ROOT/proxy-server/target/pgmemo.jar}"
JAVA="${JAVA:-java}"
PYTHON=/usr/bin/python3
HOST=127.0.0.1

log() { printf 'clients: %s\n' "$*"; }
die() { printf 'clients: ERROR: %s\n' "$*" >&2; exit 2; }
[ -f "$JAR" ] || die "$JAR not found. Build it first: (cd $ROOT && ./mvnw -B package)"

PASS=0
FAIL=0
pass() { PASS=$((PASS + 1)); printf 'PASS  %s\n' "$*"; }
fail() { FAIL=$((FAIL + 1)); printf 'FAIL  %s\n' "$*"; }

apt_install() {
  [ "$(id -u)" -eq 0 ] || die "not root: install $* yourself"
  timeout 300 apt-get update -qq || die "apt-get update failed"
  timeout 900 env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || die "apt-get install $* failed"
}
"$PYTHON" -c 'import psycopg, asyncpg' 2>/dev/null || apt_install python3-psycopg python3-asyncpg
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
psql --version >/dev/null 2>&1 || apt_install postgresql-client

# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/pgmemo-clients.XXXXXX")"
LOG="$WORK/pgmemo.log"
PID=""
cleanup() {
  local rc=$?
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] || [ "${E2E_KEEP_TMP:-0}" = 1 ]; then
    log "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

log "installing node-postgres (pg) from the npm registry"
(cd "$WORK" && timeout 300 npm install --silent --no-audit --no-fund pg >/dev/null) || die "npm install pg failed"

PG_PORT=$(free_port)
PROXY_PORT=$(free_port "$PG_PORT")
"$JAVA" -jar "$JAR" demo --listen "$HOST:$PROXY_PORT" --pg-port "$PG_PORT" --cache-file "$WORK/cache.duckdb" \
  --log-level DEBUG >"$LOG" 2>&1 </dev/null &
PID=$!
for _ in $(seq 1 240); do
  grep -q "pgmemo listening on" "$LOG" && grep -q "pgmemo demo is running" "$LOG" && break
  kill -0 "$PID" 2>/dev/null || { tail -n 30 "$LOG"; die "pgmemo demo exited"; }
  sleep 0.5
done
grep -q "pgmemo demo is running" "$LOG" || die "pgmemo demo not ready after 120 s"

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

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
