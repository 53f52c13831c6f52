import { describe, expect, it, vi } from 'vitest';
import type { Logger } from 'pino';
import { anyJob } from '../../test/helpers/anyJob.ts';
import { Dispatcher, type DispatcherOptions, type JobHandler } from './dispatcher.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';
import { claimJobs } from '../store/ops/claimJobs.ts';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { sqliteDispatchers } from '../../test/helpers/sqliteDispatcher.ts';
import { throughout, until } from '../../test/helpers/until.ts';

// The claim loop: how many jobs it starts and when (batches of a quarter of the slots, a wake-up), one loop
// however often start() is called, a stop() that does not wait out the poll interval, runUntilIdle's count.
// Also when an idle or nearly full loop wakes (a wake-up, a finishing job, the poll), the lease upkeep's period,
// and what a stop says.

const dispatchers = sqliteDispatchers();
const { cleanups } = dispatchers;

async function setup(handlers: Record<string, JobHandler>, opts: Partial<DispatcherOptions> = {}) {
  const w = await dispatchers.setup(handlers, opts);
  /** `n` jobs of kind 'k', keys j0, j1, …, in one queue key if given one. */
  const enqueue = (n: number, queueKey?: string) =>
    w.enqueue(
      'k',
      Array.from({ length: n }, (_, i) => `j${i}`),
      queueKey ? { queueKey } : {},
    );
  return { ...w, enqueue };
}

/** A logger that keeps each message it is given, by level. */
function messages(): { logger: Logger; warn: string[]; error: string[] } {
  const warn: string[] = [];
  const error: string[] = [];
  const logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (_: unknown, msg: string) => warn.push(msg),
    error: (_: unknown, msg: string) => error.push(msg),
  };
  return { logger: logger as unknown as Logger, warn, error };
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

  it('new work announced while fewer slots than a batch are free is claimed at once, not when a job finishes', async () => {
    const g = gate();
    // 8 slots, batches of 2: with 7 jobs running the one free slot waits for a second one, unless woken.
    const w = await setup({ k: g.handler }, { pollMs: 10 });
    await w.enqueue(7);
    w.d.start();
    await until('7 jobs to start', () => g.started() === 7);
    await enqueueJobs(w.store.db, [anyJob({ kind: 'k', key: 'late', payload: {} })], Date.now());
    await throughout('no claim for one free slot without a wake-up', () => g.started() === 7, 300);
    w.d.wake();
    // None of the 7 finishes: the wake-up alone must start it.
    await until('the announced job to start', () => g.started() === 8, 5_000);
    g.releaseAll();
    await until('every job to finish', async () => (await w.job('late')).state === 'done');
  });

  it('with a batch of slots free and jobs running, a job enqueued without a wake-up starts at the next poll', async () => {
    const g = gate();
    const w = await setup({ k: g.handler }, { pollMs: 10 });
    await w.enqueue(6);
    w.d.start();
    await until('6 jobs to start', () => g.started() === 6);
    await enqueueJobs(w.store.db, [anyJob({ kind: 'k', key: 'late', payload: {} })], Date.now());
    // None of the 6 finishes: the poll alone must find it.
    await until('the new job to start', () => g.started() === 7, 5_000);
    g.releaseAll();
    await until('the new job to finish', async () => (await w.job('late')).state === 'done');
  });

  it('a job that finishes wakes the idle loop: the next job of its queue key starts at once, not a poll later', async () => {
    const g = gate();
    const w = await setup({ k: g.handler }, { pollMs: 60_000 });
    await w.enqueue(2, 'q');
    w.d.start();
    await until('the first job to start', () => g.started() === 1);
    await throughout('the second waits for the first', () => g.started() === 1, 200);
    g.releaseOne();
    await until('the second job to start', () => g.started() === 2, 5_000);
    g.releaseOne();
    await until('both to finish', async () => (await w.job('j1')).state === 'done');
  });

  it('stop() of a full dispatcher whose handlers hang returns after its grace, the jobs handed back', async () => {
    const g = gate();
    // Every slot taken (the loop waits for a job to finish), and none ever does.
    const w = await setup({ k: g.handler }, { concurrency: 2, shutdownDeadlineMs: 100 });
    await w.enqueue(2);
    w.d.start();
    await until('both jobs to start', () => g.started() === 2);
    const stopped = w.d.stop().then(() => true);
    expect(await Promise.race([stopped, new Promise<false>((r) => setTimeout(() => r(false), 10_000))])).toBe(true);
    for (const key of ['j0', 'j1']) expect((await w.job(key)).state).toBe('ready');
  });

  it('a stop with nothing left running says nothing about jobs handed back', async () => {
    const g = gate();
    const m = messages();
    const w = await setup({ k: g.handler }, { logger: m.logger, shutdownDeadlineMs: 20_000 });
    await w.enqueue(1);
    w.d.start();
    await until('the job to start', () => g.started() === 1);
    const stopped = w.d.stop();
    g.releaseAll();
    await stopped;
    expect((await w.job('j0')).state).toBe('done');
    // An idle dispatcher's stop, too.
    const idle = await setup({}, { logger: m.logger, shutdownDeadlineMs: 20_000 });
    idle.d.start();
    await idle.d.stop();
    expect(m.warn).toEqual([]);
  });

  it('the lease upkeep renews every leaseMs / 3 (not every second), says nothing when it reclaimed nothing, and ends with stop()', async () => {
    // The upkeep's interval on a test clock; everything else (the loop's poll, the store) runs on real time.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    cleanups.push(async () => void vi.useRealTimers());
    const clock = { t: Date.now() };
    const g = gate();
    const m = messages();
    const w = await setup(
      { k: g.handler },
      { leaseMs: 30_000, leaseClock: 'worker', now: () => clock.t, logger: m.logger },
    );
    await enqueueJobs(w.store.db, [anyJob({ kind: 'k', key: 'j0', payload: {} })], clock.t);
    w.d.start();
    await until('the job to start', () => g.started() === 1);
    const lease = async () => Number((await w.job('j0')).locked_until);
    const first = await lease();
    expect(first).toBe(clock.t + 30_000);
    clock.t += 5_000;
    vi.advanceTimersByTime(9_999);
    await throughout('no renewal before 10 s', async () => (await lease()) === first, 300);
    vi.advanceTimersByTime(1);
    await until('the renewal', async () => (await lease()) === clock.t + 30_000);
    await throughout('nothing reclaimed, nothing said', () => m.warn.length === 0, 300);
    g.releaseAll();
    await until('the job to finish', async () => (await w.job('j0')).state === 'done');
    await w.d.stop();
    // A job whose worker died after our stop: the stopped dispatcher's upkeep does not take it back.
    await enqueueJobs(w.store.db, [anyJob({ kind: 'k', key: 'orphan', payload: {} })], clock.t);
    expect(await claimJobs(w.store.db, 'sqlite', 'dead-worker', 1, 1, clock.t)).toHaveLength(1);
    clock.t += 60_000;
    vi.advanceTimersByTime(30_000);
    await throughout(
      'the orphan left to the others',
      async () => (await w.job('orphan')).locked_by === 'dead-worker',
      300,
    );
    expect(m.warn).toEqual([]);
  });

  it('without a logger, a lease upkeep that fails is dropped quietly: no unhandled rejection', async () => {
    // The upkeep's interval on a test clock, so it runs when the test says.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    cleanups.push(async () => void vi.useRealTimers());
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => void rejections.push(e);
    process.on('unhandledRejection', onRejection);
    cleanups.push(async () => void process.off('unhandledRejection', onRejection));
    const w = await setup({}, { logger: undefined, pollMs: 60_000, leaseMs: 3_000 });
    // Every statement of the upkeep (and the claim) fails.
    await w.store.db.schema.dropTable('jobs').execute();
    w.d.start();
    vi.advanceTimersByTime(1_000);
    await throughout('no unhandled rejection after the upkeep', () => rejections.length === 0, 500);
    vi.advanceTimersByTime(1_000);
    await throughout('nor after the next one', () => rejections.length === 0, 500);
  });
});
