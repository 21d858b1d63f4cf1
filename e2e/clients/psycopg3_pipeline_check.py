"""psycopg 3 pipeline mode through pgmemo and directly: one conn.pipeline() of cacheable SELECTs,
so many Parse/Bind/Describe/Execute units under one Sync. Only pipelined reads go through pgmemo, so
that its cache hits during a run are the pipeline's. Exits 1 if the two sides differ."""
import sys

import psycopg

READ = "SELECT id, name, price, tags FROM e2e_pipelined WHERE id = %s"
KEYS = range(1, 41)


def run(conninfo):
    with psycopg.connect(conninfo, autocommit=True) as conn:
        with conn.pipeline():
            cursors = [conn.execute(READ, (key,)) for key in KEYS]
        return [cur.fetchall() for cur in cursors]


def main():
    proxied = run(sys.argv[1])
    direct = run(sys.argv[2])
    if proxied != direct:
        for key, p, d in zip(KEYS, proxied, direct):
            if p != d:
                print(f"psycopg3 pipeline: id {key} differs:\n  proxy:  {p!r}\n  direct: {d!r}")
        sys.exit(1)
    if sum(len(rows) for rows in direct) != len(KEYS):
        print(f"psycopg3 pipeline: expected one row per key, got {direct!r}")
        sys.exit(1)
    print(f"psycopg3 {psycopg.__version__}: a pipeline of {len(KEYS)} SELECTs identical through pgmemo and directly")


main()
