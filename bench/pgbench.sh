#!/usr/bin/env bash
# Throughput/latency of PostgreSQL directly, through pgmemo and (if installed) through
# PgBouncer, measured with pgbench in one run with the targets interleaved.
#
# Usage: bench/pgbench.sh [--quick] [--help]
# See bench/README.md for the environment variables and the output.
# Only 127.0.0.1 (or the UPSTREAM you give) is contacted.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
LOG_PREFIX=bench

usage() {
  cat <<'EOF'
Usage: bench/pgbench.sh [--quick] [--help]

Benchmarks pgbench select-only (-S) and TPC-B-like workloads (-M QUERY_MODE) against
  direct     the upstream PostgreSQL
  pgmemo     pgmemo in front of it
  pgbouncer  PgBouncer (session pooling) in front of it, if `pgbouncer` is on PATH
and prints: workload, target, TPS, avg latency ms, TPS ratio to direct.

  --quick    DURATION=5 SCALE=1 WARMUP=2 (a smoke run, ~1 minute)

Environment (defaults in brackets):
  SCALE [10]  DURATION [20] seconds per run  CLIENTS [8]  THREADS [2]
  ROUNDS [1]   repetitions of every (workload, target) run; results are averaged
  CPU_RATE [0] if > 0: also run each workload at a fixed rate (pgbench -R, same QUERY_MODE) against
               each proxy and print the proxy process's CPU time per transaction (user + system,
               from /proc), a steadier figure than TPS on a machine whose cores the targets share,
               and the whole machine's (what the proxy saves PostgreSQL counts there);
               select-only at CPU_RATE/s, tpcb-like at CPU_RATE_TPCB/s [CPU_RATE / 4]
  WARMUP [30]  seconds of unmeasured load per target with each workload, before measuring it
  WORKLOADS ["select-only tpcb-like"]  the workloads to run, in this order
  QUERY_MODE [simple]  pgbench -M: simple, extended or prepared
  NOCACHE [0]  if 1: also measure pgmemo-nocache, a second pgmemo with --no-cache (the relay alone)
  UPSTREAM     host:port of an existing PostgreSQL (trust/.pgpass auth) to use instead of
               starting `pgmemo.jar demo`; BENCH_DB [demo, or postgres with UPSTREAM],
               BENCH_USER [postgres]
  PGBOUNCER    path to the pgbouncer binary, or "off" [pgbouncer on PATH]
  PGMEMO_JAR [proxy-server/target/pgmemo.jar]  JAVA [java]  JAVA_OPTS
  PGMEMO_OPTS  extra pgmemo options (e.g. "--io-threads 2")
  RELAY_FLOOR [0] if 1: also measure netty-relay, a relay on pgmemo's transport that forwards bytes
               without decoding anything (io.pgmemo.bench.NettyRelay in bench/jmh/target/benchmarks.jar):
               the floor under pgmemo's cost on this machine, in the same run
  RESULTS_CSV  also write the table as CSV to this file
EOF
}

QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; usage >&2; exit 2 ;;
  esac
done
if [ "$QUICK" = 1 ]; then
  DURATION=5 SCALE=1 WARMUP=2
fi
SCALE="${SCALE:-10}"
DURATION="${DURATION:-20}"
CLIENTS="${CLIENTS:-8}"
THREADS="${THREADS:-2}"
ROUNDS="${ROUNDS:-1}"
WARMUP="${WARMUP:-30}"
WORKLOADS="${WORKLOADS:-select-only tpcb-like}"
QUERY_MODE="${QUERY_MODE:-simple}"
NOCACHE="${NOCACHE:-0}"
JAR="${PGMEMO_JAR:-$ROOT/proxy-server/target/pgmemo.jar}"
JAVA="${JAVA:-java}"
BENCH_USER="${BENCH_USER:-postgres}"
START_TIMEOUT=120
HOST=127.0.0.1

CPU_RATE="${CPU_RATE:-0}"
CPU_RATE_TPCB="${CPU_RATE_TPCB:-$((CPU_RATE / 4))}"
for v in SCALE DURATION CLIENTS THREADS ROUNDS WARMUP CPU_RATE CPU_RATE_TPCB; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (is '${!v}')"
done
if [ "$DURATION" -lt 1 ] || [ "$ROUNDS" -lt 1 ] || [ "$SCALE" -lt 1 ]; then
  die "DURATION, ROUNDS and SCALE must be >= 1"
fi
for w in $WORKLOADS; do
  case "$w" in select-only|tpcb-like) ;; *) die "unknown workload '$w' in WORKLOADS (select-only, tpcb-like)" ;; esac
done
case "$QUERY_MODE" in simple|extended|prepared) ;; *) die "QUERY_MODE must be simple, extended or prepared" ;; esac
[ -f "$JAR" ] || die "$JAR not found. Build it first: (cd $ROOT && ./mvnw -B package)"
command -v "$JAVA" >/dev/null 2>&1 || die "java not found (set JAVA=/path/to/java)"

# ---------------------------------------------------------------- client tools
install_pg_tools

# ---------------------------------------------------------------- lifecycle
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pgmemo-bench.XXXXXX")"
# Its own cache file: the default one in the working directory may be another pgmemo's.
export PGMEMO_CACHE_FILE="${PGMEMO_CACHE_FILE:-$WORK/cache.duckdb}"
PGMEMO_PID=""
NOCACHE_PID=""
BOUNCER_PID=""
RELAY_PID=""
PG_PORT="" # the demo's embedded PostgreSQL (none with UPSTREAM)

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$BOUNCER_PID" TERM 10
  stop_pid "$RELAY_PID" TERM 10
  stop_pid "$NOCACHE_PID" TERM 30
  stop_demo "$PGMEMO_PID" "$PG_PORT" 30
  if [ "$rc" -ne 0 ]; then
    log "exit $rc; logs kept in $WORK"
    [ -f "$WORK/pgmemo.log" ] && { echo "---- last 30 lines of $WORK/pgmemo.log" >&2; tail -n 30 "$WORK/pgmemo.log" >&2 || true; }
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
on_exit cleanup

export PGCONNECT_TIMEOUT=10
unset PGPASSWORD PGSERVICE PGOPTIONS PGDATABASE PGHOST PGPORT PGUSER 2>/dev/null || true

if [ -n "${UPSTREAM:-}" ]; then
  UP_HOST="${UPSTREAM%:*}"
  UP_PORT="${UPSTREAM##*:}"
  DB="${BENCH_DB:-postgres}"
  # shellcheck disable=SC2086 # PGMEMO_OPTS is a list of options
  start_pgmemo PGMEMO_PID PROXY_PORT "$WORK/pgmemo.log" --upstream "$UPSTREAM" ${PGMEMO_OPTS:-}
  log "starting pgmemo on $HOST:$PROXY_PORT -> $UPSTREAM"
  wait_pgmemo pgmemo "$PGMEMO_PID" "$PROXY_PORT" "$WORK/pgmemo.log"
else
  # shellcheck disable=SC2086 # PGMEMO_OPTS is a list of options
  start_demo PGMEMO_PID PROXY_PORT PG_PORT "$WORK/pgmemo.log" ${PGMEMO_OPTS:-}
  UP_HOST="$HOST"
  UP_PORT="$PG_PORT"
  DB="${BENCH_DB:-demo}"
  log "starting pgmemo demo: embedded PostgreSQL on $HOST:$PG_PORT, pgmemo on $HOST:$PROXY_PORT"
  wait_demo "$PGMEMO_PID" "$PROXY_PORT" "$PG_PORT" "$WORK/pgmemo.log"
fi
port_open "$UP_HOST" "$UP_PORT" || die "upstream $UP_HOST:$UP_PORT not reachable"

psql_direct() { timeout 600 psql -X -q -v ON_ERROR_STOP=1 -h "$UP_HOST" -p "$UP_PORT" -U "$BENCH_USER" -d "$DB" "$@"; }
SERVER_VERSION="$(psql_direct -At -c 'SHOW server_version')" || die "cannot connect to the upstream directly"

# ---------------------------------------------------------------- targets
T_NAMES=(direct pgmemo)
T_HOSTS=("$UP_HOST" "$HOST")
T_PORTS=("$UP_PORT" "$PROXY_PORT")

if [ "$NOCACHE" = 1 ]; then
  start_pgmemo NOCACHE_PID NOCACHE_PORT "$WORK/pgmemo-nocache.log" --upstream "$UP_HOST:$UP_PORT" --no-cache
  log "starting pgmemo --no-cache (the relay alone) on $HOST:$NOCACHE_PORT"
  wait_pgmemo pgmemo-nocache "$NOCACHE_PID" "$NOCACHE_PORT" "$WORK/pgmemo-nocache.log"
  T_NAMES+=(pgmemo-nocache)
  T_HOSTS+=("$HOST")
  T_PORTS+=("$NOCACHE_PORT")
fi

BOUNCER="$(find_pgbouncer)"
if [ -n "$BOUNCER" ]; then
  new_port BOUNCER_PORT
  BDIR="$WORK/pgbouncer"
  mkdir -p "$BDIR"
  printf '"%s" ""\n' "$BENCH_USER" >"$BDIR/userlist.txt"
  cat >"$BDIR/pgbouncer.ini" <<EOF
[databases]
* = host=$UP_HOST port=$UP_PORT

[pgbouncer]
listen_addr = $HOST
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $BDIR/userlist.txt
pool_mode = session
max_client_conn = 200
default_pool_size = $((CLIENTS + 4))
ignore_startup_parameters = extra_float_digits,options
logfile = $BDIR/pgbouncer.log
pidfile = $BDIR/pgbouncer.pid
server_tls_sslmode = disable
log_connections = 0
log_disconnections = 0
EOF
  set_run_as # PgBouncer refuses to run as root
  if [ -n "${RUN_AS[*]}" ]; then
    chown -R "$RUN_USER" "$BDIR"
    chmod 755 "$WORK"
  fi
  log "starting PgBouncer ($("$BOUNCER" --version 2>/dev/null | head -n1)) on $HOST:$BOUNCER_PORT, session pooling"
  "${RUN_AS[@]}" "$BOUNCER" "$BDIR/pgbouncer.ini" >"$BDIR/stdout.log" 2>&1 </dev/null &
  BOUNCER_PID=$!
  wait_for pgbouncer "$BOUNCER_PID" "$BDIR/pgbouncer.log" "$BOUNCER_PORT"
  T_NAMES+=(pgbouncer)
  T_HOSTS+=("$HOST")
  T_PORTS+=("$BOUNCER_PORT")
else
  log "pgbouncer not found on PATH: skipping that target (Debian: apt-get install pgbouncer)"
fi

# ---------------------------------------------------------------- data
RELAY_FLOOR="${RELAY_FLOOR:-0}"
if [ "$RELAY_FLOOR" = 1 ]; then
  RELAY_JAR="$ROOT/bench/jmh/target/benchmarks.jar"
  [ -f "$RELAY_JAR" ] || die "$RELAY_JAR not found. Build it first: (cd $ROOT && ./mvnw -B -DskipTests package)"
  new_port RELAY_PORT
  log "starting netty-relay (the relay floor) on $HOST:$RELAY_PORT"
  "$JAVA" -cp "$RELAY_JAR" io.pgmemo.bench.NettyRelay "$RELAY_PORT" "$UP_HOST" "$UP_PORT" >"$WORK/relay.log" 2>&1 </dev/null &
  RELAY_PID=$!
  wait_for netty-relay "$RELAY_PID" "$WORK/relay.log" "$RELAY_PORT"
  T_NAMES+=(netty-relay)
  T_HOSTS+=("$HOST")
  T_PORTS+=("$RELAY_PORT")
fi

log "initializing pgbench data, scale $SCALE, directly on $UP_HOST:$UP_PORT/$DB"
timeout 3600 pgbench -i -q -s "$SCALE" -h "$UP_HOST" -p "$UP_PORT" -U "$BENCH_USER" "$DB" >"$WORK/init.log" 2>&1 \
  || { tail -n 20 "$WORK/init.log" >&2; die "pgbench -i failed"; }
psql_direct -c 'VACUUM ANALYZE' -c 'CHECKPOINT' || die "VACUUM/CHECKPOINT failed"

# ---------------------------------------------------------------- runs
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
ANY_FAILED=0

run_workload() { # run_workload WORKLOAD TARGET_INDEX SECONDS OUTFILE [PGBENCH_OPTION...]
  local workload="$1" i="$2" extra=("${@:5}")
  [ "$workload" = select-only ] && extra+=(-S)
  run_pgbench "$3" "$4" "${extra[@]}" -M "$QUERY_MODE" -c "$CLIENTS" -j "$THREADS" \
    -h "${T_HOSTS[$i]}" -p "${T_PORTS[$i]}" -U "$BENCH_USER" "$DB"
}

warm_up() { # warm_up WORKLOAD: WARMUP s of unmeasured load per target, interleaved like the rounds
  local workload="$1" warmed=0 chunk i
  while [ "$warmed" -lt "$WARMUP" ]; do
    chunk=$((WARMUP - warmed < DURATION ? WARMUP - warmed : DURATION))
    log "warm-up: $workload, ${chunk}s per target ($((warmed + chunk)) of ${WARMUP}s)"
    for i in "${!T_NAMES[@]}"; do
      run_workload "$workload" "$i" "$chunk" "$WORK/warmup-$workload-${T_NAMES[$i]}.log" \
        || { tail -n 10 "$WORK/warmup-$workload-${T_NAMES[$i]}.log" >&2; log "warm-up against ${T_NAMES[$i]} failed"; }
    done
    warmed=$((warmed + chunk))
  done
}

# One workload at a time, each after a warm-up with it: a JVM compiles the code paths a workload
# takes (reads, captures, writes, invalidations) during its first seconds, and compiles again when
# the workload changes, and a cache fills; neither is the steady state being compared. The warm-up
# is interleaved like the rounds, so that pgmemo's entries are as old (TTL) when the rounds start as
# during them.
n_targets=${#T_NAMES[@]}
for workload in $WORKLOADS; do
  warm_up "$workload"
  for round in $(seq 1 "$ROUNDS"); do
    for k in $(seq 0 $((n_targets - 1))); do
      i=$(( (k + round - 1) % n_targets )) # rotate the order every round
      name="${T_NAMES[$i]}"
      if [ "$workload" = tpcb-like ]; then
        psql_direct -c 'VACUUM pgbench_branches, pgbench_tellers' -c 'TRUNCATE pgbench_history' -c 'CHECKPOINT' \
          || die "pre-run VACUUM failed"
      fi
      out="$WORK/run-$round-$workload-$name.log"
      rc=0
      run_workload "$workload" "$i" "$DURATION" "$out" || rc=$?
      tps="$(pgbench_figure "$out" tps)"
      lat="$(pgbench_figure "$out" latency)"
      failed="$(pgbench_figure "$out" failed)"
      if [ "$rc" != 0 ] || [ -z "$tps" ] || [ "${failed:-0}" != 0 ]; then
        ANY_FAILED=1
        log "round $round $workload $name: FAILED (exit $rc, failed transactions ${failed:-?})"
        tail -n 10 "$out" >&2
        tps="" lat=""
      else
        log "round $round $workload $name: tps $tps, latency avg $lat ms"
      fi
      printf '%s\t%s\t%s\t%s\t%s\n' "$workload" "$name" "$round" "${tps:-NA}" "${lat:-NA}" >>"$RESULTS"
    done
  done
done

# ---------------------------------------------------------------- CPU per transaction
CPU_RESULTS="$WORK/cpu.tsv"
: >"$CPU_RESULTS"
if [ "$CPU_RATE" -gt 0 ]; then
  tick_hz="$(getconf CLK_TCK)"
  for workload in $WORKLOADS; do
    rate="$CPU_RATE"
    [ "$workload" = tpcb-like ] && rate="$CPU_RATE_TPCB"
    for round in $(seq 1 "$ROUNDS"); do
      for i in "${!T_NAMES[@]}"; do
        case "${T_NAMES[$i]}" in
          pgmemo) pid="$PGMEMO_PID" ;;
          pgmemo-nocache) pid="$NOCACHE_PID" ;;
          pgbouncer) pid="$BOUNCER_PID" ;;
          netty-relay) pid="$RELAY_PID" ;;
          *) continue ;;
        esac
        out="$WORK/cpu-$round-$workload-${T_NAMES[$i]}.log"
        before="$(cpu_ticks "$pid")"
        machine_before="$(machine_ticks)"
        run_workload "$workload" "$i" "$DURATION" "$out" -R "$rate" \
          || { tail -n 10 "$out" >&2; die "fixed-rate run against ${T_NAMES[$i]} failed"; }
        after="$(cpu_ticks "$pid")"
        machine_after="$(machine_ticks)"
        done_tx="$(pgbench_figure "$out" processed)"
        us="$(awk -v t=$((after - before)) -v hz="$tick_hz" -v q="$done_tx" 'BEGIN { printf "%.1f", t * 1e6 / hz / q }')"
        all_us="$(awk -v t=$((machine_after - machine_before)) -v hz="$tick_hz" -v q="$done_tx" \
          'BEGIN { printf "%.1f", t * 1e6 / hz / q }')"
        log "round $round fixed rate $workload ${rate}/s ${T_NAMES[$i]}: $done_tx transactions, $us us of proxy CPU each, $all_us us of the machine's"
        printf '%s\t%s\t%s\t%s\t%s\n' "$workload" "$rate" "${T_NAMES[$i]}" "$us" "$all_us" >>"$CPU_RESULTS"
      done
    done
  done
fi

# ---------------------------------------------------------------- report
echo
echo "pgbench -M $QUERY_MODE, scale $SCALE, $CLIENTS clients, $THREADS threads, ${DURATION}s per run, $ROUNDS round(s);" \
     "PostgreSQL $SERVER_VERSION; $(nproc 2>/dev/null || echo '?') CPUs; $(pgbench --version)"
awk -F'\t' -v order="$(IFS=,; echo "${T_NAMES[*]}")" -v workloads="$WORKLOADS" -v csv="${RESULTS_CSV:-}" '
  { key = $1 SUBSEP $2
    if ($4 == "NA") bad[key] = 1; else { tps[key] += $4; lat[key] += $5; n[key]++ } }
  END {
    nt = split(order, t, ",")
    fmt = "%-12s %-14s %8s %16s %10s\n"
    printf fmt, "workload", "target", "TPS", "avg latency ms", "vs direct"
    if (csv != "") print "workload,target,tps,avg_latency_ms,ratio_to_direct" > csv
    nw = split(workloads, w, " ")
    for (a = 1; a <= nw; a++) {
      dkey = w[a] SUBSEP "direct"
      dt = (n[dkey] > 0 && !(dkey in bad)) ? tps[dkey] / n[dkey] : 0
      for (b = 1; b <= nt; b++) {
        key = w[a] SUBSEP t[b]
        if (n[key] == 0 || (key in bad)) {
          printf fmt, w[a], t[b], "FAILED", "-", "-"
          if (csv != "") print w[a] "," t[b] ",,," > csv
          continue
        }
        avg = tps[key] / n[key]; l = lat[key] / n[key]
        ratio = dt > 0 ? sprintf("%.2f", avg / dt) : "-"
        printf fmt, w[a], t[b], sprintf("%.0f", avg), sprintf("%.3f", l), ratio
        if (csv != "") printf "%s,%s,%.1f,%.3f,%s\n", w[a], t[b], avg, l, ratio > csv
      }
    }
    for (a = 1; a <= nw; a++) {
      bkey = w[a] SUBSEP "pgbouncer"
      if (n[bkey] == 0 || (bkey in bad)) continue
      line = ""
      for (b = 1; b <= nt; b++) {
        key = w[a] SUBSEP t[b]
        if (t[b] == "direct" || t[b] == "pgbouncer" || n[key] == 0 || (key in bad)) continue
        line = line sprintf("  %s / pgbouncer %.2f", t[b], (tps[key] / n[key]) / (tps[bkey] / n[bkey]))
      }
      if (line != "") printf "%-12s TPS ratios to PgBouncer:%s\n", w[a], line
    }
  }' "$RESULTS"
[ -n "${RESULTS_CSV:-}" ] && log "CSV written to $RESULTS_CSV"

# Prints the mean of CPU_RESULTS's column $1 per workload and target, with ratios to PgBouncer.
print_cpu() {
  awk -F'\t' -v col="$1" '{ key = $1 " at " $2 "/s"; if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
                 if (!(($1, $3) in n)) targets[$1] = targets[$1] " " $3
                 sum[$1, $3] += $col; n[$1, $3]++; workload_of[key] = $1 }
    END {
      for (k = 1; k <= nk; k++) {
        w = workload_of[order[k]]; line = ""; nt = split(targets[w], ts, " ")
        for (x = 1; x <= nt; x++) line = line sprintf("  %s %.1f us", ts[x], sum[w, ts[x]] / n[w, ts[x]])
        printf "  %-26s%s\n", order[k] ":", line
        if ((w, "pgbouncer") in n) {
          line = ""; b = sum[w, "pgbouncer"] / n[w, "pgbouncer"]
          for (x = 1; x <= nt; x++)
            if (ts[x] != "pgbouncer") line = line sprintf("  %s / pgbouncer %.2f", ts[x], (sum[w, ts[x]] / n[w, ts[x]]) / b)
          printf "  %-26s%s\n", "", line
        }
      }
    }' "$CPU_RESULTS"
}

if [ -s "$CPU_RESULTS" ]; then
  echo
  echo "fixed rate (pgbench -R, -M $QUERY_MODE), proxy process CPU (user + system) per transaction, mean of $ROUNDS round(s):"
  print_cpu 4
  echo "the whole machine's CPU (pgbench, PostgreSQL and the proxy; /proc/stat) per transaction, same runs:"
  print_cpu 5
fi

if [ "$ANY_FAILED" = 1 ]; then
  log "some runs failed (see above)"
  exit 1
fi

