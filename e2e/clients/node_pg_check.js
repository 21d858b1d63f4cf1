// node-postgres through pgmemo and directly: parameterized queries, named statements and rowMode
// array. Exits 1 if the two sides differ.
const { Client } = require('pg');

const READ = 'SELECT id, name, price, tags, created, payload FROM e2e_clients WHERE id = $1';

async function run(connectionString, tag) {
  const client = new Client({ connectionString });
  await client.connect();
  const out = [];
  try {
    for (let round = 0; round < 3; round++) {
      for (const key of [1, 2, 3]) {
        out.push(['parameterized', key, (await client.query(READ, [key])).rows]);
        out.push(['named', key, (await client.query({ name: 'read-by-id', text: READ, values: [key] })).rows]);
        out.push(['array', key, (await client.query({ text: READ, values: [key], rowMode: 'array' })).rows]);
      }
    }
    await client.query('INSERT INTO e2e_writes (tag, n) VALUES ($1, $2)', [tag, 5]);
    out.push(['read your write', (await client.query('SELECT sum(n) FROM e2e_writes WHERE tag = $1', [tag])).rows]);
  } finally {
    await client.end();
  }
  return out;
}

(async () => {
  const proxied = JSON.stringify(await run(process.argv[2], 'node-proxy'));
  const direct = JSON.stringify(await run(process.argv[3], 'node-direct'));
  if (proxied !== direct) {
    console.log(`node-postgres: differs:\n  proxy:  ${proxied}\n  direct: ${direct}`);
    process.exit(1);
  }
  const { version } = require('pg/package.json');
  console.log(`node-postgres ${version}: ${JSON.parse(proxied).length} results identical through pgmemo and directly`);
})().catch((e) => { console.error(e); process.exit(2); });
