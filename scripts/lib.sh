# shellcheck shell=bash
# Helpers shared by the scripts of bench/ and e2e/ (sourced, not run).

# A TCP connection to 127.0.0.1:$1 succeeds.
port_open_local() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# Some socket has local port $1 (ss), or something listens on it.
port_used() {
  if command -v ss >/dev/null 2>&1 && [ -n "$(ss -Htan "sport = :$1" 2>/dev/null)" ]; then
    return 0
  fi
  port_open_local "$1"
}

# Prints a port in 20000-31999 that nothing uses and that is none of "$@" (ports picked, not yet
# bound). Below the kernel's ephemeral range (32768 up), so that no outgoing connection takes it
# between this check and the server's bind, as one did once (bind: Address already in use).
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
