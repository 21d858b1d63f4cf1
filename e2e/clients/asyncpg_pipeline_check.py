"""asyncpg executemany of SELECTs through pgmemo and directly: a prepared statement, then a
Bind/Execute per argument row under one Sync (asyncpg discards the rows). Also an executemany whose
tenth row fails, to compare the error. Only these go through pgmemo, so that its cache hits during a
run are the pipelines'. Exits 1 if the two sides differ."""
import asyncio
import sys

import asyncpg

READ = "SELECT id, name, price, tags FROM e2e_pipelined WHERE id = $1"
FAILING = "SELECT 100 / ($1::int - 110) AS q"
KEYS = range(101, 201)


async def run(dsn):
    out = []
    conn = await asyncpg.connect(dsn)
    try:
        out.append(("executemany", await conn.executemany(READ, [(key,) for key in KEYS])))
        try:
            out.append(("failing executemany", await conn.executemany(FAILING, [(key,) for key in range(101, 121)])))
        except asyncpg.PostgresError as e:
            out.append(("failing executemany", type(e).__name__, e.sqlstate, str(e)))
        out.append(("executemany after the error", await conn.executemany(READ, [(key,) for key in KEYS])))
    finally:
        await conn.close()
    return out


async def main():
    proxied = await run(sys.argv[1])
    direct = await run(sys.argv[2])
    if proxied != direct:
        for p, d in zip(proxied, direct):
            if p != d:
                print(f"asyncpg executemany: differs:\n  proxy:  {p!r}\n  direct: {d!r}")
        sys.exit(1)
    if direct[1][0:3] != ("failing executemany", "DivisionByZeroError", "22012"):
        print(f"asyncpg executemany: expected division by zero, directly: {direct[1]!r}")
        sys.exit(1)
    print(f"asyncpg {asyncpg.__version__}: executemany of {len(KEYS)} SELECTs identical through pgmemo and directly")


asyncio.run(main())
