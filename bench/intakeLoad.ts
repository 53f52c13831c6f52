// The load generator of the `intake` bench in a process of its own (so the sandboxes' work does not delay
// its clock): `node --import tsx bench/intakeLoad.ts` with a JSON job on stdin: signed Trading Grid
// webhooks at a fixed rate, open-loop (each sent at its time whatever the answers before it). Prints the
// ack latencies (ms, sorted) as JSON.
import { Pool } from 'undici';
import { signTgEvent } from './signedEvents.ts';

interface LoadJob {
  url: string;
  secret: string;
  ratePerSec: number;
  seconds: number;
  tag: string;
  caseIds: string[];
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const job = JSON.parse(input) as LoadJob;
const total = Math.round(job.ratePerSec * job.seconds);
// Signed before the clock starts: the generator's own CPU is not in the window.
const signed = Array.from({ length: total }, (_, i) =>
  signTgEvent(
    {
      id: `evt-${job.tag}-${i}`,
      type: 'case.opened',
      occurred_at: new Date().toISOString(),
      data: { id: job.caseIds[i % job.caseIds.length]!, partner_id: i % 2 ? 'P-ACME' : 'P-GLOBEX' },
    },
    job.secret,
  ),
);
const pool = new Pool(job.url, { connections: 128 });
const lat: number[] = [];
const late: number[] = [];
let failed = 0;
const gap = 1000 / job.ratePerSec;
const start = performance.now();
const pending: Promise<void>[] = [];
for (let i = 0; i < total; i++) {
  const wait = start + i * gap - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  const s = signed[i]!;
  // Latency from when the request went out; how late the generator sent it is kept apart (its own delay).
  const t0 = performance.now();
  late.push(t0 - (start + i * gap));
  pending.push(
    pool
      .request({ method: 'POST', path: '/webhooks/tradinggrid', headers: s.headers, body: s.body })
      .then(async (r) => {
        await r.body.dump();
        if (r.statusCode >= 300) failed++;
        else lat.push(performance.now() - t0);
      })
      .catch(() => {
        failed++;
      }),
  );
}
await Promise.all(pending);
await pool.close();
lat.sort((a, b) => a - b);
late.sort((a, b) => a - b);
process.stdout.write(
  JSON.stringify({
    lat,
    failed,
    seconds: (performance.now() - start) / 1000,
    lateP99Ms: late[Math.floor(late.length * 0.99)] ?? 0,
  }),
);
