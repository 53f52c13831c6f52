// The lease check before each external write: one read of the job's row (src/store/ops/holdsLease.ts), made by
import { anyJobs } from '../test/helpers/anyJob.ts';
// the dispatcher's `checkLease` before every remote call a handler makes (core/jobSignal.ts). Measured in
// process, on SQLite (a temp file, WAL) and PostgreSQL (loopback): wall-clock and this process's CPU per check,
// one check at a time (a lone handler) and 8 at once (the default concurrency), beside a bare `SELECT 1`
// round trip for scale. `npm run bench -- lease-check`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openMigratedStore, type Store } from '../src/store/db.ts';
import { enqueueJobs } from '../src/store/ops/enqueueJobs.ts';
import { claimJobs } from '../src/store/ops/claimJobs.ts';
import { holdsLease } from '../src/store/ops/holdsLease.ts';
import { createPgDatabase } from '../test/helpers/pgStore.ts';
import { round } from './stats.ts';

interface Figures {
  us_per_check_sequential: number;
  cpu_us_per_check_sequential: number;
  us_per_check_8_concurrent: number;
  us_per_select_1: number;
  checks: number;
}

async function time(n: number, fn: () => Promise<unknown>): Promise<{ us: number; cpuUs: number }> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn();
  const c = process.cpuUsage(c0);
  return { us: Number(process.hrtime.bigint() - t0) / 1000 / n, cpuUs: (c.user + c.system) / n };
}

async function measure(store: Store, n: number): Promise<Figures> {
  const jobs = Array.from({ length: 8 }, (_, i) => ({ kind: 'bench.k', key: `k${i}`, payload: {} }));
  await enqueueJobs(store.db, anyJobs(jobs), Date.now() - 1000);
  // A busy jobs table around them, so the read is not on a 8-row table.
  const filler = Array.from({ length: 5000 }, (_, i) => ({ kind: 'bench.f', key: `f${i}`, payload: {} }));
  for (let i = 0; i < filler.length; i += 500)
    await enqueueJobs(store.db, anyJobs(filler.slice(i, i + 500)), Date.now() + 86_400_000);
  const claimed = await claimJobs(store.db, store.dialect, 'w-bench', 8, 60_000, Date.now(), 'db');
  const ids = claimed.map((j) => j.id);
  const check = (id: number) => holdsLease(store.db, id, 'w-bench', 'db');
  if (!(await check(ids[0]!))) throw new Error('the bench job is not held');
  await time(Math.min(200, n), () => check(ids[0]!)); // warm-up
  const seq = await time(n, () => check(ids[0]!));
  const t0 = process.hrtime.bigint();
  const rounds = Math.ceil(n / 8);
  for (let r = 0; r < rounds; r++) await Promise.all(ids.map((id) => check(id)));
  const conc = Number(process.hrtime.bigint() - t0) / 1000 / (rounds * ids.length);
  const one = await time(n, () => sql`SELECT 1`.execute(store.db));
  return {
    us_per_check_sequential: round(seq.us, 1),
    cpu_us_per_check_sequential: round(seq.cpuUs, 1),
    us_per_check_8_concurrent: round(conc, 1),
    us_per_select_1: round(one.us, 1),
    checks: n,
  };
}

export async function run(o: { n?: number } = {}): Promise<object> {
  const n = o.n ?? 5000;
  const dir = mkdtempSync(join(tmpdir(), 'gb-bench-lease-'));
  const out: Record<string, Figures | { skipped: string }> = {};
  try {
    const s = await openMigratedStore(`sqlite:${join(dir, 'b.db')}`);
    try {
      out.sqlite = await measure(s, n);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  let db: Awaited<ReturnType<typeof createPgDatabase>> | null = null;
  try {
    db = await createPgDatabase();
    const s = await openMigratedStore(db.url);
    try {
      out.postgres = await measure(s, n);
    } finally {
      await s.close();
    }
  } catch (e) {
    out.postgres = { skipped: (e as Error).message };
  } finally {
    await db?.drop().catch(() => undefined);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
