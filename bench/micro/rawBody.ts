// Micro-benchmark: CPU per webhook-sized POST of reading its body, through the web Request Hono builds
// (`c.req.raw.body`, what readRawBody did) against the Node request underneath (`c.env.incoming`, what it
// does now). Both servers and the client share this process, so the figure is the whole process's CPU per
// request; the client's share is the same on both sides, and the rounds alternate (the machine is shared).
// node --import tsx bench/micro/rawBody.ts
import { loadavg } from 'node:os';
import { Hono, type Context } from 'hono';
import { Pool } from 'undici';
import { listen } from '../../src/server/listen.ts';
import { readRawBody } from '../../src/server/rawBody.ts';

/** The previous reading: the web stream of the Request @hono/node-server makes on first access to `.body`. */
async function viaWebStream(c: Context): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const reader = c.req.raw.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

function app(read: (c: Context) => Promise<Buffer>): Hono {
  const a = new Hono();
  a.post('/w', async (c) => c.json({ accepted: true, bytes: (await read(c)).length }, 202));
  return a;
}

const body = JSON.stringify({
  id: 'evt-bench-1',
  type: 'case.opened',
  occurred_at: new Date().toISOString(),
  data: { id: 'C-000123', partner_id: 'P-ACME' },
});

async function round(url: string, n: number): Promise<number> {
  const pool = new Pool(url, { connections: 32 });
  let next = 0;
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next++ < n) {
        const r = await pool.request({
          method: 'POST',
          path: '/w',
          headers: { 'content-type': 'application/json' },
          body,
        });
        await r.body.dump();
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  await pool.close();
  return (cpu.user + cpu.system) / 1000 / n;
}

const web = await listen(app(viaWebStream), '127.0.0.1', 0);
const node = await listen(
  app(async (c) => {
    const r = await readRawBody(c, 1 << 20);
    if (!r.ok) throw new Error(r.error);
    return r.body;
  }),
  '127.0.0.1',
  0,
);
const n = Number(process.env.N ?? 5000);
const rounds = Number(process.env.ROUNDS ?? 6);
await round(web.url, 1000);
await round(node.url, 1000);
const a: number[] = [];
const b: number[] = [];
for (let i = 0; i < rounds; i++) {
  a.push(await round(web.url, n));
  b.push(await round(node.url, n));
}
const med = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
process.stdout.write(
  `${JSON.stringify({ n, rounds, cpu_ms_per_request: { web_stream: med(a), node_request: med(b) }, web: a, node: b, load_average: loadavg() }, null, 1)}\n`,
);
await web.close();
await node.close();
