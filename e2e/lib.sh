# Helpers shared by the e2e scripts; source it after setting PYTHON.

# A port that nothing listens on, in 20000-31999: below the kernel's ephemeral range (32768 up), so
# that no outgoing connection takes it before the server binds it.
free_port() {
  "$PYTHON" -c '
import random, socket
for _ in range(500):
    port = random.randint(20000, 31999)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("no free port in 20000-31999")'
}
