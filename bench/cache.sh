#!/usr/bin/env bash
# Cache benchmarks, one run, ratios to PostgreSQL direct (and to ../shared/ideal-server when gcc can
# build it): hot-set point lookups (1,000 repeating keys) and a repeated GROUP BY over 1M rows, both
# pgbench -M $MODE (simple, extended or prepared; default simple) with 8 clients. Also reports
# pgmemo's peak RSS against its configured bounds.
# Select-only over 1M random keys (mostly misses) against PgBouncer is bench/pgbench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
LOG_PREFIX="cache bench"

JAR=${PGMEMO_JAR:-proxy-server/target/pgmemo.jar}
JAVA=java
JAVA_OPTS="" # this script runs pgmemo with java on PATH, without JAVA_OPTS
DURATION=${DURATION:-15}
CLIENTS=${CLIENTS:-8}
THREADS=${THREADS:-2}
MODE=${MODE:-simple}
IDEAL_SRC=${IDEAL_SRC:-../shared/ideal-server/ideal.c}
[ -f "$JAR" ] || { echo "cache bench: build first: ./mvnw -B -DskipTests package" >&2; exit 2; }
command -v pgbench >/dev/null || { echo "cache bench: needs pgbench (Debian postgresql-15)" >&2; exit 2; }

work=$(mktemp -d /tmp/pgmemo-cache-bench.XXXXXX)
pgmemo_pid=""
pg_port=""
px_port=""
ideal_pid=""
ideal_port=""
cleanup() {
  stop_pid "$ideal_pid" TERM 20
  stop_demo "$pgmemo_pid" "$pg_port" 20
  rm -rf "$work"
}
on_exit cleanup

# shellcheck disable=SC2086 # PGMEMO_OPTS is a list of options
start_demo pgmemo_pid px_port pg_port "$work/pgmemo.log" --cache-file "$work/cache.duckdb" ${PGMEMO_OPTS:-}
wait_demo "$pgmemo_pid" "$px_port" "$pg_port" "$work/pgmemo.log"

direct() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres demo "$@"; }
pgbench -i -q -s 10 -h 127.0.0.1 -p "$pg_port" -U postgres demo > /dev/null 2>&1
direct -c "CREATE TABLE big AS SELECT i, i % 100 AS g, (i::bigint * 7919) % 1000 AS v FROM generate_series(1, 1000000) AS i" \
       -c "ANALYZE big"
printf '\\set aid random(1, 1000)\nSELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n' > "$work/hotset.sql"
printf 'SELECT g, count(*), sum(v) FROM big GROUP BY g ORDER BY g;\n' > "$work/groupby.sql"

ideal=""
if [ -f "$IDEAL_SRC" ] && command -v gcc >/dev/null && gcc -O2 -o "$work/ideal" "$IDEAL_SRC" -lpthread 2>/dev/null; then
  new_port ideal_port
  "$work/ideal" "$ideal_port" > /dev/null 2>&1 &
  ideal_pid=$!
  ideal=$ideal_port
  sleep 0.5
fi

peak_rss=0
sample_rss() {
  local rss
  rss=$(ps -o rss= -p "$pgmemo_pid" 2>/dev/null | tr -d ' ' || echo 0)
  [ -n "$rss" ] && [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
  return 0
}
tps() { # tps PORT SCRIPT SECONDS
  local out
  out=$(pgbench -n -M "$MODE" -c "$CLIENTS" -j "$THREADS" -T "$3" -f "$2" -h 127.0.0.1 -p "$1" -U postgres demo 2>&1) \
    || { echo "$out" >&2; echo 0; return; }
  echo "$out" | awk '/^tps/ {printf "%.0f", $3}'
}
run() { # run WORKLOAD SCRIPT SECONDS
  local name=$1 script=$2 secs=$3 d p i=""
  tps "$px_port" "$script" 2 > /dev/null   # warm the cache and the JIT
  d=$(tps "$pg_port" "$script" "$secs")
  ( while sleep 1; do ps -o rss= -p "$pgmemo_pid"; done ) > "$work/rss.txt" 2>/dev/null &
  local sampler=$!
  p=$(tps "$px_port" "$script" "$secs")
  kill "$sampler" 2>/dev/null || true
  while read -r r; do [ -n "$r" ] && [ "$r" -gt "$peak_rss" ] && peak_rss=$r; done < "$work/rss.txt"
  [ -n "$ideal" ] && [ "$name" = hot-set ] && i=$(tps "$ideal" "$script" "$secs")
  printf '%-10s %10s %10s %8.2fx' "$name" "$d" "$p" "$(echo "$p / ($d + 0.0001)" | bc -l)"
  if [ -n "$i" ]; then printf ' %10s %8.2fx %8.2f\n' "$i" "$(echo "$i / ($d + 0.0001)" | bc -l)" "$(echo "$p / ($i + 0.0001)" | bc -l)"; else echo; fi
}

echo "pgbench -M $MODE, $CLIENTS clients, $THREADS threads, ${DURATION}s per run; cache at defaults"
printf '%-10s %10s %10s %9s %10s %9s %8s\n' workload direct pgmemo 'vs direct' ideal 'ideal/dir' 'pgm/ideal'
run hot-set "$work/hotset.sql" "$DURATION"
run group-by "$work/groupby.sql" "$DURATION"
echo "pgmemo peak RSS: $((peak_rss / 1024)) MiB (bounds: --cache-memory 256MB, JVM heap default)"
grep -a "cache hits" "$work/pgmemo.log" | tail -1 || true
