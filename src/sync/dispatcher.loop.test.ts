import { afterEach, describe, expect, it } from 'vitest';
import { anyJob } from '../../test/helpers/anyJob.ts';
import { Dispatcher, type DispatcherOptions, type JobHandler } from './dispatcher.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { throughout, until } from '../../test/helpers/until.ts';

// The claim loop: how many jobs it starts and when (batches of a quarter of the slots, a wake-up), one loop
// however often start() is called, a stop() that does not wait out the poll interval, runUntilIdle's count.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(handlers: Record<string, JobHandler>, opts: Partial<DispatcherOptions> = {}) {
  const tmp = await tempSqliteStore();
  cleanups.push(() => tmp.cleanup());
  const d = new Dispatcher(tmp.store, new Map(Object.entries(handlers)), {
    concurrency: 8,
    leaseMs: 30_000,
    pollMs: 10,
    backoffBaseMs: 10,
    backoffMaxMs: 20,
    shutdownDeadlineMs: 100,
    ...opts,
  });
  cleanups.push(() => d.stop());
  const enqueue = (n: number, queueKey?: string) =>
    enqueueJobs(
      tmp.store.db,
      Array.from({ length: n }, (_, i) =>
        anyJob({ kind: 'k', key: `j${i}`, payload: { i }, queueKey: queueKey ?? null }),
      ),
      Date.now(),
    );
  return { store: tmp.store, d, enqueue };
}

/** A handler whose runs wait until released one at a time, in the order they started. */
function gate(): { handler: JobHandler; started: () => number; releaseOne: () => void; releaseAll: () => void } {
  const waiting: Array<() => void> = [];
  let started = 0;
  return {
    handler: () => {
      started++;
      return new Promise((r) => waiting.push(() => r({ status: 'done' })));
    },
    started: () => started,
    releaseOne: () => waiting.shift()!(),
    releaseAll: () => {
      for (const r of waiting.splice(0)) r();
    },
  };
}

describe('the claim loop', () => {
  it('with 8 slots it claims in batches of 2: one free slot waits for a second, unless new work was announced', async () => {
    const g = gate();
    const w = await setup({ k: g.handler });
    await w.enqueue(12);
    w.d.start();
    await until('8 jobs to start', () => g.started() === 8);
    await throughout('no 9th while every slot is taken', () => g.started() === 8, 300);
    g.releaseOne();
    await throughout('no claim for one free slot', () => g.started() === 8, 500);
    g.releaseOne();
    await until('two more jobs to start', () => g.started() === 10, 5_000);
    await throughout('exactly two', () => g.started() === 10, 300);
    // Woken (new work announced) while full: the next free slot is claimed without waiting for a second.
    w.d.wake();
    g.releaseOne();
    await until('a job to start in the one free slot', () => g.started() === 11, 5_000);
    g.releaseAll();
    await until('the last job to start', () => g.started() === 12, 5_000);
    g.releaseAll();
  });

  it('start() twice runs one loop: one slot is never exceeded', async () => {
    const g = gate();
    const w = await setup({ k: g.handler }, { concurrency: 1 });
    await w.enqueue(3);
    w.d.start();
    w.d.start();
    await until('a job to start', () => g.started() === 1);
    await throughout('one job at a time', () => g.started() === 1 && w.d.inFlightCount === 1, 500);
    g.releaseOne();
    await until('the next job to start', () => g.started() === 2);
    await throughout('one job at a time', () => g.started() === 2 && w.d.inFlightCount === 1, 300);
    g.releaseOne();
    await until('the last job to start', () => g.started() === 3);
    g.releaseOne();
  });

  it('stop() of an idle dispatcher returns at once, not at the end of its poll interval', async () => {
    const w = await setup({}, { pollMs: 60_000 });
    w.d.start();
    const stopped = w.d.stop().then(() => true);
    expect(await Promise.race([stopped, new Promise<false>((r) => setTimeout(() => r(false), 10_000))])).toBe(true);
  });

  it('runUntilIdle returns how many jobs it ran, and runs at most maxRounds rounds of claims', async () => {
    const w = await setup({ k: async () => ({ status: 'done' }) });
    // One queue key: a job is claimable only once the one before it is done, so each round runs one.
    await w.enqueue(3, 'q');
    expect(await w.d.runUntilIdle(2)).toBe(2);
    expect(await w.d.runUntilIdle()).toBe(1);
    expect(await w.d.runUntilIdle()).toBe(0);
  });

  it('each dispatcher gets its own worker id unless given one', async () => {
    const tmp = await tempSqliteStore();
    cleanups.push(() => tmp.cleanup());
    const opts = { concurrency: 1, leaseMs: 1000, pollMs: 10, backoffBaseMs: 1, backoffMaxMs: 1 };
    const a = new Dispatcher(tmp.store, new Map(), opts);
    const b = new Dispatcher(tmp.store, new Map(), opts);
    expect(a.workerId).toMatch(/^w-[0-9a-f]{8}$/);
    expect(b.workerId).toMatch(/^w-[0-9a-f]{8}$/);
    expect(a.workerId).not.toBe(b.workerId);
    expect(new Dispatcher(tmp.store, new Map(), { ...opts, workerId: 'mine' }).workerId).toBe('mine');
  });
});
