import { expect, it } from 'vitest';
import { anyJob } from '../../test/helpers/anyJob.ts';
import { storesUnderTest } from '../../test/helpers/pgStore.ts';
import { Dispatcher } from './dispatcher.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';
import { readDbClock } from '../store/dbClock.ts';

// Leases run on the database's clock: a worker whose own clock is minutes off must neither
// reclaim another worker's live lease (clock ahead) nor take a lease that is already over for everyone
// else (clock behind). On the worker's clock both of these happen.
const { describeStores, make } = await storesUnderTest('src/sync/dispatcher.leaseClock.test.ts');

const SKEW = 10 * 60_000;
const LEASE = 30_000;

describeStores('leases on the database clock (%s)', (kind) => {
  const dispatcher = (
    t: Awaited<ReturnType<typeof make>>,
    workerId: string,
    skew: number,
    run: () => Promise<unknown>,
  ) =>
    new Dispatcher(t.store, new Map([['k', async () => (await run(), { status: 'done' as const })]]), {
      concurrency: 1,
      leaseMs: LEASE,
      pollMs: 10,
      backoffBaseMs: 10,
      backoffMaxMs: 100,
      workerId,
      now: () => Date.now() + skew,
    });

  it('a worker whose clock is ahead does not reclaim a live lease', async () => {
    const t = await make(kind);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let runs = 0;
    const b = dispatcher(t, 'honest', 0, async () => {
      runs++;
      await held;
    });
    const a = dispatcher(t, 'ahead', SKEW, async () => {
      runs++;
    });
    await enqueueJobs(t.store.db, [anyJob({ kind: 'k', key: 'j', payload: {} })], Date.now() - 1000);
    const honest = b.runUntilIdle();
    await expect.poll(() => runs, { timeout: 5000, interval: 10 }).toBe(1);
    // 'ahead' reads "now" as 10 minutes later, far past the 30 s lease; the database says it is live.
    expect(await a.runUntilIdle()).toBe(0);
    const row = await t.store.db
      .selectFrom('jobs')
      .select(['state', 'locked_by', 'attempts', 'crashes'])
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'running', locked_by: 'honest', attempts: 1 });
    expect(Number(row.crashes)).toBe(0);
    release();
    await honest;
    expect(runs).toBe(1);
    expect((await t.store.db.selectFrom('jobs').select('state').executeTakeFirstOrThrow()).state).toBe('done');
  });

  it('a worker whose clock is behind takes a lease that lasts its length on the database clock', async () => {
    const t = await make(kind);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let runs = 0;
    const behind = dispatcher(t, 'behind', -SKEW, async () => {
      runs++;
      await held;
    });
    const honest = dispatcher(t, 'honest', 0, async () => {
      runs++;
    });
    // Due for both workers (run_at is compared with each worker's own now, as enqueued).
    await enqueueJobs(t.store.db, [anyJob({ kind: 'k', key: 'j', payload: {} })], Date.now() - 2 * SKEW);
    const before = await readDbClock(t.store.db);
    const running = behind.runUntilIdle();
    await expect.poll(() => runs, { timeout: 5000, interval: 10 }).toBe(1);
    const after = await readDbClock(t.store.db);
    const until = Number(
      (await t.store.db.selectFrom('jobs').select('locked_until').executeTakeFirstOrThrow()).locked_until,
    );
    expect(until).toBeGreaterThanOrEqual(before + LEASE);
    expect(until).toBeLessThanOrEqual(after + LEASE);
    // An honest worker sees a live lease, not one that ran out ten minutes ago.
    expect(await honest.runUntilIdle()).toBe(0);
    expect(runs).toBe(1);
    release();
    await running;
    expect((await t.store.db.selectFrom('jobs').select('state').executeTakeFirstOrThrow()).state).toBe('done');
  });

  it('the database clock reads as epoch milliseconds', async () => {
    const t = await make(kind);
    const before = Date.now();
    const db = await readDbClock(t.store.db);
    expect(Math.abs(db - before)).toBeLessThan(5_000); // same host: the test server's clock is this machine's
  });
});
