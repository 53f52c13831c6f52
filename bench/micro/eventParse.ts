// Micro-benchmark: the CPU cost per event of parsing a `tg.event` / `cu.event` payload at claim (the
// schemas in src/sync/engineJobs.ts) against the cast it replaced. In-process, interleaved rounds.
// node --import tsx bench/micro/eventParse.ts
import { engineJobs } from '../../src/sync/engineJobs.ts';

const tg = {
  id: 'evt_01HZX',
  type: 'case.updated',
  occurred_at: '2026-12-06T21:00:00.000Z',
  data: { id: 'C-1042', partner_id: 'P-7', status: 'in_review', changed: ['status'] },
};
const cu = {
  event: 'taskUpdated',
  webhook_id: 'wh-1',
  task_id: 'T-9',
  history_items: [
    {
      id: 'h1',
      field: 'status',
      date: '1796595774406',
      before: { status: 'open' },
      after: { status: 'review' },
      user: { id: 81, username: 'dora' },
    },
    {
      id: 'h2',
      field: 'comment',
      date: '1796595774407',
      user: { id: 81, username: 'dora' },
      comment: { id: 'c1', text_content: 'hi' },
    },
  ],
};

// Payloads are read from the jobs table's JSON text, so each run parses a fresh object (as the dispatcher does).
const tgText = JSON.stringify(tg);
const cuText = JSON.stringify(cu);
let sink = 0;
const cast = (text: string) => () => {
  const p = JSON.parse(text) as { id?: string };
  sink += p.id ? 1 : 0;
};
const parse = (text: string, schema: (typeof engineJobs)[keyof typeof engineJobs]) => () => {
  const r = schema.safeParse(JSON.parse(text));
  if (!r.success) throw new Error('does not parse');
  sink += 1;
};
const cases: Array<[string, () => void]> = [
  ['tg.event cast (old)', cast(tgText)],
  ['tg.event parse (new)', parse(tgText, engineJobs['tg.event'])],
  ['cu.event cast (old)', cast(cuText)],
  ['cu.event parse (new)', parse(cuText, engineJobs['cu.event'])],
];
const N = 20_000;
const ROUNDS = 15;
const samples = new Map<string, number[]>(cases.map(([n]) => [n, []]));
for (const [, f] of cases) for (let i = 0; i < N; i++) f(); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, f] of r % 2 ? [...cases].reverse() : cases) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) f();
    samples.get(name)!.push(Number(process.hrtime.bigint() - t0) / N);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, xs] of samples)
  console.log(
    `${name.padEnd(22)} median ${(median(xs) / 1000).toFixed(2)} µs/event  (min ${(Math.min(...xs) / 1000).toFixed(2)})`,
  );
console.log(`(sink ${sink})`);
