"""psycopg 3 through pgmemo and directly: prepared statements (prepare=True), binary results and
pipeline mode. Prints the results' digest; exits 1 if the two sides differ."""
import sys

import psycopg

READ = "SELECT id, name, price, tags, created, payload FROM e2e_clients WHERE id = %s"


def run(conninfo, tag):
    out = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for _ in range(3):
            for key in (1, 2, 3):
                cur = conn.execute(READ, (key,), prepare=True, binary=True)
                out.append(("prepared binary", key, cur.fetchall()))
        for _ in range(3):
            cur = conn.execute("SELECT count(*), sum(price) FROM e2e_clients WHERE price > %s", (1,))
            out.append(("text", cur.fetchall()))
        with conn.pipeline():
            cursors = [conn.execute(READ, (key,)) for key in (1, 2, 3, 1, 2, 3)]
            conn.execute("INSERT INTO e2e_writes (tag, n) VALUES (%s, %s)", (tag, 1))
            cursors.append(conn.execute("SELECT sum(n) FROM e2e_writes WHERE tag = %s", (tag,)))
        out.extend(("pipeline", cur.fetchall()) for cur in cursors)
        cur = conn.execute("SELECT sum(n) FROM e2e_writes WHERE tag = %s", (tag,), binary=True)
        out.append(("read your write", cur.fetchall()))
    return out


def main():
    proxied = run(sys.argv[1], "psycopg-proxy")
    direct = run(sys.argv[2], "psycopg-direct")
    if proxied != direct:
        for p, d in zip(proxied, direct):
            if p != d:
                print(f"psycopg3: differs:\n  proxy:  {p!r}\n  direct: {d!r}")
        sys.exit(1)
    print(f"psycopg3 {psycopg.__version__}: {len(proxied)} results identical through pgmemo and directly")


main()
