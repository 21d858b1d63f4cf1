# shellcheck shell=bash
# Helpers shared by the scripts of bench/ and e2e/ (sourced, not run): logging, ports, starting
# pgmemo and its demo and waiting until they are ready, stopping processes, apt-get installs,
# pgbench runs and their figures, pgmemo's cache statistics, CPU ticks, pass/fail counting.
#
# Source it after `set -euo pipefail`. Every helper returns 0 unless its comment says when it
# does not, so none stops a caller under set -e by accident; the ones that "die" exit 2.
# Helpers that return a value through a variable take the variable's name (printf -v).
#
# What the caller may set (before calling the helpers that read it):
#   LOG_PREFIX     the script's prefix of log/warn/die lines, e.g. bench, e2e      [pgmemo]
#   LOG_FD         where log writes: 1 (stdout) or 2 (stderr); warn and die write to 2  [2]
#   JAVA JAVA_OPTS JAR   how start_pgmemo and start_demo run pgmemo: "$JAVA" $JAVA_OPTS -jar "$JAR"
#   PGMEMO_DIR     the working directory pgmemo runs in                    [the current one]
#   START_TIMEOUT  seconds wait_for, wait_pgmemo and wait_demo wait        [120]
# What it keeps: USED_PORTS (ports new_port handed out), APT_UPDATED, PASS, FAIL, FAILED_CHECKS.

# ---------------------------------------------------------------- messages

# log MESSAGE...: prints "PREFIX: MESSAGE" on LOG_FD.
log() { printf '%s: %s\n' "${LOG_PREFIX:-pgmemo}" "$*" >&"${LOG_FD:-2}"; }

# warn MESSAGE...: prints "PREFIX: MESSAGE" on stderr.
warn() { printf '%s: %s\n' "${LOG_PREFIX:-pgmemo}" "$*" >&2; }

# die MESSAGE...: prints "PREFIX: ERROR: MESSAGE" on stderr and exits 2.
die() { printf '%s: ERROR: %s\n' "${LOG_PREFIX:-pgmemo}" "$*" >&2; exit 2; }

# on_exit FUNCTION: runs FUNCTION when the script exits, also after Ctrl-C (exit 130) or TERM (143).
on_exit() {
  # shellcheck disable=SC2064 # FUNCTION's name, expanded now
  trap "$1" EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# ---------------------------------------------------------------- ports

# port_open HOST PORT: true when a TCP connection to HOST:PORT succeeds within 2 s.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

# port_open_local PORT: port_open 127.0.0.1 PORT.
port_open_local() { port_open 127.0.0.1 "$1"; }

# port_used PORT: true when some socket has local port PORT (ss), or something listens on it.
port_used() {
  if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Htan "sport = :$1" 2>/dev/null)" ]; then
    return 0
  fi
  port_open_local "$1"
}

# free_port [PORT...]: prints a port in 20000-31999 that nothing uses and that is none of PORTs
# (picked, not yet bound); returns 1 if it finds none. Below the kernel's ephemeral range (32768
# up), so that no outgoing connection takes it between this check and the server's bind, as one
# did once (bind: Address already in use).
free_port() {
  local p _ x taken
  for _ in $(seq 1 200); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    taken=0
    for x in "$@"; do [ "$x" = "$p" ] && taken=1; done
    [ "$taken" = 1 ] && continue
    port_used "$p" && continue
    echo "$p"
    return 0
  done
  echo "no free port in 20000-31999" >&2
  return 1
}

USED_PORTS=()
# new_port VAR: a free port that new_port has not handed out before into VAR (and USED_PORTS); dies if none.
new_port() {
  local _np_port
  _np_port="$(free_port "${USED_PORTS[@]}")" || die "no free port"
  USED_PORTS+=("$_np_port")
  printf -v "$1" '%s' "$_np_port"
}

# listener_pids PORT: prints the PIDs of the processes listening on TCP PORT, one a line (none without ss).
listener_pids() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u || true
}

# ---------------------------------------------------------------- processes

# stop_pid PID SIGNAL SECONDS: sends SIGNAL to PID, KILLs it if it still runs SECONDS later and
# reaps it if it is a child of this shell; nothing if PID is empty or gone.
stop_pid() {
  local pid="$1" _
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "-$2" "$pid" 2>/dev/null || true
  for _ in $(seq 1 $(($3 * 5))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# wait_ready PID SECONDS LOGFILE CONDITION...: waits until every CONDITION holds: a number is a
# port on 127.0.0.1 that accepts connections, anything else a pattern (grep) found in LOGFILE.
# Returns 0 then, 1 as soon as PID has exited, 2 after SECONDS.
wait_ready() {
  local pid="$1" deadline=$((SECONDS + $2)) logf="$3" c ready
  shift 3
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    ready=1
    for c in "$@"; do
      if [[ "$c" =~ ^[0-9]+$ ]]; then port_open_local "$c" || ready=0; else grep -qs -- "$c" "$logf" || ready=0; fi
      [ "$ready" = 1 ] || break
    done
    [ "$ready" = 1 ] && return 0
    sleep 0.5
  done
  return 2
}

# wait_for DESCRIPTION PID LOGFILE CONDITION...: wait_ready for START_TIMEOUT seconds; if PID exits
# first or the time runs out, prints the last 20 lines of LOGFILE ("" for none) and dies.
wait_for() {
  local desc="$1" pid="$2" logf="$3" t="${START_TIMEOUT:-120}" rc=0 c port=""
  shift 3
  wait_ready "$pid" "$t" "$logf" "$@" || rc=$?
  [ "$rc" = 0 ] && return 0
  if [ -n "$logf" ] && [ -f "$logf" ]; then
    echo "---- last 20 lines of $logf" >&2
    tail -n 20 "$logf" >&2 || true
  fi
  [ "$rc" = 1 ] && die "$desc exited before it was ready"
  for c in "$@"; do [[ "$c" =~ ^[0-9]+$ ]] && { port="$c"; break; }; done
  die "$desc not ready on 127.0.0.1:$port within ${t}s"
}

# ---------------------------------------------------------------- pgmemo and its demo

# launch_pgmemo PID_VAR LOGFILE ARG...: "$JAVA" $JAVA_OPTS -jar "$JAR" ARG... in the background, in
# PGMEMO_DIR if set, stdin /dev/null, stdout and stderr to LOGFILE; its PID into PID_VAR.
launch_pgmemo() {
  local _lp_jar="$JAR" _lp_log="$2"
  case "$_lp_jar" in /*) ;; *) _lp_jar="$PWD/$_lp_jar" ;; esac
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  (cd "${PGMEMO_DIR:-.}" && exec "${JAVA:-java}" ${JAVA_OPTS:-} -jar "$_lp_jar" "${@:3}") >"$_lp_log" 2>&1 </dev/null &
  printf -v "$1" '%s' "$!"
}

# start_pgmemo PID_VAR PORT_VAR LOGFILE ARG...: pgmemo listening on 127.0.0.1 at a new port
# (new_port, into PORT_VAR) with ARG... (--upstream HOST:PORT, options), started by launch_pgmemo;
# returns at once: wait_pgmemo waits until it is ready.
start_pgmemo() {
  local _sp_port _sp_pid
  new_port _sp_port
  launch_pgmemo _sp_pid "$3" --listen "127.0.0.1:$_sp_port" "${@:4}"
  printf -v "$1" '%s' "$_sp_pid"
  printf -v "$2" '%s' "$_sp_port"
}

# wait_pgmemo DESCRIPTION PID PORT LOGFILE: waits (wait_for) until the pgmemo of start_pgmemo
# accepts connections on PORT and LOGFILE has its "pgmemo listening on" line; dies if it does not.
wait_pgmemo() { wait_for "$1" "$2" "$4" "$3" "pgmemo listening on"; }

# start_demo PID_VAR PROXY_PORT_VAR PG_PORT_VAR LOGFILE ARG...: `pgmemo.jar demo` with pgmemo and
# the embedded PostgreSQL on new ports of 127.0.0.1 (into the PORT_VARs) and ARG..., started by
# launch_pgmemo; returns at once: wait_demo (or demo_ready) waits until it is ready.
start_demo() {
  local _sd_proxy _sd_pg _sd_pid
  new_port _sd_pg
  new_port _sd_proxy
  launch_pgmemo _sd_pid "$4" demo --listen "127.0.0.1:$_sd_proxy" --pg-port "$_sd_pg" "${@:5}"
  printf -v "$1" '%s' "$_sd_pid"
  printf -v "$2" '%s' "$_sd_proxy"
  printf -v "$3" '%s' "$_sd_pg"
}

# demo_ready PID SECONDS PROXY_PORT PG_PORT LOGFILE: wait_ready for a demo of start_demo: both ports
# open and LOGFILE with pgmemo's "listening on" line and the demo's "is running" banner.
demo_ready() { wait_ready "$1" "$2" "$5" "$3" "$4" "pgmemo listening on" "pgmemo demo is running"; }

# wait_demo PID PROXY_PORT PG_PORT LOGFILE: demo_ready for START_TIMEOUT seconds, or dies (as wait_for).
wait_demo() {
  wait_for "pgmemo demo" "$1" "$4" "$2" "$3" "pgmemo listening on" "pgmemo demo is running"
}

# stop_embedded_pg PORT: stops (INT, KILL after 10 s) a postgres process still listening on PORT,
# the embedded PostgreSQL of a demo that did not stop it; nothing if PORT is empty.
stop_embedded_pg() {
  [ -n "$1" ] || return 0
  local pid comm
  for pid in $(listener_pids "$1"); do
    comm="$(ps -o comm= -p "$pid" 2>/dev/null || true)"
    case "$comm" in
      postgres|postmaster)
        log "stopping leftover embedded PostgreSQL (pid $pid)"
        stop_pid "$pid" INT 10
        ;;
    esac
  done
  return 0
}

# stop_demo PID PG_PORT SECONDS: stops pgmemo (stop_pid PID TERM SECONDS), then its embedded
# PostgreSQL on PG_PORT if that outlived it (PG_PORT "" for a pgmemo without a demo).
stop_demo() {
  stop_pid "$1" TERM "$3"
  stop_embedded_pg "$2"
}

# ---------------------------------------------------------------- packages

APT_UPDATED=0
# apt_install PACKAGE...: installs the Debian packages with apt-get, only as root (apt-get update
# once a run, at most 300 s; the install at most 900 s); returns 1, saying why on stderr, if not.
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    warn "cannot install $* with apt-get: not root"
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    warn "cannot install $*: no apt-get"
    return 1
  fi
  if [ "$APT_UPDATED" = 0 ]; then
    timeout 300 apt-get update -qq >/dev/null || { warn "apt-get update failed"; return 1; }
    APT_UPDATED=1
  fi
  timeout 900 env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null \
    || { warn "apt-get install $* failed"; return 1; }
}

# have_pg_tools: true when psql and pgbench run.
have_pg_tools() { psql --version >/dev/null 2>&1 && pgbench --version >/dev/null 2>&1; }

# install_pg_tools: makes sure psql and pgbench run, installing postgresql-client and
# postgresql-15 (apt_install) if they do not; dies if it cannot.
install_pg_tools() {
  have_pg_tools && return 0
  log "psql/pgbench not found: installing postgresql-client and postgresql-15 with apt-get"
  apt_install postgresql-client postgresql-15 || die "install psql and pgbench (postgresql-client, postgresql-15) yourself"
  # /usr/bin/pgbench is postgresql-client-common's wrapper around /usr/lib/postgresql/15/bin/pgbench
  have_pg_tools || die "psql/pgbench still not usable after apt-get install"
}

# find_pgbouncer: prints the PgBouncer binary to use: $PGBOUNCER if set (nothing if it is "off"),
# else pgbouncer on PATH or /usr/sbin/pgbouncer; nothing if there is none.
find_pgbouncer() {
  case "${PGBOUNCER:-}" in
    off) return 0 ;;
    ?*) echo "$PGBOUNCER"; return 0 ;;
  esac
  command -v pgbouncer 2>/dev/null && return 0
  if [ -x /usr/sbin/pgbouncer ]; then echo /usr/sbin/pgbouncer; fi
  return 0
}

# set_run_as: RUN_USER and RUN_AS (a command prefix, an array) for servers that refuse to run as
# root (PostgreSQL, PgBouncer): as root, user postgres (or nobody) through setpriv; else this user, no prefix.
# shellcheck disable=SC2034 # RUN_AS and RUN_USER are for the caller
set_run_as() {
  RUN_AS=()
  RUN_USER="$(id -un)"
  if [ "$(id -u)" -eq 0 ]; then
    RUN_USER=nobody
    id postgres >/dev/null 2>&1 && RUN_USER=postgres
    RUN_AS=(setpriv "--reuid=$(id -u "$RUN_USER")" "--regid=$(id -g "$RUN_USER")" --clear-groups)
  fi
  return 0
}

# ---------------------------------------------------------------- pgbench, CPU

# run_pgbench SECONDS OUTFILE ARG...: pgbench -n -T SECONDS ARG... (at most SECONDS + 120 s),
# its output to OUTFILE; returns pgbench's (or timeout's) exit code.
run_pgbench() {
  timeout $(($1 + 120)) pgbench -n -T "$1" "${@:3}" >"$2" 2>&1
}

# pgbench_figure OUTFILE tps|latency|failed|processed: prints that figure of a pgbench run's output
# (TPS, average latency in ms, failed and processed transactions); nothing if it has none.
pgbench_figure() {
  case "$2" in
    tps) sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$1" | tail -n1 ;;
    latency) sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$1" | head -n1 ;;
    failed) sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$1" | head -n1 ;;
    processed) sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$1" | head -n1 ;;
  esac
  return 0
}

# cache_stats LOGFILE: prints "hits N, misses N, hit ratio R" from the last statistics line pgmemo
# logged when it stopped ("cache closed: cache hits=..."); nothing if LOGFILE has none.
cache_stats() {
  sed -n 's/.*cache closed: cache hits=\([0-9]*\) (file [0-9]*) misses=\([0-9]*\).* ratio=\([0-9.]*\).*/hits \1, misses \2, hit ratio \3/p' \
    "$1" 2>/dev/null | tail -n1
  return 0
}

# cpu_ticks PID: prints the user + system CPU time of process PID (all its threads) so far, in
# clock ticks (getconf CLK_TCK a second); returns 1, printing nothing, if PID is empty or gone.
cpu_ticks() {
  [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ] || return 1
  # Fields 14 and 15 of /proc/PID/stat, counted after the command name (which may hold spaces).
  awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}

# The machine's busy CPU time so far, in clock ticks: user, nice, system, irq and softirq of every
# core (/proc/stat), neither idle nor I/O wait.
machine_ticks() {
  awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat
}

# ---------------------------------------------------------------- checks

PASS=0
FAIL=0
FAILED_CHECKS=()
# pass DESCRIPTION: counts a passed check and prints "PASS  DESCRIPTION".
pass() { PASS=$((PASS + 1)); printf 'PASS  %s\n' "$*"; }

# fail DESCRIPTION: counts a failed check and prints "FAIL  DESCRIPTION".
fail() { FAIL=$((FAIL + 1)); FAILED_CHECKS+=("$*"); printf 'FAIL  %s\n' "$*"; }

# check DESCRIPTION COMMAND...: pass if COMMAND succeeds, else fail.
check() {
  local desc="$1"
  shift
  if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# checks_summary: lists the failed checks, then prints "N passed, N failed"; returns 1 if any failed.
checks_summary() {
  if [ "$FAIL" -gt 0 ]; then
    log "failed checks:"
    printf '  - %s\n' "${FAILED_CHECKS[@]}"
  fi
  echo "$PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
}
