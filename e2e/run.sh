#!/usr/bin/env bash
# End-to-end check of pgmemo with real PostgreSQL clients (psql, pgbench).
#
# Starts `pgmemo.jar demo` (embedded PostgreSQL 17 + pgmemo in front of it) on free
# loopback ports, then:
#   - runs one psql script through pgmemo and directly against the upstream and
#     requires identical output (COPY FROM STDIN, \copy TO STDOUT, a multi-statement
#     query, errors, an aborted transaction, a NOTICE, large results);
#   - `pgbench -i -s 1` through pgmemo;
#   - `pgbench -S -n -c 4 -j 2 -T 5` through pgmemo in -M simple, extended, prepared;
#   - SIGTERM to pgmemo: it must exit 0 within 30 s and stop the embedded PostgreSQL.
# Prints `N passed, N failed` last and exits non-zero if any check failed.
#
# Needs proxy-server/target/pgmemo.jar (build it with `./mvnw -B package`).
# Env: PGMEMO_JAR (jar path), JAVA (java binary), JAVA_OPTS, E2E_START_TIMEOUT
# (seconds to wait for the demo to come up, default 120), E2E_KEEP_TMP=1 (keep the
# work directory with logs and outputs).
# Only 127.0.0.1 is ever contacted.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
LOG_PREFIX=e2e
LOG_FD=1
JAR="${PGMEMO_JAR:-$ROOT/proxy-server/target/pgmemo.jar}"
JAVA="${JAVA:-java}"
START_TIMEOUT="${E2E_START_TIMEOUT:-120}"
STOP_TIMEOUT=30
PGBENCH_SECONDS=5
HOST=127.0.0.1
DB=demo
PGUSER_NAME=postgres

if [ ! -f "$JAR" ]; then
  die "$JAR not found. Build it first: (cd $ROOT && ./mvnw -B package)"
fi
command -v "$JAVA" >/dev/null 2>&1 || die "java not found (set JAVA=/path/to/java)"

# ---------------------------------------------------------------- lifecycle
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pgmemo-e2e.XXXXXX")"
LOG="$WORK/pgmemo.log"
PGMEMO_PID=""
PG_PORT=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_demo "$PGMEMO_PID" "$PG_PORT" "$STOP_TIMEOUT"
  if [ "$rc" -ne 0 ] || [ "${E2E_KEEP_TMP:-0}" = 1 ]; then
    if [ -f "$LOG" ] && [ "$rc" -ne 0 ]; then
      echo "---- last 40 lines of $LOG"
      tail -n 40 "$LOG" || true
      echo "----"
    fi
    log "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
on_exit cleanup

install_pg_tools
log "$(psql --version); $(pgbench --version)"

export PGCONNECT_TIMEOUT=10 PGUSER="$PGUSER_NAME"
unset PGPASSWORD PGSERVICE PGOPTIONS PGDATABASE PGHOST PGPORT 2>/dev/null || true

# Netty's leak sampling is off in a running pgmemo unless asked for; the LEAK check below needs it.
JAVA_OPTS="-Dio.netty.leakDetection.level=simple ${JAVA_OPTS:-}"
start_demo PGMEMO_PID PROXY_PORT PG_PORT "$LOG"
log "starting: $JAVA -jar $JAR demo --listen $HOST:$PROXY_PORT --pg-port $PG_PORT (log: $LOG)"
t_start=$SECONDS
if ! demo_ready "$PGMEMO_PID" "$START_TIMEOUT" "$PROXY_PORT" "$PG_PORT" "$LOG"; then
  fail "pgmemo demo ready within ${START_TIMEOUT}s (listening on $HOST:$PROXY_PORT, upstream $HOST:$PG_PORT)"
  checks_summary || exit 1
fi
pass "pgmemo demo ready after $((SECONDS - t_start))s (proxy $HOST:$PROXY_PORT, upstream $HOST:$PG_PORT)"
check "demo prints 'upstream PostgreSQL: $HOST:$PG_PORT'" grep -q "upstream PostgreSQL: $HOST:$PG_PORT" "$LOG"
check "demo prints 'connect through pgmemo: psql ...'" grep -q "connect through pgmemo: psql -h $HOST -p $PROXY_PORT -U postgres demo" "$LOG"

select1() { # select1 PORT SSLMODE
  local out
  out="$(timeout 30 psql -X -At "host=$HOST port=$1 user=postgres dbname=$DB sslmode=$2" -c 'SELECT 41 + 1' 2>&1)" \
    || { echo "  $out"; return 1; }
  [ "$out" = 42 ] || { echo "  got: $out"; return 1; }
}
check "ping subcommand answers for pgmemo ($HOST:$PROXY_PORT)" \
  timeout 30 "$JAVA" -jar "$JAR" ping --target "$HOST:$PROXY_PORT"
ping_closed() {
  local p rc=0
  p="$(free_port "${USED_PORTS[@]}")" || return 1
  timeout 30 "$JAVA" -jar "$JAR" ping --target "$HOST:$p" >/dev/null 2>&1 || rc=$?
  [ "$rc" = 1 ] || { echo "  ping of closed port $p exited $rc, expected 1"; return 1; }
}
check "ping subcommand exits 1 where nothing listens" ping_closed
check "psql SELECT through pgmemo, sslmode=disable" select1 "$PROXY_PORT" disable
check "psql SELECT through pgmemo, sslmode=prefer (SSLRequest first)" select1 "$PROXY_PORT" prefer

# ---------------------------------------------------------------- psql: proxy vs direct
cat >"$WORK/script.sql" <<'SQL'
\set ON_ERROR_STOP 0
\pset pager off
SELECT 1 AS one, 'two'::text AS two, NULL::int AS nothing, 3.50::numeric(5,2) AS num, true AS yes;
SELECT current_database() AS db, current_user AS usr;
\dt
CREATE TEMP TABLE e2e_items (id int PRIMARY KEY, name text, price numeric(10,2), tags text[]);
COPY e2e_items (id, name, price, tags) FROM STDIN;
1	apple	0.50	{fruit,red}
2	bread	2.25	{bakery}
3	"quoted" name	\N	{}
4	tab\there	10.00	{a,b,c}
\.
SELECT * FROM e2e_items ORDER BY id;
\copy e2e_items TO STDOUT
\copy (SELECT id, upper(name) AS name FROM e2e_items WHERE id > 1 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)
SELECT count(*) AS n, sum(price) AS total FROM e2e_items \; SELECT 'second statement' AS msg \; SELECT max(id) AS max_id FROM e2e_items;
SELECT 1/0 AS boom;
SELECT * FROM e2e_no_such_table;
SELECT 'still alive after errors' AS status;
BEGIN;
INSERT INTO e2e_items VALUES (5, 'in tx', 1, '{}');
SELECT no_such_column FROM e2e_items;
SELECT 'ignored: transaction is aborted';
ROLLBACK;
SELECT count(*) AS after_rollback FROM e2e_items;
DO $$BEGIN RAISE NOTICE 'notice from the server: %', 42; END$$;
INSERT INTO e2e_items SELECT g, 'gen ' || g, g / 100.0, ARRAY[g::text] FROM generate_series(100, 5099) g;
SELECT count(*) AS rows, md5(string_agg(id || name || coalesce(price::text, '-'), ',' ORDER BY id)) AS digest FROM e2e_items;
SELECT length(repeat('0123456789', 20000)) AS len, repeat('0123456789', 20000) AS wide_value;
SELECT g AS n, md5(g::text) AS h, repeat('x', g % 200) AS pad FROM generate_series(1, 20000) g;
SELECT 'done' AS status;
SQL

run_psql() { # run_psql PORT OUT_PREFIX : runs the script, records stdout, stderr, exit code
  local rc=0
  timeout 60 psql -X -h "$HOST" -p "$1" -U postgres -d "$DB" -f "$WORK/script.sql" \
    >"$2.out" 2>"$2.err" </dev/null || rc=$?
  echo "$rc" >"$2.rc"
}
run_psql "$PG_PORT" "$WORK/direct"
run_psql "$PROXY_PORT" "$WORK/proxy"

check "psql script through pgmemo exits 0 (rc=$(cat "$WORK/proxy.rc"))" test "$(cat "$WORK/proxy.rc")" = 0
check "psql script directly exits 0 (rc=$(cat "$WORK/direct.rc"))" test "$(cat "$WORK/direct.rc")" = 0
if cmp -s "$WORK/direct.out" "$WORK/proxy.out"; then
  pass "psql stdout through pgmemo identical to direct ($(wc -l <"$WORK/proxy.out") lines)"
else
  fail "psql stdout through pgmemo identical to direct"
  diff -u "$WORK/direct.out" "$WORK/proxy.out" | head -n 40 || true
fi
if cmp -s "$WORK/direct.err" "$WORK/proxy.err"; then
  pass "psql stderr (errors, notices) through pgmemo identical to direct ($(wc -l <"$WORK/proxy.err") lines)"
else
  fail "psql stderr (errors, notices) through pgmemo identical to direct"
  diff -u "$WORK/direct.err" "$WORK/proxy.err" | head -n 40 || true
fi
expect_markers() {
  local f="$WORK/proxy.out" e="$WORK/proxy.err" ok=0 m
  for m in 'second statement' 'still alive after errors' 'after_rollback' '4	tab\there	10.00	{a,b,c}' \
           '3,"""QUOTED"" NAME"' '(20000 rows)' 'done'; do
    grep -qF -- "$m" "$f" || { echo "  missing in stdout: $m"; ok=1; }
  done
  for m in 'division by zero' 'e2e_no_such_table' 'no_such_column' 'current transaction is aborted' \
           'notice from the server: 42'; do
    grep -qF -- "$m" "$e" || { echo "  missing in stderr: $m"; ok=1; }
  done
  return "$ok"
}
check "psql output through pgmemo has the expected rows, COPY data, errors and notice" expect_markers

mstmt() { # psql -c sends the whole string as one simple Query message
  local a b
  a="$(timeout 30 psql -X -h "$HOST" -p "$PG_PORT" -d "$DB" -c 'SELECT 1 AS a; SELECT 2 AS b; SELECT 3 AS c' 2>&1)" || return 1
  b="$(timeout 30 psql -X -h "$HOST" -p "$PROXY_PORT" -d "$DB" -c 'SELECT 1 AS a; SELECT 2 AS b; SELECT 3 AS c' 2>&1)" || return 1
  [ "$a" = "$b" ] && grep -q '(1 row)' <<<"$b"
}
check "psql -c multi-statement query through pgmemo identical to direct" mstmt

# ---------------------------------------------------------------- pgbench
pgb_init() {
  timeout 120 pgbench -i -q -s 1 -h "$HOST" -p "$PROXY_PORT" -U postgres "$DB" >"$WORK/pgbench-init.log" 2>&1 \
    || { tail -n 20 "$WORK/pgbench-init.log"; return 1; }
  local n
  n="$(timeout 30 psql -X -At -h "$HOST" -p "$PG_PORT" -d "$DB" -c 'SELECT count(*) FROM pgbench_accounts')" || return 1
  [ "$n" = 100000 ] || { echo "  pgbench_accounts has $n rows, expected 100000"; return 1; }
}
check "pgbench -i -s 1 through pgmemo (100000 accounts visible directly)" pgb_init

pgb_run() { # pgb_run MODE
  local out="$WORK/pgbench-$1.log" rc=0 processed failed
  run_pgbench "$PGBENCH_SECONDS" "$out" -S -c 4 -j 2 -M "$1" -h "$HOST" -p "$PROXY_PORT" -U postgres "$DB" || rc=$?
  processed="$(pgbench_figure "$out" processed)"
  failed="$(pgbench_figure "$out" failed)"
  echo "  -M $1: exit $rc, processed ${processed:-?}, failed ${failed:-n/a}, $(grep -m1 '^tps' "$out" || echo 'no tps line')"
  if [ "$rc" != 0 ] || [ -z "$processed" ] || [ "$processed" -le 0 ]; then
    tail -n 15 "$out"
    return 1
  fi
  if grep -q '^number of failed transactions' "$out" && [ "$failed" != 0 ]; then
    tail -n 15 "$out"
    return 1
  fi
  return 0
}
for mode in simple extended prepared; do
  check "pgbench -S -n -c 4 -j 2 -T $PGBENCH_SECONDS -M $mode through pgmemo: 0 failed transactions" pgb_run "$mode"
done

# ---------------------------------------------------------------- shutdown
check "pgmemo log has no Netty LEAK reports" bash -c "! grep -q 'LEAK:' '$LOG'"
check "the JVM printed no warning ($("$JAVA" -version 2>&1 | head -n 1))" bash -c "! grep -q '^WARNING:' '$LOG'"

# A query in flight when SIGTERM arrives must still complete (pgmemo drains busy sessions).
timeout 60 psql -X -At -h "$HOST" -p "$PROXY_PORT" -d "$DB" -c "SELECT 'drained' AS e2e_drain FROM pg_sleep(3)" \
  >"$WORK/drain.out" 2>&1 </dev/null &
DRAIN_PID=$!
for _ in $(seq 1 50); do # until the sleep is running on the server (at most 10 s)
  n="$(timeout 10 psql -X -At -h "$HOST" -p "$PG_PORT" -d "$DB" \
        -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%e2e_drain%' AND pid <> pg_backend_pid()" 2>/dev/null || echo 0)"
  [ "$n" -ge 1 ] 2>/dev/null && break
  sleep 0.2
done

kill -TERM "$PGMEMO_PID"
t0=$SECONDS
while kill -0 "$PGMEMO_PID" 2>/dev/null && [ $((SECONDS - t0)) -lt "$STOP_TIMEOUT" ]; do sleep 0.2; done
if kill -0 "$PGMEMO_PID" 2>/dev/null; then
  fail "pgmemo exits within ${STOP_TIMEOUT}s of SIGTERM"
  kill -KILL "$PGMEMO_PID" 2>/dev/null || true
  wait "$PGMEMO_PID" 2>/dev/null || true
else
  rc=0
  wait "$PGMEMO_PID" || rc=$?
  pass "pgmemo exits within ${STOP_TIMEOUT}s of SIGTERM (took $((SECONDS - t0))s)"
  check "pgmemo exit code after SIGTERM is 0 (was $rc)" test "$rc" = 0
fi
PGMEMO_PID=""
drain_rc=0
wait "$DRAIN_PID" || drain_rc=$?
drained() {
  if [ "$drain_rc" != 0 ] || ! grep -qx 'drained' "$WORK/drain.out"; then
    echo "  psql exit $drain_rc: $(head -c 300 "$WORK/drain.out")"
    return 1
  fi
}
check "query in flight at SIGTERM completed (drain)" drained
pg_gone() {
  local _
  for _ in $(seq 1 50); do port_open_local "$PG_PORT" || return 0; sleep 0.2; done
  return 1
}
check "embedded PostgreSQL stopped with pgmemo" pg_gone
proxy_closed() { ! port_open "$HOST" "$PROXY_PORT"; }
check "proxy port closed after shutdown" proxy_closed

checks_summary
