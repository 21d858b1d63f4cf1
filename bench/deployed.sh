#!/usr/bin/env bash
# pgbench select-only through pgmemo and PgBouncer in front of a PostgreSQL set up as production
# is (scram-sha-256 for every TCP client, a non-superuser role, optionally TLS only), which the
# script makes itself with initdb in a temporary directory.
#
# Usage: bench/deployed.sh [--help]
# See bench/README.md ("Deployed upstreams: bench/deployed.sh") for the variables and the output.
# Only 127.0.0.1 and a unix socket in the temporary directory are used.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"
LOG_PREFIX=deployed

usage() {
  cat <<'EOF'
Usage: bench/deployed.sh [--help]

pgbench select-only (-S -M simple) against a PostgreSQL 15 the script initdb's itself
(127.0.0.1, password_encryption=scram-sha-256, role "bench" with a password, not a superuser),
in these modes, each printing a table and TPS ratios:
  scram  pg_hba scram-sha-256: direct, pgmemo, PgBouncer (session pooling, scram with the role's
         SCRAM secret from pg_authid in its auth_file)      -> pgmemo / pgbouncer
  trust  the same upstream with pg_hba trust               -> pgmemo / pgbouncer
  blind  scram, and SELECT on pg_catalog.pg_namespace revoked from PUBLIC in the bench database:
         pgmemo's catalog look-ups fail; pgmemo (cache on) vs pgmemo --no-cache, both
         --cache-file none                                -> cache / no-cache
  tls    ssl=on, hostssl-only pg_hba; pgmemo and PgBouncer with TLS toward clients and upstream,
         both checking the role's login with its SCRAM secret from pg_authid (auth_file,
         pgmemo --auth-file); pgbench with PGSSLMODE=require at the default channel_binding=prefer
                                                            -> pgmemo / pgbouncer

Environment (defaults in brackets):
  MODES ["scram trust blind tls"]  SCALE [10]  DURATION [20] seconds per run
  CLIENTS [8]  THREADS [2]  ROUNDS [1] (targets interleaved, order rotated every round)
  WARMUP [15] seconds of unmeasured load per target before each mode's rounds (0: none)
  PG_BIN [/usr/lib/postgresql/15/bin]  PGBOUNCER [pgbouncer on PATH, or "off"]
  PGMEMO_JAR [proxy-server/target/pgmemo.jar]  JAVA [java]  JAVA_OPTS
  PGMEMO_OPTS  extra options for every pgmemo started
  RESULTS_CSV  also write every mode's table as CSV to this file
Exits 1 if a pgbench run fails (or a mode's precondition check fails), 2 on a setup error.
EOF
}

for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

MODES="${MODES:-scram trust blind tls}"
SCALE="${SCALE:-10}"
DURATION="${DURATION:-20}"
CLIENTS="${CLIENTS:-8}"
THREADS="${THREADS:-2}"
ROUNDS="${ROUNDS:-1}"
WARMUP="${WARMUP:-15}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
JAR="${PGMEMO_JAR:-$ROOT/proxy-server/target/pgmemo.jar}"
JAVA="${JAVA:-java}"
HOST=127.0.0.1
DB=bench
ROLE=bench
START_TIMEOUT=120

for v in SCALE DURATION CLIENTS THREADS ROUNDS WARMUP; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer (is '${!v}')"
done
if [ "$DURATION" -lt 1 ] || [ "$ROUNDS" -lt 1 ] || [ "$SCALE" -lt 1 ] || [ "$CLIENTS" -lt 1 ]; then
  die "DURATION, ROUNDS, SCALE and CLIENTS must be >= 1"
fi
for m in $MODES; do
  case "$m" in scram|trust|blind|tls) ;; *) die "unknown mode '$m' in MODES (scram, trust, blind, tls)" ;; esac
done
[ -f "$JAR" ] || die "$JAR not found. Build it first: (cd $ROOT && ./mvnw -B -q -DskipTests package)"
command -v "$JAVA" >/dev/null 2>&1 || die "java not found (set JAVA=/path/to/java)"

# ---------------------------------------------------------------- packages
IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

have_pg() { [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && psql --version >/dev/null 2>&1 \
  && pgbench --version >/dev/null 2>&1; }
if ! have_pg; then
  log "PostgreSQL 15 server or psql/pgbench missing: installing postgresql-15 postgresql-client with apt-get"
  apt_install postgresql-15 postgresql-client || die "cannot install postgresql-15 (needs root and apt-get); set PG_BIN"
  have_pg || die "initdb/pg_ctl not in $PG_BIN, or psql/pgbench not usable"
fi

BOUNCER=""
BOUNCER_WHY=""
if [ "${PGBOUNCER:-}" = off ]; then
  BOUNCER_WHY="PGBOUNCER=off"
else
  BOUNCER="$(find_pgbouncer)"
  if [ -z "$BOUNCER" ] && [[ " $MODES " =~ \ (scram|trust|tls)\  ]]; then
    log "pgbouncer not found: installing it with apt-get"
    if apt_install pgbouncer; then
      BOUNCER="$(find_pgbouncer)"
    fi
  fi
  if [ -z "$BOUNCER" ] || ! [ -x "$BOUNCER" ]; then
    BOUNCER=""
    BOUNCER_WHY="pgbouncer not installed and not installable here (Debian, as root: apt-get install pgbouncer)"
  fi
fi
[ -n "$BOUNCER" ] || log "no PgBouncer: $BOUNCER_WHY; the ratios to PgBouncer are not measured"

# What the tls mode needs: openssl for the certificates and a pgmemo with the TLS options.
TLS_WHY=""
if [[ " $MODES " == *" tls "* ]] && ! command -v openssl >/dev/null 2>&1; then
  log "openssl not found: installing it with apt-get"
  apt_install openssl || true
fi
if ! command -v openssl >/dev/null 2>&1; then
  TLS_WHY="openssl not found (apt-get install openssl)"
elif ! "$JAVA" -jar "$JAR" --help 2>&1 | grep -q -- '--client-tls'; then
  TLS_WHY="$JAR has no --client-tls/--upstream-tls options (a pgmemo with TLS support is needed)"
fi

# ---------------------------------------------------------------- users
# PostgreSQL and PgBouncer refuse to run as root: as root they run as postgres (or nobody).
set_run_as

# ---------------------------------------------------------------- lifecycle
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pgmemo-deployed.XXXXXX")"
chmod 755 "$WORK"
PGDATA_DIR="$WORK/pg/data"
PG_LOG="$WORK/pg/postgres.log"
SOCK="$WORK/sock"
PG_STARTED=0
PGMEMO_PIDS=()
BOUNCER_PID=""

as_pg() { (cd "$WORK" && "${RUN_AS[@]}" "$@"); }
stop_proxies() {
  local pid
  stop_pid "$BOUNCER_PID" INT 10
  BOUNCER_PID=""
  for pid in "${PGMEMO_PIDS[@]}"; do stop_pid "$pid" TERM 40; done
  PGMEMO_PIDS=()
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_proxies
  if [ "$PG_STARTED" = 1 ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 30 stop >/dev/null 2>&1 || {
      local ppid
      ppid="$(head -n1 "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true)"
      [ -n "$ppid" ] && stop_pid "$ppid" QUIT 5
    }
  fi
  if [ "$rc" -ne 0 ]; then
    log "exit $rc; logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
on_exit cleanup

unset PGPASSWORD PGSERVICE PGOPTIONS PGDATABASE PGHOST PGPORT PGUSER PGSSLMODE PGCHANNELBINDING \
  PGSSLROOTCERT PGREQUIRESSL 2>/dev/null || true
export PGCONNECT_TIMEOUT=10
export PGPASSFILE="$WORK/pgpass"

# ---------------------------------------------------------------- upstream
new_port PG_PORT
PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)"
[ ${#PASSWORD} -ge 12 ] || die "could not make a password"
printf '%s:*:*:%s:%s\nlocalhost:*:*:%s:%s\n' "$HOST" "$ROLE" "$PASSWORD" "$ROLE" "$PASSWORD" >"$PGPASSFILE"
chmod 600 "$PGPASSFILE"

mkdir -p "$SOCK" "$WORK/certs" "$PGDATA_DIR"
chmod 700 "$PGDATA_DIR"
[ "$IS_ROOT" = 1 ] && chown "$RUN_USER" "$SOCK" "$WORK/certs" "$WORK/pg" "$PGDATA_DIR"
log "initdb in $PGDATA_DIR (as $RUN_USER)"
as_pg "$PG_BIN/initdb" -D "$PGDATA_DIR" -U postgres -E UTF8 --locale=C --auth-local=trust \
  --auth-host=scram-sha-256 >"$WORK/initdb.log" 2>&1 || { tail -n 20 "$WORK/initdb.log" >&2; die "initdb failed"; }

# TLS material: a CA and a server certificate for 127.0.0.1 and localhost (used by the tls mode).
if [ -z "$TLS_WHY" ] && [[ " $MODES " == *" tls "* ]]; then
  C="$WORK/certs"
  {
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=pgmemo bench CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "$C/ca.key" -out "$C/ca.crt" &&
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$C/server.key" -out "$C/server.csr" &&
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >"$C/server.ext" &&
    openssl x509 -req -in "$C/server.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial -days 2 \
      -extfile "$C/server.ext" -out "$C/server.crt"
  } >"$WORK/openssl.log" 2>&1 || { tail -n 20 "$WORK/openssl.log" >&2; die "openssl failed to make the certificates"; }
  # PostgreSQL and PgBouncer (run as $RUN_USER) want a key only their user can read; pgmemo reads its own copy.
  cp "$C/server.key" "$C/pg-server.key"
  chmod 600 "$C/server.key" "$C/pg-server.key" "$C/ca.key"
  [ "$IS_ROOT" = 1 ] && chown "$RUN_USER" "$C/pg-server.key"
fi

cat >>"$PGDATA_DIR/postgresql.conf" <<EOF

# bench/deployed.sh
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$SOCK'
password_encryption = 'scram-sha-256'
max_connections = 100
ssl = off
ssl_cert_file = '$WORK/certs/server.crt'
ssl_key_file = '$WORK/certs/pg-server.key'
ssl_ca_file = ''
EOF

write_hba() { # write_hba scram|trust|tls
  {
    echo "# bench/deployed.sh, mode $1"
    echo "local all all trust"
    case "$1" in
      scram) echo "host all all $HOST/32 scram-sha-256" ;;
      trust) echo "host all all $HOST/32 trust" ;;
      tls) echo "hostssl all all $HOST/32 scram-sha-256"
           echo "hostnossl all all 0.0.0.0/0 reject" ;;
    esac
  } >"$PGDATA_DIR/pg_hba.conf"
  [ "$IS_ROOT" = 1 ] && chown "$RUN_USER" "$PGDATA_DIR/pg_hba.conf"
  return 0
}
write_hba scram

log "starting PostgreSQL ($("$PG_BIN/postgres" --version)) on $HOST:$PG_PORT"
PG_STARTED=1
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_LOG" -w -t 60 start >/dev/null \
  || { tail -n 20 "$PG_LOG" >&2; die "PostgreSQL did not start"; }

psql_admin() { # superuser over the unix socket (local trust): setup only, never measured
  local db="$1"; shift
  timeout 600 psql -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PG_PORT" -U postgres -d "$db" "$@"
}
psql_admin postgres -c "CREATE ROLE $ROLE LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$PASSWORD'" \
  -c "CREATE DATABASE $DB OWNER $ROLE" || die "cannot create the bench role and database"
SERVER_VERSION="$(psql_admin postgres -At -c 'SHOW server_version')"

log "initializing pgbench data, scale $SCALE, as role $ROLE (scram) on $HOST:$PG_PORT/$DB"
timeout 3600 pgbench -i -q -s "$SCALE" -h "$HOST" -p "$PG_PORT" -U "$ROLE" "$DB" >"$WORK/init.log" 2>&1 \
  || { tail -n 20 "$WORK/init.log" >&2; die "pgbench -i failed"; }
psql_admin "$DB" -c 'VACUUM ANALYZE' -c 'CHECKPOINT' || die "VACUUM/CHECKPOINT failed"

# Logs in as the bench role the way the benchmark does ($1: sslmode); prints the error on failure.
# shellcheck disable=SC2069 # stderr to the caller, stdout dropped
bench_login() { PGSSLMODE="$1" timeout 30 psql -X -q -At -h "$HOST" -p "$PG_PORT" -U "$ROLE" -d "$DB" \
  -c 'SELECT 1' 2>&1 >/dev/null; }

# configure_upstream MODE: pg_hba, ssl and the catalog grant as the mode wants them, then reload and
# check that a new login sees it.
configure_upstream() {
  local mode="$1" hba="$1" ssl=off grant="GRANT" i out
  case "$mode" in
    blind) hba=scram grant="REVOKE" ;;
    tls) ssl=on ;;
  esac
  write_hba "$hba"
  psql_admin postgres -c "ALTER SYSTEM SET ssl = $ssl" -c 'SELECT pg_reload_conf()' >/dev/null \
    || die "reload failed"
  if [ "$grant" = GRANT ]; then
    psql_admin "$DB" -c 'GRANT SELECT ON pg_catalog.pg_namespace TO PUBLIC' || die "GRANT failed"
  else
    psql_admin "$DB" -c 'REVOKE SELECT ON pg_catalog.pg_namespace FROM PUBLIC' || die "REVOKE failed"
  fi
  # pg_reload_conf() only signals the postmaster: wait until a login behaves as the mode says.
  for i in $(seq 1 50); do
    case "$hba" in
      trust) out="$(PGPASSFILE=/dev/null bench_login disable)" && return 0 ;;
      scram) if ! PGPASSFILE=/dev/null bench_login disable >/dev/null && out="$(bench_login disable)"; then return 0; fi ;;
      tls) if ! bench_login disable >/dev/null && out="$(bench_login require)"; then return 0; fi ;;
    esac
    sleep 0.2
  done
  die "the upstream does not behave as mode $mode wants after the reload: ${out:-}"
}

# ---------------------------------------------------------------- proxies
# add_pgmemo NAME OPTION...: a pgmemo target on a new port, relaying to the upstream
add_pgmemo() {
  local name="$1" port pid
  shift
  # shellcheck disable=SC2086 # PGMEMO_OPTS is a list of options
  start_pgmemo pid port "$MDIR/$name.log" --upstream "$HOST:$PG_PORT" "$@" ${PGMEMO_OPTS:-}
  log "starting pgmemo $name on $HOST:$port: $*"
  PGMEMO_PIDS+=("$pid")
  wait_pgmemo "pgmemo $name" "$pid" "$port" "$MDIR/$name.log"
  add_target "$name" "$port" "$MDIR/$name.log" "$pid"
}

# write_userlist FILE: the role and its SCRAM secret from pg_authid, in PgBouncer's auth_file format
# (which pgmemo's --auth-file reads too)
write_userlist() {
  local secret
  secret="$(psql_admin postgres -At -c "SELECT rolpassword FROM pg_authid WHERE rolname = '$ROLE'")"
  [[ "$secret" == SCRAM-SHA-256\$* ]] || die "the role's secret is not a SCRAM secret: ${secret:0:14}..."
  printf '"%s" "%s"\n' "$ROLE" "$secret" >"$1"
}

# start_pgbouncer MODE: PgBouncer, session pooling, on a new port; SCRAM passthrough with the role's
# secret from pg_authid, or (if that fails) the plain password in the auth_file.
BOUNCER_AUTH=""
start_pgbouncer() {
  local mode="$1" port bdir="$MDIR/pgbouncer" err=""
  new_port port
  mkdir -p "$bdir"
  write_userlist "$bdir/userlist.txt"
  BOUNCER_AUTH="SCRAM secret from pg_authid"
  [ "$mode" = trust ] && BOUNCER_AUTH="none (auth_type trust, upstream trust)"
  {
    echo "[databases]"
    echo "$DB = host=$HOST port=$PG_PORT dbname=$DB"
    echo
    echo "[pgbouncer]"
    echo "listen_addr = $HOST"
    echo "listen_port = $port"
    echo "unix_socket_dir ="
    if [ "$mode" = trust ]; then echo "auth_type = trust"; else echo "auth_type = scram-sha-256"; fi
    echo "auth_file = $bdir/userlist.txt"
    echo "pool_mode = session"
    echo "max_client_conn = 200"
    echo "default_pool_size = $((CLIENTS + 4))"
    echo "ignore_startup_parameters = extra_float_digits,options"
    echo "logfile = $bdir/pgbouncer.log"
    echo "pidfile = $bdir/pgbouncer.pid"
    echo "log_connections = 0"
    echo "log_disconnections = 0"
    if [ "$mode" = tls ]; then
      echo "client_tls_sslmode = require"
      echo "client_tls_cert_file = $WORK/certs/server.crt"
      echo "client_tls_key_file = $WORK/certs/pg-server.key"
      echo "server_tls_sslmode = require"
    else
      echo "server_tls_sslmode = disable"
    fi
  } >"$bdir/pgbouncer.ini"
  [ "$IS_ROOT" = 1 ] && chown -R "$RUN_USER" "$bdir"
  log "starting PgBouncer ($("$BOUNCER" --version 2>/dev/null | head -n1)) on $HOST:$port, session pooling, mode $mode"
  (cd "$WORK" && exec "${RUN_AS[@]}" "$BOUNCER" "$bdir/pgbouncer.ini") >"$bdir/stdout.log" 2>&1 </dev/null &
  BOUNCER_PID=$!
  wait_for pgbouncer "$BOUNCER_PID" "$bdir/pgbouncer.log" "$port"
  if [ "$mode" != trust ] && ! err="$(PGSSLMODE="$SSLMODE" PGCHANNELBINDING="$CHANNEL_BINDING" timeout 30 psql -X -q -At -h "$HOST" -p "$port" -U "$ROLE" \
      -d "$DB" -c 'SELECT 1' 2>&1 >/dev/null)"; then
    log "PgBouncer cannot log in with the SCRAM secret ($err); trying the plain password in its auth_file"
    printf '"%s" "%s"\n' "$ROLE" "$PASSWORD" >"$bdir/userlist.txt"
    kill -HUP "$BOUNCER_PID" 2>/dev/null || true
    sleep 1
    BOUNCER_AUTH="plain password in auth_file"
    err="$(PGSSLMODE="$SSLMODE" PGCHANNELBINDING="$CHANNEL_BINDING" timeout 30 psql -X -q -At -h "$HOST" -p "$port" -U "$ROLE" -d "$DB" \
      -c 'SELECT 1' 2>&1 >/dev/null)" || die "PgBouncer cannot log in upstream: $err"
  fi
  add_target pgbouncer "$port" "" "$BOUNCER_PID"
}

T_NAMES=()
T_PORTS=()
T_LOGS=()
T_PIDS=()
add_target() { T_NAMES+=("$1"); T_PORTS+=("$2"); T_LOGS+=("$3"); T_PIDS+=("${4:-}"); }

CLK_TCK="$(getconf CLK_TCK)"

# ---------------------------------------------------------------- runs
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
SUMMARY="$WORK/summary.txt"
: >"$SUMMARY"
ANY_FAILED=0
SSLMODE=disable
CHANNEL_BINDING=prefer

run_target() { # run_target TARGET_INDEX SECONDS OUTFILE
  PGSSLMODE="$SSLMODE" PGCHANNELBINDING="$CHANNEL_BINDING" run_pgbench "$2" "$3" -S -M simple -c "$CLIENTS" -j "$THREADS" \
    -h "$HOST" -p "${T_PORTS[$1]}" -U "$ROLE" "$DB"
}

measure() { # measure MODE: warm-up, then ROUNDS rounds over all targets, interleaved
  local mode="$1" warmed=0 chunk i k round name out rc tps lat failed cpu0 cpu1 txs cpu n=${#T_NAMES[@]}
  while [ "$warmed" -lt "$WARMUP" ]; do
    chunk=$((WARMUP - warmed < DURATION ? WARMUP - warmed : DURATION))
    log "$mode: warm-up, ${chunk}s per target ($((warmed + chunk)) of ${WARMUP}s)"
    for i in "${!T_NAMES[@]}"; do
      run_target "$i" "$chunk" "$MDIR/warmup-${T_NAMES[$i]}.log" \
        || { tail -n 10 "$MDIR/warmup-${T_NAMES[$i]}.log" >&2; log "$mode: warm-up against ${T_NAMES[$i]} failed"; }
    done
    warmed=$((warmed + chunk))
  done
  for round in $(seq 1 "$ROUNDS"); do
    for k in $(seq 0 $((n - 1))); do
      i=$(( (k + round - 1) % n )) # rotate the order every round
      name="${T_NAMES[$i]}"
      out="$MDIR/run-$round-$name.log"
      rc=0
      cpu0="$(cpu_ticks "${T_PIDS[$i]}" || true)"
      run_target "$i" "$DURATION" "$out" || rc=$?
      cpu1="$(cpu_ticks "${T_PIDS[$i]}" || true)"
      tps="$(pgbench_figure "$out" tps)"
      txs="$(pgbench_figure "$out" processed)"
      cpu=NA
      if [ -n "$cpu0" ] && [ -n "$cpu1" ] && [ -n "$txs" ] && [ "$txs" -gt 0 ]; then
        cpu="$(awk -v d="$((cpu1 - cpu0))" -v hz="$CLK_TCK" -v n="$txs" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')"
      fi
      lat="$(pgbench_figure "$out" latency)"
      failed="$(pgbench_figure "$out" failed)"
      if [ "$rc" != 0 ] || [ -z "$tps" ] || [ "${failed:-0}" != 0 ]; then
        ANY_FAILED=1
        log "$mode round $round $name: FAILED (exit $rc, failed transactions ${failed:-?})"
        tail -n 10 "$out" >&2
        tps="" lat=""
      else
        log "$mode round $round $name: tps $tps, latency avg $lat ms, proxy CPU $cpu us per query"
      fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$name" "$round" "${tps:-NA}" "${lat:-NA}" "$cpu" >>"$RESULTS"
    done
  done
}

# report MODE NUMERATOR DENOMINATOR: the mode's table and the ratio (DENOMINATOR may be absent)
report() {
  local mode="$1" num="$2" den="$3" i line
  echo
  echo "== mode $mode: $(mode_title "$mode")"
  awk -F'\t' -v mode="$mode" -v order="$(IFS=,; echo "${T_NAMES[*]}")" -v num="$num" -v den="$den" \
      -v csv="${RESULTS_CSV:-}" -v summary="$SUMMARY" '
    $1 == mode { key = $2; if ($4 == "NA") bad[key] = 1; else { tps[key] += $4; lat[key] += $5; n[key]++ }
                 if ($6 != "NA") { cpu[key] += $6; nc[key]++ } }
    function ok(k) { return n[k] > 0 && !(k in bad) }
    END {
      nt = split(order, t, ",")
      fmt = "%-16s %10s %16s %10s %14s\n"
      printf fmt, "target", "TPS", "avg latency ms", "vs direct", "CPU us/query"
      dt = ok("direct") ? tps["direct"] / n["direct"] : 0
      for (b = 1; b <= nt; b++) {
        k = t[b]
        if (!ok(k)) { printf fmt, k, "FAILED", "-", "-", "-"; if (csv != "") print mode "," k ",,," >> csv; continue }
        avg = tps[k] / n[k]; l = lat[k] / n[k]
        r = dt > 0 ? sprintf("%.2f", avg / dt) : "-"
        c = nc[k] > 0 ? sprintf("%.1f", cpu[k] / nc[k]) : "-"
        printf fmt, k, sprintf("%.0f", avg), sprintf("%.3f", l), r, c
        if (csv != "") printf "%s,%s,%.1f,%.3f,%s\n", mode, k, avg, l, r >> csv
      }
      if (den == "") exit
      if (ok(num) && ok(den)) {
        r = sprintf("%.2f", (tps[num] / n[num]) / (tps[den] / n[den]))
        printf "TPS ratio %s / %s: %s\n", num, den, r
        if (nc[num] > 0 && nc[den] > 0)
          printf "CPU per query %s / %s (user + system of the process, from /proc): %.2f\n", num, den,
            (cpu[num] / nc[num]) / (cpu[den] / nc[den])
        printf "%-6s %s / %s %s  (TPS %.0f / %.0f)\n", mode, num, den, r, tps[num] / n[num], tps[den] / n[den] >> summary
      } else {
        printf "TPS ratio %s / %s: not measured (a run failed)\n", num, den
        printf "%-6s %s / %s FAILED\n", mode, num, den >> summary
      }
    }' "$RESULTS"
  for i in "${!T_NAMES[@]}"; do
    [ -n "${T_LOGS[$i]}" ] || continue
    line="$(cache_stats "${T_LOGS[$i]}")"
    if [ -n "$line" ]; then
      echo "${T_NAMES[$i]} cache (whole run, warm-up included): $line"
    elif grep -q 'result cache on' "${T_LOGS[$i]}" 2>/dev/null; then
      echo "${T_NAMES[$i]} cache: no statistics line in its log"
    else
      echo "${T_NAMES[$i]} cache: off"
    fi
  done
}

mode_title() {
  case "$1" in
    scram) echo "pg_hba scram-sha-256, plaintext" ;;
    trust) echo "pg_hba trust, plaintext" ;;
    blind) echo "pg_hba scram-sha-256, SELECT on pg_catalog.pg_namespace revoked from PUBLIC in $DB" ;;
    tls) echo "ssl=on, hostssl scram-sha-256 only; sslmode=require on every leg, pgbench channel_binding=prefer, pgmemo --auth-file" ;;
  esac
}

echo "pgbench -S -M simple, scale $SCALE, $CLIENTS clients, $THREADS threads, ${DURATION}s per run," \
     "$ROUNDS round(s), warm-up ${WARMUP}s per target; PostgreSQL $SERVER_VERSION; $(nproc 2>/dev/null || echo '?') CPUs;" \
     "$(pgbench --version); pgmemo $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
[ -n "${RESULTS_CSV:-}" ] && echo "mode,target,tps,avg_latency_ms,ratio_to_direct" >"$RESULTS_CSV"

for mode in $MODES; do
  MDIR="$WORK/$mode"
  mkdir -p "$MDIR"
  T_NAMES=() T_PORTS=() T_LOGS=() T_PIDS=()
  if [ "$mode" = tls ] && [ -n "$TLS_WHY" ]; then
    echo
    echo "== mode tls: SKIPPED: $TLS_WHY"
    printf '%-6s SKIPPED (%s)\n' tls "$TLS_WHY" >>"$SUMMARY"
    continue
  fi
  log "mode $mode: $(mode_title "$mode")"
  configure_upstream "$mode"
  SSLMODE=disable CHANNEL_BINDING=prefer
  # libpq's default channel_binding=prefer for every target. A relayed SCRAM login cannot carry
  # channel binding with TLS on both legs (docs/tls.md), so in tls mode pgmemo, like PgBouncer,
  # checks the role's login itself with its SCRAM secret from pg_authid (--auth-file, docs/auth.md);
  # PgBouncer 1.18 offers no SCRAM-SHA-256-PLUS, pgmemo binds to its own certificate.
  [ "$mode" = tls ] && SSLMODE=require
  case "$mode" in
    scram|trust)
      add_target direct "$PG_PORT" ""
      add_pgmemo pgmemo --cache-file "$MDIR/cache.duckdb"
      [ -n "$BOUNCER" ] && start_pgbouncer "$mode"
      ;;
    blind)
      add_pgmemo pgmemo-cache --cache-file none
      add_pgmemo pgmemo-nocache --no-cache --cache-file none
      ;;
    tls)
      add_target direct "$PG_PORT" ""
      write_userlist "$MDIR/userlist.txt"
      add_pgmemo pgmemo --cache-file "$MDIR/cache.duckdb" --tls-cert "$WORK/certs/server.crt" \
        --tls-key "$WORK/certs/server.key" --client-tls require \
        --upstream-tls verify-full --upstream-tls-ca "$WORK/certs/ca.crt" --auth-file "$MDIR/userlist.txt"
      [ -n "$BOUNCER" ] && start_pgbouncer "$mode"
      ;;
  esac
  measure "$mode"
  stop_proxies # pgmemo logs its cache statistics when it stops
  case "$mode" in
    blind)
      report blind pgmemo-cache pgmemo-nocache
      warn="$(grep -m1 'catalog look-ups in database "'"$DB"'" fail' "$MDIR/pgmemo-cache.log" || true)"
      if [ -n "$warn" ]; then
        # shellcheck disable=SC2001 # a capture group: no ${var//} equivalent
        echo "pgmemo-cache log: $(sed 's/.*\(catalog look-ups in database "[^"]*" fail ([^)]*)\).*/\1/' <<<"$warn"); relayed uncached" \
          "($(grep -c 'catalog look-ups in database "'"$DB"'" fail' "$MDIR/pgmemo-cache.log") such WARN line(s))"
      else
        echo "CHECK FAILED: pgmemo-cache logged no 'catalog look-ups in database \"$DB\" fail' warning"
        ANY_FAILED=1
      fi
      ;;
    *)
      if [ -n "$BOUNCER" ]; then
        report "$mode" pgmemo pgbouncer
        echo "PgBouncer's login upstream: $BOUNCER_AUTH"
      else
        report "$mode" pgmemo ""
        echo "TPS ratio pgmemo / pgbouncer: not measured ($BOUNCER_WHY)"
        printf '%-6s pgmemo / pgbouncer not measured (%s)\n' "$mode" "$BOUNCER_WHY" >>"$SUMMARY"
      fi
      ;;
  esac
done

echo
echo "== summary (TPS ratios)"
cat "$SUMMARY"
[ -n "${RESULTS_CSV:-}" ] && log "CSV written to $RESULTS_CSV"

if [ "$ANY_FAILED" = 1 ]; then
  log "some runs or checks failed (see above)"
  exit 1
fi
