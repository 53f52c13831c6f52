// Micro-benchmark: the PostgreSQL webhook intake's store write alone (recordInboundEvent on a store's db, as the
// webhook routes call it), open loop at a fixed rate, without HTTP or signatures: latency from hand-in to answer,
// statements sent per event (every pg query of this process counted), commits per event (pg_stat_database), with
// and without 64 concurrent queries of a stand-in dispatcher on the store's pool. Configurations run interleaved,
// round after round (the machine is shared): the current code, and with PGI_COMPARE_ROOT=<another checkout> that
// checkout's code (e.g. the commit before a change) at several pool sizes.
// node --import tsx bench/micro/pgIntake.ts   (PGI_RATE=500 PGI_SECONDS=4 PGI_ROUNDS=2)
import { loadavg } from 'node:os';
import pg from 'pg';
import { sql } from 'kysely';
import { anyJob } from '../../test/helpers/anyJob.ts';
import { createPgDatabase } from '../../test/helpers/pgStore.ts';
import { percentile, round } from '../stats.ts';

const here = new URL('../..', import.meta.url).pathname;
const rate = Number(process.env.PGI_RATE ?? 500);
const seconds = Number(process.env.PGI_SECONDS ?? 4);
const rounds = Number(process.env.PGI_ROUNDS ?? 2);

interface Code {
  openMigratedStore: typeof import('../../src/store/db.ts').openMigratedStore;
  recordInboundEvent: typeof import('../../src/store/ops/recordInboundEvent.ts').recordInboundEvent;
}
async function codeAt(root: string): Promise<Code> {
  const db = (await import(`${root}/src/store/db.ts`)) as typeof import('../../src/store/db.ts');
  const rec = (await import(
    `${root}/src/store/ops/recordInboundEvent.ts`
  )) as typeof import('../../src/store/ops/recordInboundEvent.ts');
  return { openMigratedStore: db.openMigratedStore, recordInboundEvent: rec.recordInboundEvent };
}

// Every statement this process sends, whichever checkout's store sends it.
let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

async function commits(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(
      'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(r.rows[0]!.n);
  } finally {
    await c.end();
  }
}

async function measure(code: Code, poolMax: number, hog: boolean, tag: string) {
  const pgDb = await createPgDatabase();
  const store = await code.openMigratedStore(pgDb.url, { poolMax });
  let hogging = hog;
  // A stand-in for the dispatcher's 64 workers: each keeps one short query on the pool at all times.
  const hogs = hog
    ? Array.from({ length: 64 }, async () => {
        while (hogging) await sql`SELECT pg_sleep(0.002)`.execute(store.db);
      })
    : [];
  try {
    const total = Math.round(rate * seconds);
    const gap = 1000 / rate;
    const lat: number[] = [];
    let failed = 0;
    const c0 = await commits(pgDb.url);
    const s0 = statements;
    const pending: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = start + i * gap - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const id = `evt-${tag}-${i}`;
      const caseId = `C-${i % 500}`;
      const t0 = performance.now();
      pending.push(
        code
          .recordInboundEvent(
            store.db,
            {
              source: 'tradinggrid',
              eventId: id,
              type: 'case.opened',
              payload: { id, type: 'case.opened', occurred_at: new Date().toISOString(), data: { id: caseId } },
            },
            anyJob({ kind: 'tg.event', key: `tg.event:${id}`, queueKey: `tg:${caseId}`, payload: { id } }),
            Date.now(),
          )
          .then(
            () => void lat.push(performance.now() - t0),
            () => void failed++,
          ),
      );
    }
    await Promise.all(pending);
    const s1 = statements;
    hogging = false;
    await Promise.all(hogs);
    // pg_stat_database is flushed by each backend at most once a second.
    await new Promise((r) => setTimeout(r, 1500));
    const c1 = await commits(pgDb.url);
    lat.sort((a, b) => a - b);
    return {
      p50_ms: round(percentile(lat, 50)),
      p99_ms: round(percentile(lat, 99)),
      max_ms: round(lat[lat.length - 1] ?? NaN),
      failed,
      // With the stand-in dispatcher its own statements and commits are counted too: read these without it.
      statements_per_event: hog ? null : round((s1 - s0) / total),
      commits_per_event: hog ? null : round((c1 - c0 - 2) / total),
    };
  } finally {
    hogging = false;
    await store.close();
    await pgDb.drop();
  }
}

const configs: Array<{ name: string; root: string; poolMax: number; hog: boolean }> = [];
const other = process.env.PGI_COMPARE_ROOT;
for (const hog of [false, true]) {
  if (other)
    for (const poolMax of [4, 10, 20]) configs.push({ name: `compared pool ${poolMax}`, root: other, poolMax, hog });
  configs.push({ name: 'current pool 10', root: here, poolMax: 10, hog });
}
const codes = new Map<string, Code>();
for (const c of configs) if (!codes.has(c.root)) codes.set(c.root, await codeAt(c.root));
const runs: Array<Record<string, unknown>> = [];
for (let r = 0; r < rounds; r++)
  for (const c of configs) {
    const row = {
      config: c.name,
      dispatcher_stand_in: c.hog,
      round: r,
      ...(await measure(codes.get(c.root)!, c.poolMax, c.hog, `${r}-${runs.length}`)),
      load_average_1m: round(loadavg()[0]!),
    };
    runs.push(row);
    process.stderr.write(`${JSON.stringify(row)}\n`);
  }
process.stdout.write(`${JSON.stringify({ rate, seconds, rounds, compared: other ?? null, runs }, null, 2)}\n`);
process.exit(0);
