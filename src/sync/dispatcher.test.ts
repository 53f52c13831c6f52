import { describe, expect, it, vi } from 'vitest';
import { anyJob, anyJobs } from '../../test/helpers/anyJob.ts';
import { storesUnderTest } from '../../test/helpers/pgStore.ts';
import { Dispatcher, type JobHandler } from './dispatcher.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';
import { claimJobs } from '../store/ops/claimJobs.ts';
import { completeJob } from '../store/ops/completeJob.ts';
import { extendLeases } from '../store/ops/extendLeases.ts';
import { reclaimExpiredLeases } from '../store/ops/reclaimExpiredLeases.ts';
import { listDeadLetters, replayDeadLetter } from '../store/ops/replayDeadLetter.ts';
import { recordInboundEvent } from '../store/ops/recordInboundEvent.ts';
import { outcomeFromRemote } from './outcome.ts';

const { describeStores, make } = await storesUnderTest('src/sync/dispatcher.test.ts');

describeStores('job queue on %s', (kind) => {
  async function setup(
    handlers: Record<string, JobHandler>,
    clock = { t: 1_000_000 },
    extra: { outagePatienceMs?: number; backoffMaxMs?: number } = {},
  ) {
    const t = await make(kind);
    const d = new Dispatcher(t.store, new Map(Object.entries(handlers)), {
      concurrency: 8,
      leaseMs: 10_000,
      pollMs: 10,
      backoffBaseMs: 100,
      backoffMaxMs: 1000,
      now: () => clock.t,
      ...extra,
    });
    return { ...t, d, clock };
  }

  describe('dispatching', () => {
    it('a job enqueued twice with the same key runs once', async () => {
      let runs = 0;
      const { store, d, clock } = await setup({
        k: async () => {
          runs++;
          return { status: 'done' };
        },
      });
      await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'same', payload: {} })], clock.t);
      await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'same', payload: {} })], clock.t);
      await d.runUntilIdle();
      expect(runs).toBe(1);
    });

    it('an inbound event recorded twice enqueues one job', async () => {
      const { store, clock } = await setup({});
      const a = await recordInboundEvent(
        store.db,
        { source: 'tg', eventId: 'e1', type: 'case.opened', payload: {} },
        anyJob({ kind: 'k', key: 'ev:e1', payload: {} }),
        clock.t,
      );
      const b = await recordInboundEvent(
        store.db,
        { source: 'tg', eventId: 'e1', type: 'case.opened', payload: {} },
        anyJob({ kind: 'k', key: 'ev:e1', payload: {} }),
        clock.t,
      );
      expect([a.duplicate, b.duplicate]).toEqual([false, true]);
      const jobs = await store.db.selectFrom('jobs').selectAll().execute();
      expect(jobs).toHaveLength(1);
    });

    it('events arriving together are written as one batch: repeats inside it and of earlier events are duplicates, each new one gets its job', async () => {
      const { store, clock } = await setup({});
      const ev = (id: string) => ({ source: 'tg', eventId: id, type: 'case.opened', payload: { id } });
      await recordInboundEvent(
        store.db,
        ev('old'),
        anyJob({ kind: 'k', key: 'ev:old', payload: { event: 'old' } }),
        clock.t,
      );
      // Same turn of the event loop: one group commit.
      const results = await Promise.all([
        recordInboundEvent(
          store.db,
          ev('a'),
          anyJob({ kind: 'k', key: 'ev:a', queueKey: 'case:A', payload: { n: 1 }, runAt: clock.t + 5, maxAttempts: 3 }),
          clock.t,
        ),
        recordInboundEvent(
          store.db,
          ev('old'),
          anyJob({ kind: 'k', key: 'ev:old', payload: { event: 'old' } }),
          clock.t,
        ),
        recordInboundEvent(store.db, ev('b'), anyJob({ kind: 'k', key: 'ev:b', payload: { event: 'b' } }), clock.t + 1),
        recordInboundEvent(store.db, ev('a'), anyJob({ kind: 'k', key: 'ev:a', payload: { event: 'a' } }), clock.t),
      ]);
      expect(results.map((r) => r.duplicate)).toEqual([false, true, false, true]);
      const jobs = await store.db
        .selectFrom('jobs')
        .select(['key', 'kind', 'queue_key', 'payload', 'state', 'run_at', 'max_attempts', 'attempts'])
        .orderBy('key')
        .execute();
      expect(jobs).toEqual([
        {
          key: 'ev:a',
          kind: 'k',
          queue_key: 'case:A',
          payload: '{"n":1}',
          state: 'ready',
          run_at: clock.t + 5,
          max_attempts: 3,
          attempts: 0,
        },
        {
          key: 'ev:b',
          kind: 'k',
          queue_key: null,
          payload: JSON.stringify({ event: 'b' }),
          state: 'ready',
          run_at: clock.t + 1,
          max_attempts: 10,
          attempts: 0,
        },
        {
          key: 'ev:old',
          kind: 'k',
          queue_key: null,
          payload: JSON.stringify({ event: 'old' }),
          state: 'ready',
          run_at: clock.t,
          max_attempts: 10,
          attempts: 0,
        },
      ]);
      const events = await store.db
        .selectFrom('inbound_events')
        .select(['event_id', 'payload', 'received_at'])
        .orderBy('event_id')
        .execute();
      expect(events).toEqual([
        { event_id: 'a', payload: '{"id":"a"}', received_at: clock.t },
        { event_id: 'b', payload: '{"id":"b"}', received_at: clock.t + 1 },
        { event_id: 'old', payload: '{"id":"old"}', received_at: clock.t },
      ]);
    });

    it('jobs sharing a queue key run one at a time in order', async () => {
      const order: string[] = [];
      let concurrent = 0;
      let maxConcurrent = 0;
      const { store, d, clock } = await setup({
        k: async (job) => {
          const payload = job.payload as { n: string };
          concurrent++;
          maxConcurrent = Math.max(maxConcurrent, concurrent);
          await new Promise((r) => setTimeout(r, 5)); // sleep-ok: the handler's own work, giving others a chance to overlap
          order.push(payload.n);
          concurrent--;
          return { status: 'done' };
        },
      });
      await enqueueJobs(
        store.db,
        anyJobs([1, 2, 3, 4].map((n) => ({ kind: 'k', key: `j${n}`, queueKey: 'case:A', payload: { n: `a${n}` } }))),
        clock.t,
      );
      await d.runUntilIdle();
      expect(order).toEqual(['a1', 'a2', 'a3', 'a4']);
      expect(maxConcurrent).toBe(1);
    });

    it('a worker whose lease was taken over cannot complete the job', async () => {
      const { store, clock } = await setup({});
      await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'x', payload: {} })], clock.t);
      const [first] = await claimJobs(store.db, store.dialect, 'w1', 1, 1000, clock.t);
      // w1 stalls past its lease; the job is reclaimed and w2 takes it over.
      expect(await reclaimExpiredLeases(store.db, clock.t + 500)).toBe(0);
      expect(await reclaimExpiredLeases(store.db, clock.t + 2000)).toBe(1);
      const [second] = await claimJobs(store.db, store.dialect, 'w2', 1, 1000, clock.t + 2000);
      expect(second!.id).toBe(first!.id);
      expect(second!.attempts).toBe(2);
      expect(await completeJob(store.db, first!.id, 'w1', clock.t + 2100)).toBe(false);
      expect(await completeJob(store.db, first!.id, 'w2', clock.t + 2100)).toBe(true);
    });

    it('retries with backoff, then dead-letters with the last error, and a replay runs it again once', async () => {
      let fail = true;
      let runs = 0;
      const { store, d, clock } = await setup({
        k: async () => {
          runs++;
          return fail ? { status: 'retry', error: 'remote 503' } : { status: 'done' };
        },
      });
      await store.db
        .insertInto('jobs')
        .values({
          kind: 'k',
          key: 'r',
          queue_key: null,
          payload: '{}',
          state: 'ready',
          run_at: clock.t,
          attempts: 0,
          max_attempts: 3,
          created_at: clock.t,
          updated_at: clock.t,
        })
        .execute();
      // backoffBaseMs 100: attempt n waits within [100·2^(n-1)/2, 100·2^(n-1)) ms. The job must not run a
      // millisecond before its retry time, and must run at it.
      for (const [attempt, lo, hi] of [
        [1, 50, 100],
        [2, 100, 200],
      ] as const) {
        const before = runs;
        await d.runUntilIdle();
        expect(runs).toBe(before + 1);
        const job = await store.db
          .selectFrom('jobs')
          .select(['state', 'run_at', 'attempts', 'last_error'])
          .executeTakeFirstOrThrow();
        expect(job).toMatchObject({ state: 'ready', attempts: attempt, last_error: 'remote 503' });
        const wait = Number(job.run_at) - clock.t;
        expect(wait).toBeGreaterThanOrEqual(lo);
        expect(wait).toBeLessThan(hi);
        clock.t += wait - 1;
        await d.runUntilIdle();
        expect(runs).toBe(before + 1);
        clock.t += 1;
      }
      await d.runUntilIdle();
      expect(runs).toBe(3);
      for (let i = 0; i < 3; i++) {
        clock.t += 10_000;
        await d.runUntilIdle();
      }
      expect(runs).toBe(3);
      const dls = await listDeadLetters(store.db);
      expect(dls).toHaveLength(1);
      expect(dls[0]!.error).toBe('gave up after 3 attempts: remote 503');
      fail = false;
      expect(await replayDeadLetter(store.db, dls[0]!.id, clock.t)).toMatchObject({ ok: true });
      expect(await replayDeadLetter(store.db, dls[0]!.id, clock.t)).toEqual({
        ok: false,
        reason: `dead letter ${dls[0]!.id} was already replayed`,
      });
      await d.runUntilIdle();
      expect(runs).toBe(4);
      const job = await store.db.selectFrom('jobs').selectAll().executeTakeFirstOrThrow();
      expect(job.state).toBe('done');
    });

    it('a remote that stays unavailable for more tries than max_attempts delays the job, which succeeds once the remote answers', async () => {
      const remoteDown = outcomeFromRemote(
        { code: 'http_503', status: 503, retryable: true, detail: 'ClickUp: remote error 503' },
        'updating the task',
      );
      let runs = 0;
      const seen: number[] = [];
      const { store, d, clock } = await setup(
        {
          k: async ({ attempt }) => {
            seen.push(attempt);
            return ++runs <= 12 ? remoteDown : { status: 'done' };
          },
        },
        { t: 1_000_000 },
        { outagePatienceMs: 60 * 60_000, backoffMaxMs: 60_000 },
      );
      await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'down', payload: {}, maxAttempts: 3 })], clock.t);
      const created = clock.t;
      const waits: number[] = [];
      for (let i = 1; i <= 12; i++) {
        await d.runUntilIdle();
        expect(runs).toBe(i);
        const job = await store.db
          .selectFrom('jobs')
          .select(['state', 'attempts', 'run_at', 'last_error'])
          .executeTakeFirstOrThrow();
        // The first attempt counts; the others are refunded: twelve failures, three attempts, still waiting.
        expect(job).toMatchObject({
          state: 'ready',
          attempts: 1,
          last_error: remoteDown.status === 'retry' && remoteDown.error,
        });
        const wait = Number(job.run_at) - clock.t;
        // Half to all of max(base, age / 2), capped at backoffMaxMs.
        const ceiling = Math.min(60_000, Math.max(100, (clock.t - created) / 2));
        expect(wait).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
        expect(wait).toBeLessThanOrEqual(ceiling);
        waits.push(wait);
        clock.t += wait - 1;
        await d.runUntilIdle();
        expect(runs).toBe(i);
        clock.t += 1;
      }
      // The waits grow with the job's age: the last is several times the first (half-jittered: at least 3x after twelve).
      expect(waits[11]!).toBeGreaterThan(3 * waits[0]!);
      await d.runUntilIdle();
      expect(runs).toBe(13);
      // Every run after the first is told it is a retry, so it looks for a write a failed call may have saved.
      expect(seen).toEqual([1, ...Array<number>(12).fill(2)]);
      expect(await listDeadLetters(store.db)).toEqual([]);
      expect((await store.db.selectFrom('jobs').select('state').executeTakeFirstOrThrow()).state).toBe('done');
    });

    it('past the outage patience an unavailable remote uses attempts, and the dead letter says how long it was down', async () => {
      const remoteDown = outcomeFromRemote(
        { code: 'ECONNREFUSED', retryable: true, detail: 'Trading Grid: no response (ECONNREFUSED)' },
        'reading the case',
      );
      const { store, d, clock } = await setup(
        { k: async () => remoteDown },
        { t: 1_000_000 },
        { outagePatienceMs: 30 * 60_000 },
      );
      await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'old', payload: {}, maxAttempts: 2 })], clock.t);
      await d.runUntilIdle();
      const first = await store.db.selectFrom('jobs').select(['failing_since', 'attempts']).executeTakeFirstOrThrow();
      expect([Number(first.failing_since), first.attempts]).toEqual([1_000_000, 1]);
      clock.t += 31 * 60_000;
      for (let i = 0; i < 4; i++) {
        await d.runUntilIdle();
        clock.t += 1000;
      }
      const dls = await listDeadLetters(store.db);
      expect(dls).toHaveLength(1);
      expect(dls[0]!.error).toBe(
        'gave up after 2 attempts; the remote was still unavailable 31 min after its failures began (outage patience 30 min): reading the case: Trading Grid: no response (ECONNREFUSED) [ECONNREFUSED]',
      );
    });

    it("the outage patience counts from the first failure, not from the job's creation, and success clears it", async () => {
      let down = true;
      const remoteDown = outcomeFromRemote(
        { code: 'ECONNREFUSED', retryable: true, detail: 'Trading Grid: no response (ECONNREFUSED)' },
        'reading the case',
      );
      const { store, d, clock } = await setup(
        { k: async () => (down ? remoteDown : { status: 'done' }) },
        { t: 1_000_000 },
        { outagePatienceMs: 30 * 60_000, backoffMaxMs: 60_000 },
      );
      // Created two days ago (scheduled ahead, or queued behind its key): it starts failing only now.
      await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'old', payload: {}, maxAttempts: 2 })], clock.t);
      clock.t += 2 * 1440 * 60_000;
      const startedFailing = clock.t;
      for (let i = 0; i < 10; i++) {
        await d.runUntilIdle();
        clock.t += 60_000;
      }
      // Ten minutes into the outage, well inside its 30 min of patience: still waiting, not a dead letter.
      expect(await listDeadLetters(store.db)).toEqual([]);
      const waiting = await store.db
        .selectFrom('jobs')
        .select(['state', 'attempts', 'failing_since'])
        .executeTakeFirstOrThrow();
      expect([waiting.state, waiting.attempts, Number(waiting.failing_since)]).toEqual(['ready', 1, startedFailing]);
      down = false;
      await d.runUntilIdle();
      const done = await store.db.selectFrom('jobs').select(['state', 'failing_since']).executeTakeFirstOrThrow();
      expect([done.state, done.failing_since]).toEqual(['done', null]);
    });

    it('a handler that throws is retried like a transient failure, with the stack, and dead-lettered at the last attempt', async () => {
      let runs = 0;
      const { store, d, clock } = await setup({
        k: async () => {
          runs++;
          throw new Error(`kaboom ${runs}`);
        },
      });
      await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 't', payload: {}, maxAttempts: 2 })], clock.t);
      await d.runUntilIdle();
      const job = await store.db
        .selectFrom('jobs')
        .select(['state', 'attempts', 'last_error', 'run_at'])
        .executeTakeFirstOrThrow();
      expect(job.state).toBe('ready');
      expect(job.attempts).toBe(1);
      expect(job.last_error).toMatch(/^unexpected error in k: Error: kaboom 1\n\s+at /);
      expect(Number(job.run_at) - clock.t).toBeGreaterThanOrEqual(50);
      clock.t += 1000;
      await d.runUntilIdle();
      expect(runs).toBe(2);
      const dls = await listDeadLetters(store.db);
      expect(dls).toHaveLength(1);
      expect(dls[0]!.error).toMatch(/^gave up after 2 attempts: unexpected error in k: Error: kaboom 2\n\s+at /);
      expect(dls[0]!.attempts).toBe(2);
      expect(d.counters).toEqual({ done: 0, retried: 1, dead: 1, leaseLost: 0, parked: 0 });
    });

    it('a job of an unknown kind goes to the dead letters at once, and the other jobs still run', async () => {
      let runs = 0;
      const settled: string[] = [];
      const t = await make(kind);
      const clock = { t: 1_000_000 };
      const d = new Dispatcher(
        t.store,
        new Map([
          [
            'k',
            async () => {
              runs++;
              return { status: 'done' as const };
            },
          ],
        ]),
        {
          concurrency: 8,
          leaseMs: 10_000,
          pollMs: 10,
          backoffBaseMs: 100,
          backoffMaxMs: 1000,
          now: () => clock.t,
          onSettled: (job, outcome, _ms, error) => settled.push(`${job.kind}:${outcome}:${error ?? ''}`),
        },
      );
      await enqueueJobs(
        t.store.db,
        [anyJob({ kind: 'mystery', key: 'm', payload: {} }), anyJob({ kind: 'k', key: 'k1', payload: {} })],
        clock.t,
      );
      await d.runUntilIdle();
      expect(runs).toBe(1);
      const dls = await listDeadLetters(t.store.db);
      expect(dls.map((x) => [x.kind, x.key, x.attempts, x.error])).toEqual([
        ['mystery', 'm', 1, "no handler for job kind 'mystery' (a newer version may have enqueued it)"],
      ]);
      expect(settled.sort()).toEqual([
        'k:done:',
        "mystery:fail:no handler for job kind 'mystery' (a newer version may have enqueued it)",
      ]);
    });

    it('a rate-limited retry waits exactly what the remote asked, and does not use up an attempt', async () => {
      let runs = 0;
      const { store, d, clock } = await setup({
        k: async () =>
          ++runs <= 3
            ? { status: 'retry', error: 'ClickUp 429', retryAfterMs: 5000, refundAttempt: true }
            : { status: 'done' },
      });
      // Two attempts only, yet three 429s in a row do not dead-letter it.
      await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'rl', payload: {}, maxAttempts: 2 })], clock.t);
      for (let i = 1; i <= 3; i++) {
        await d.runUntilIdle();
        expect(runs).toBe(i);
        const job = await store.db
          .selectFrom('jobs')
          .select(['state', 'attempts', 'run_at', 'last_error'])
          .executeTakeFirstOrThrow();
        expect(job).toEqual({ state: 'ready', attempts: 0, run_at: clock.t + 5000, last_error: 'ClickUp 429' });
        clock.t += 4999;
        await d.runUntilIdle();
        expect(runs).toBe(i);
        clock.t += 1;
      }
      await d.runUntilIdle();
      expect(runs).toBe(4);
      expect(await listDeadLetters(store.db)).toEqual([]);
      expect((await store.db.selectFrom('jobs').select('state').executeTakeFirstOrThrow()).state).toBe('done');
    });

    it("a retry waits the longer of the remote's Retry-After and the backoff, and counts the attempt", async () => {
      const asks = [5000, 10];
      const { store, d, clock } = await setup({
        k: async () => ({ status: 'retry', error: '503', retryAfterMs: asks.shift() }),
      });
      await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'ra', payload: {}, maxAttempts: 5 })], clock.t);
      await d.runUntilIdle();
      let job = await store.db.selectFrom('jobs').select(['attempts', 'run_at']).executeTakeFirstOrThrow();
      expect(job).toEqual({ attempts: 1, run_at: clock.t + 5000 });
      clock.t += 5000;
      await d.runUntilIdle();
      job = await store.db.selectFrom('jobs').select(['attempts', 'run_at']).executeTakeFirstOrThrow();
      expect(job.attempts).toBe(2);
      // Attempt 2's backoff is within [100, 200) ms, longer than the 10 ms asked.
      expect(Number(job.run_at) - clock.t).toBeGreaterThanOrEqual(100);
      expect(Number(job.run_at) - clock.t).toBeLessThan(200);
    });

    it('extendLeases renews only running jobs held by the worker', async () => {
      const { store, clock } = await setup({});
      await enqueueJobs(store.db, anyJobs(['a', 'b', 'c'].map((key) => ({ kind: 'k', key, payload: {} }))), clock.t);
      const mine = await claimJobs(store.db, store.dialect, 'w1', 2, 1000, clock.t);
      const theirs = await claimJobs(store.db, store.dialect, 'w2', 1, 1000, clock.t);
      expect(mine).toHaveLength(2);
      await completeJob(store.db, mine[1]!.id, 'w1', clock.t);
      await extendLeases(
        store.db,
        [...mine, ...theirs].map((j) => j.id),
        'w1',
        50_000,
        clock.t,
      );
      await extendLeases(store.db, [], 'w1', 90_000, clock.t);
      const rows = await store.db.selectFrom('jobs').select(['id', 'state', 'locked_until']).orderBy('id').execute();
      expect(rows.map((r) => [r.id, r.state, r.locked_until === null ? null : Number(r.locked_until)])).toEqual([
        [mine[0]!.id, 'running', clock.t + 50_000],
        [mine[1]!.id, 'done', null],
        [theirs[0]!.id, 'running', clock.t + 1000],
      ]);
    });

    it('a job running longer than its lease keeps it: the dispatcher renews the lease, so no one else takes the job over', async () => {
      let release!: () => void;
      let runs = 0;
      const clock = { t: 1_000_000 };
      const t = await make(kind);
      // leaseMs 3000: the upkeep runs every second (real time); the lease is measured on the test's clock.
      const d = new Dispatcher(
        t.store,
        new Map([
          [
            'long',
            async () => {
              runs++;
              await new Promise<void>((r) => (release = r));
              return { status: 'done' as const };
            },
          ],
        ]),
        {
          concurrency: 2,
          leaseMs: 3000,
          pollMs: 10,
          backoffBaseMs: 100,
          backoffMaxMs: 1000,
          now: () => clock.t,
          leaseClock: 'worker',
        },
      );
      await enqueueJobs(t.store.db, [anyJob({ kind: 'long', key: 'L', payload: {} })], clock.t);
      d.start();
      try {
        await vi.waitFor(() => expect(runs).toBe(1), { timeout: 5000, interval: 10 });
        const lease = async () =>
          t.store.db
            .selectFrom('jobs')
            .select(['state', 'attempts', 'locked_until', 'locked_by'])
            .executeTakeFirstOrThrow();
        expect(Number((await lease()).locked_until)).toBe(clock.t + 3000);
        // Twice past the lease as first granted: each time the upkeep moves it on from the current time.
        for (let i = 0; i < 2; i++) {
          clock.t += 2500;
          await vi.waitFor(async () => expect(Number((await lease()).locked_until)).toBe(clock.t + 3000), {
            timeout: 5000,
            interval: 20,
          });
        }
        expect(await lease()).toMatchObject({ state: 'running', attempts: 1, locked_by: d.workerId });
      } finally {
        release?.();
        await d.stop();
      }
      expect(runs).toBe(1);
      expect(d.counters).toEqual({ done: 1, retried: 0, dead: 0, leaseLost: 0, parked: 0 });
      expect((await t.store.db.selectFrom('jobs').select('state').executeTakeFirstOrThrow()).state).toBe('done');
    });

    it('a permanent failure goes straight to the dead letters', async () => {
      const { store, d, clock } = await setup({ k: async () => ({ status: 'fail', error: 'ClickUp 400 FIELD_011' }) });
      await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'p', payload: {} })], clock.t);
      await d.runUntilIdle();
      expect((await listDeadLetters(store.db))[0]!.error).toBe('ClickUp 400 FIELD_011');
    });

    it('the commit of a done job is rolled back when the lease was lost', async () => {
      const { store, d, clock } = await setup({
        k: async () => ({
          status: 'done',
          commit: async (trx) => {
            await trx.insertInto('cursors').values({ name: 'c', value: 'v', updated_at: 0 }).execute();
            // Someone else took the job meanwhile.
            await trx.updateTable('jobs').set({ locked_by: 'other' }).execute();
          },
        }),
      });
      await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'l', payload: {} })], clock.t);
      await d.runUntilIdle(1);
      expect(await store.db.selectFrom('cursors').selectAll().execute()).toEqual([]);
      expect(d.counters.leaseLost).toBe(1);
    });

    it('stop() waits for jobs in flight', async () => {
      let started = false;
      let finished = false;
      let release!: () => void;
      const { store, d, clock } = await setup({
        k: async () => {
          started = true;
          await new Promise<void>((r) => (release = r));
          finished = true;
          return { status: 'done' };
        },
      });
      await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 's', payload: {} })], clock.t);
      d.start();
      d.wake();
      await vi.waitFor(() => expect(started).toBe(true), { timeout: 5000, interval: 5 });
      const stopping = d.stop();
      let stopped = false;
      void stopping.then(() => (stopped = true));
      // The job is still running: stop() must not have returned. Let every pending callback run first.
      await new Promise((r) => setImmediate(r));
      expect(stopped).toBe(false);
      release();
      await stopping;
      expect(finished).toBe(true);
      expect((await store.db.selectFrom('jobs').select('state').executeTakeFirstOrThrow()).state).toBe('done');
    });
  });
});
