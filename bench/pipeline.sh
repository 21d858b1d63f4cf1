#!/usr/bin/env bash
# Pipelined hot-set reads, one run: pgbench with a \startpipeline script of PIPELINE point SELECTs of
# HOTSET repeating keys per transaction (PIPELINE Parse/Bind/Describe/Execute units, one Sync),
# -M extended and -M prepared, through pgmemo (cache on) and against PostgreSQL directly, targets
# interleaved. Prints each one's TPS and the ratio pgmemo / direct, and pgmemo's cache counters.
# Target once pipelined cycles are answered from the cache: >= 2x. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
LOG_PREFIX="pipeline bench"

JAR="${PGMEMO_JAR:-$ROOT/proxy-server/target/pgmemo.jar}"
JAVA="${JAVA:-java}"
JAVA_OPTS="${JAVA_OPTS:-}"
MODES="${MODES:-extended prepared}"
PIPELINE="${PIPELINE:-20}"
HOTSET="${HOTSET:-1000}"
SCALE="${SCALE:-10}"
DURATION="${DURATION:-15}"
WARMUP="${WARMUP:-10}"
ROUNDS="${ROUNDS:-1}"
CLIENTS="${CLIENTS:-8}"
THREADS="${THREADS:-2}"
HOST=127.0.0.1

for v in PIPELINE HOTSET SCALE DURATION WARMUP ROUNDS CLIENTS THREADS; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (is '${!v}')"
done
for v in PIPELINE HOTSET SCALE DURATION ROUNDS CLIENTS THREADS; do
  [ "${!v}" -ge 1 ] || die "$v must be >= 1"
done
for m in $MODES; do
  case "$m" in extended|prepared) ;; *) die "unknown mode '$m' in MODES (extended, prepared: pipelines need the extended protocol)" ;; esac
done
[ "$HOTSET" -le $((SCALE * 100000)) ] || die "HOTSET ($HOTSET) exceeds the accounts of scale $SCALE"
[ -f "$JAR" ] || die "$JAR not found. Build it first: ./mvnw -B -DskipTests package"
install_pg_tools

WORK="$(mktemp -d "${TMPDIR:-/tmp}/pgmemo-pipeline-bench.XXXXXX")"
PID=""
PG_PORT=""
FAILED=0
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_demo "$PID" "$PG_PORT" 30
  if [ "$rc" -ne 0 ] || [ "$FAILED" -ne 0 ]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
on_exit cleanup

# shellcheck disable=SC2086 # PGMEMO_OPTS is a list of options
start_demo PID PROXY_PORT PG_PORT "$WORK/pgmemo.log" --cache-file "$WORK/cache.duckdb" ${PGMEMO_OPTS:-}
wait_demo "$PID" "$PROXY_PORT" "$PG_PORT" "$WORK/pgmemo.log"

log "pgbench -i -s $SCALE"
pgbench -i -q -s "$SCALE" -h "$HOST" -p "$PG_PORT" -U postgres demo >"$WORK/init.out" 2>&1 \
  || { cat "$WORK/init.out" >&2; die "pgbench -i failed"; }
psql -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PG_PORT" -U postgres demo -c "VACUUM ANALYZE" -c "CHECKPOINT" \
  || die "VACUUM ANALYZE failed"

SCRIPT="$WORK/pipeline.sql"
{
  for i in $(seq 1 "$PIPELINE"); do printf '\\set aid%s random(1, %s)\n' "$i" "$HOTSET"; done
  printf '\\startpipeline\n'
  for i in $(seq 1 "$PIPELINE"); do printf 'SELECT abalance FROM pgbench_accounts WHERE aid = :aid%s;\n' "$i"; done
  printf '\\endpipeline\n'
} >"$SCRIPT"

declare -A TPS=()
# measure MODE TARGET SECONDS [warm-up]: pgbench -M MODE with the script against TARGET (direct or
# pgmemo); unless a warm-up, adds its TPS to TPS[MODE TARGET]. A failed run (exit code or failed
# transactions) counts FAILED and prints its output.
measure() {
  local mode=$1 target=$2 port=$PG_PORT out rc=0 tps failed
  [ "$target" = pgmemo ] && port=$PROXY_PORT
  out="$WORK/$mode-$target-$((++RUN)).out"
  run_pgbench "$3" "$out" -M "$mode" -c "$CLIENTS" -j "$THREADS" -f "$SCRIPT" -h "$HOST" -p "$port" -U postgres demo \
    || rc=$?
  tps=$(pgbench_figure "$out" tps)
  failed=$(pgbench_figure "$out" failed)
  if [ "$rc" -ne 0 ] || [ -z "$tps" ] || [ "${failed:-0}" != 0 ]; then
    FAILED=$((FAILED + 1))
    warn "$mode $target: pgbench failed (exit $rc, failed transactions ${failed:-?})"
    sed 's/^/  /' "$out" >&2
    return 0
  fi
  log "$mode $target${4:+ ($4)}: tps $tps"
  [ -n "${4:-}" ] || TPS["$mode $target"]=$(awk -v a="${TPS["$mode $target"]:-0}" -v b="$tps" 'BEGIN { print a + b }')
}

RUN=0
for mode in $MODES; do
  if [ "$WARMUP" -gt 0 ]; then
    measure "$mode" pgmemo "$WARMUP" warm-up
    measure "$mode" direct "$WARMUP" warm-up
  fi
  for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then order="direct pgmemo"; else order="pgmemo direct"; fi
    for target in $order; do measure "$mode" "$target" "$DURATION"; done
  done
done

stop_demo "$PID" "$PG_PORT" 30
PID=""

echo "pgbench \\startpipeline of $PIPELINE point SELECTs over $HOTSET hot keys per transaction, scale $SCALE," \
  "$CLIENTS clients, $THREADS threads, ${DURATION}s per run, $ROUNDS round(s), ${WARMUP}s warm-up per target;" \
  "$(nproc) CPUs; $(pgbench --version)"
printf '%-9s %12s %12s %14s\n' mode 'direct TPS' 'pgmemo TPS' 'pgmemo/direct'
for mode in $MODES; do
  awk -v m="$mode" -v d="${TPS["$mode direct"]:-}" -v p="${TPS["$mode pgmemo"]:-}" -v n="$ROUNDS" 'BEGIN {
    if (d == "" || p == "") { printf "%-9s %12s %12s %14s\n", m, d == "" ? "FAILED" : d / n, p == "" ? "FAILED" : p / n, "-"; exit }
    printf "%-9s %12.0f %12.0f %13.2fx\n", m, d / n, p / n, p / d }'
done
stats="$(cache_stats "$WORK/pgmemo.log")"
echo "pgmemo cache (whole run, warm-ups included): ${stats:-no statistics line in its log}"
[ "$FAILED" -eq 0 ] || { warn "$FAILED pgbench run(s) failed"; exit 1; }
