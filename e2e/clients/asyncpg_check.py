"""asyncpg through pgmemo and directly: prepared statements, binary results (asyncpg's default), a
cursor inside a transaction and executemany. Exits 1 if the two sides differ."""
import asyncio
import sys

import asyncpg

READ = "SELECT id, name, price, tags, created, payload FROM e2e_clients WHERE id = $1"


async def run(dsn, tag):
    out = []
    conn = await asyncpg.connect(dsn)
    try:
        statement = await conn.prepare(READ)
        for _ in range(3):
            for key in (1, 2, 3):
                out.append(("prepared", key, [tuple(r) for r in await statement.fetch(key)]))
        for _ in range(3):
            rows = await conn.fetch("SELECT count(*), sum(price) FROM e2e_clients WHERE price > $1", 1)
            out.append(("fetch", [tuple(r) for r in rows]))
        async with conn.transaction():
            rows = [tuple(r) async for r in conn.cursor("SELECT id, name FROM e2e_clients ORDER BY id", prefetch=2)]
            out.append(("cursor", rows))
        await conn.executemany("INSERT INTO e2e_writes (tag, n) VALUES ($1, $2)", [(tag, 1), (tag, 2), (tag, 3)])
        out.append(("read your writes", await conn.fetchval("SELECT sum(n) FROM e2e_writes WHERE tag = $1", tag)))
    finally:
        await conn.close()
    return out


async def main():
    proxied = await run(sys.argv[1], "asyncpg-proxy")
    direct = await run(sys.argv[2], "asyncpg-direct")
    if proxied != direct:
        for p, d in zip(proxied, direct):
            if p != d:
                print(f"asyncpg: differs:\n  proxy:  {p!r}\n  direct: {d!r}")
        sys.exit(1)
    print(f"asyncpg {asyncpg.__version__}: {len(proxied)} results identical through pgmemo and directly")


asyncio.run(main())
