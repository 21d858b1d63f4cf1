# Helpers shared by the e2e scripts; source it after setting PYTHON.

# Prints a loopback TCP port that is free now (the kernel picks it).
free_port() {
  "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
