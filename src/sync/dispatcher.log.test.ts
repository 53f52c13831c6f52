import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from 'pino';
import { anyJob } from '../../test/helpers/anyJob.ts';
import { Dispatcher, type DispatcherOptions, type JobHandler } from './dispatcher.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';
import { claimJobs } from '../store/ops/claimJobs.ts';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { until } from '../../test/helpers/until.ts';
import { mayWrite } from '../core/jobSignal.ts';

// What the dispatcher tells the operator (its log lines are the only account of a retry, a dead letter, a
// lost lease, a failed commit or a stalled shutdown), and what it records for each of those outcomes.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Line {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

function memoryLogger(): { logger: Logger; lines: Line[]; find: (msg: string) => Line[] } {
  const lines: Line[] = [];
  const at = (level: Line['level']) => (obj: Record<string, unknown>, msg: string) => lines.push({ level, obj, msg });
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger: logger as unknown as Logger, lines, find: (msg) => lines.filter((l) => l.msg === msg) };
}

async function setup(handlers: Record<string, JobHandler>, opts: Partial<DispatcherOptions> = {}) {
  const tmp = await tempSqliteStore();
  cleanups.push(() => tmp.cleanup());
  const log = memoryLogger();
  const settled: Array<{ key: string; outcome: string; error?: string }> = [];
  const durations: number[] = [];
  const d = new Dispatcher(tmp.store, new Map(Object.entries(handlers)), {
    concurrency: 4,
    leaseMs: 3_000,
    pollMs: 10,
    backoffBaseMs: 10,
    backoffMaxMs: 20,
    logger: log.logger,
    onSettled: (job, outcome, ms, error) => {
      durations.push(ms);
      settled.push({ key: job.key, outcome, ...(error ? { error } : {}) });
    },
    ...opts,
  });
  cleanups.push(() => d.stop());
  const job = (key: string) =>
    tmp.store.db.selectFrom('jobs').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
  const enqueue = (kind: string, key: string, maxAttempts?: number) =>
    enqueueJobs(
      tmp.store.db,
      [anyJob({ kind, key, payload: {}, ...(maxAttempts ? { maxAttempts } : {}) })],
      Date.now(),
    );
  return { store: tmp.store, d, job, enqueue, settled, durations, ...log };
}

describe('what the dispatcher logs and records', () => {
  it('a retry is logged with its wait and error, then the dead letter with its reason; an unknown kind is a dead letter at once', async () => {
    const w = await setup({ flaky: async () => ({ status: 'retry', error: 'remote said 503' }) });
    await w.enqueue('flaky', 'f', 2);
    await w.enqueue('nobody', 'n');
    w.d.start();
    await until('both dead', async () => (await w.job('f')).state === 'dead' && (await w.job('n')).state === 'dead');
    const f = await w.job('f');
    const n = await w.job('n');
    const retried = w.find('job will be retried');
    expect(retried).toHaveLength(1);
    expect(retried[0]!.level).toBe('debug');
    expect(retried[0]!.obj).toMatchObject({ job: f.id, kind: 'flaky', attempt: 1, error: 'remote said 503' });
    expect(retried[0]!.obj.waitMs).toBeGreaterThanOrEqual(0);
    expect(retried[0]!.obj.waitMs).toBeLessThanOrEqual(20);
    const dead = w.find('job moved to the dead letters');
    expect(dead.map((l) => l.level)).toEqual(['warn', 'warn']);
    expect(dead.find((l) => l.obj.job === f.id)!.obj).toEqual({
      job: f.id,
      kind: 'flaky',
      error: 'gave up after 2 attempts: remote said 503',
    });
    expect(dead.find((l) => l.obj.job === n.id)!.obj).toEqual({
      job: n.id,
      kind: 'nobody',
      error: "no handler for job kind 'nobody' (a newer version may have enqueued it)",
    });
    expect(w.settled.filter((s) => s.key === 'f')).toEqual([
      { key: 'f', outcome: 'retry', error: 'remote said 503' },
      { key: 'f', outcome: 'fail', error: 'remote said 503' },
    ]);
    expect(w.settled.filter((s) => s.key === 'n')).toEqual([
      { key: 'n', outcome: 'fail', error: "no handler for job kind 'nobody' (a newer version may have enqueued it)" },
    ]);
    expect(w.d.counters).toEqual({ done: 0, retried: 1, dead: 2, leaseLost: 0, parked: 0 });
    // Each settled job says how long it took, on the dispatcher's clock.
    expect(w.durations).toHaveLength(3);
    for (const ms of w.durations) expect(ms >= 0 && ms < 60_000).toBe(true);
  });

  it('a done job whose commit throws is logged as not recorded and settles as a retry; the job keeps its lease until it expires', async () => {
    const boom = new Error('disk full');
    const w = await setup(
      {
        k: async () => ({
          status: 'done',
          commit: async () => {
            throw boom;
          },
        }),
      },
      { leaseMs: 60_000 },
    );
    await w.enqueue('k', 'j');
    w.d.start();
    await until('the outcome to settle', () => w.settled.length === 1);
    const j = await w.job('j');
    expect(w.settled).toEqual([{ key: 'j', outcome: 'retry', error: 'could not record the outcome: disk full' }]);
    const lines = w.find('recording a job outcome failed; its lease will expire and it will run again');
    expect(lines).toEqual([{ level: 'error', obj: { err: boom, job: j.id }, msg: lines[0]!.msg }]);
    expect([j.state, j.locked_by]).toEqual(['running', w.d.workerId]);
    expect(w.d.counters).toEqual({ done: 0, retried: 0, dead: 0, leaseLost: 0, parked: 0 });
  });

  it('a handler that finds its lease gone before it completes: nothing is committed, and it is logged as lost', async () => {
    const w = await setup({
      k: async (ctx) => {
        await w.store.db.updateTable('jobs').set({ locked_by: 'someone-else' }).where('id', '=', ctx.job.id).execute();
        return {
          status: 'done',
          commit: async (trx) => {
            await trx.insertInto('cursors').values({ name: 'committed', value: '1', updated_at: 1 }).execute();
          },
        };
      },
    });
    await w.enqueue('k', 'j');
    w.d.start();
    await until('the outcome to settle', () => w.settled.length === 1);
    const j = await w.job('j');
    expect(w.settled).toEqual([{ key: 'j', outcome: 'lease_lost' }]);
    expect(w.find('lease lost before completion; the new holder will redo the job')).toEqual([
      {
        level: 'warn',
        obj: { job: j.id, kind: 'k' },
        msg: 'lease lost before completion; the new holder will redo the job',
      },
    ]);
    expect([j.state, j.locked_by]).toEqual(['running', 'someone-else']);
    expect(await w.store.db.selectFrom('cursors').selectAll().where('name', '=', 'committed').execute()).toEqual([]);
    expect(w.d.counters).toEqual({ done: 0, retried: 0, dead: 0, leaseLost: 1, parked: 0 });
  });

  it('a handler stopped because its lease went to another worker is logged, and nothing of its outcome is recorded', async () => {
    const w = await setup({ k: () => new Promise(() => undefined) }, { shutdownDeadlineMs: 100 });
    await w.enqueue('k', 'j');
    w.d.start();
    await until('the job to run', async () => (await w.job('j')).state === 'running');
    await w.store.db.updateTable('jobs').set({ locked_by: 'someone-else' }).execute();
    await until('the handler to be stopped', () => w.settled.length === 1);
    const j = await w.job('j');
    expect(w.settled).toEqual([{ key: 'j', outcome: 'lease_lost' }]);
    expect(w.find('lease lost while running; the handler was stopped and the new holder runs the job')).toEqual([
      {
        level: 'warn',
        obj: { job: j.id, kind: 'k' },
        msg: 'lease lost while running; the handler was stopped and the new holder runs the job',
      },
    ]);
    expect([j.state, j.locked_by, j.attempts, j.last_error]).toEqual(['running', 'someone-else', 1, null]);
  });

  it('a shutdown that outlasts its grace is logged; the job is handed back ready now, its attempt refunded, saying why', async () => {
    const w = await setup({ k: () => new Promise(() => undefined) }, { shutdownDeadlineMs: 100 });
    await w.enqueue('k', 'j');
    w.d.start();
    await until('the job to run', async () => (await w.job('j')).state === 'running');
    const before = Date.now();
    await w.d.stop();
    const j = await w.job('j');
    expect(w.find('jobs still running at shutdown are stopped and handed back')).toEqual([
      {
        level: 'warn',
        obj: { inFlight: 1, graceMs: 100 },
        msg: 'jobs still running at shutdown are stopped and handed back',
      },
    ]);
    expect(w.settled).toEqual([{ key: 'j', outcome: 'retry', error: 'the bridge is shutting down' }]);
    expect([j.state, j.attempts, j.locked_by, j.last_error]).toEqual([
      'ready',
      0,
      null,
      'stopped by shutdown: the bridge is shutting down',
    ]);
    expect(Number(j.run_at)).toBeGreaterThanOrEqual(before);
    expect(Number(j.run_at)).toBeLessThanOrEqual(Date.now());
    // Not a failure of the job: its patience clocks (counted from its first failure) do not start.
    expect(j.failing_since).toBeNull();
  });

  it('a retry of an unavailable remote records which remote it waits for (made due when it answers again); no other retry does', async () => {
    const w = await setup(
      {
        down: async () => ({ status: 'retry', error: 'ClickUp said 503', unavailable: true, remote: 'clickup' }),
        slow: async () => ({ status: 'retry', error: 'ClickUp said 429', rateLimited: true, remote: 'clickup' }),
        anon: async () => ({ status: 'retry', error: 'connection refused', unavailable: true }),
      },
      // A minute's backoff: each runs once within the test.
      { backoffBaseMs: 60_000, backoffMaxMs: 60_000 },
    );
    for (const k of ['down', 'slow', 'anon']) await w.enqueue(k, k);
    w.d.start();
    await until('all three to settle', () => w.settled.length === 3);
    const waitingOn = async (key: string) => {
      const j = await w.job(key);
      return [j.state, j.waiting_on];
    };
    expect(await waitingOn('down')).toEqual(['ready', 'clickup']);
    expect(await waitingOn('slow')).toEqual(['ready', null]);
    expect(await waitingOn('anon')).toEqual(['ready', null]);
  });

  it('a job whose worker died is reclaimed by the lease upkeep, logged, and run at once (no poll needed)', async () => {
    const w = await setup({ k: async () => ({ status: 'done' }) }, { pollMs: 60_000, leaseClock: 'worker' });
    await w.enqueue('k', 'j');
    // Another worker took it with a lease of 1 ms and died.
    expect(await claimJobs(w.store.db, 'sqlite', 'dead-worker', 1, 1, Date.now())).toHaveLength(1);
    w.d.start();
    await until('the job to run', async () => (await w.job('j')).state === 'done');
    expect(w.find('jobs whose worker stopped renewing its lease were made ready again')).toEqual([
      {
        level: 'warn',
        obj: { reclaimed: 1 },
        msg: 'jobs whose worker stopped renewing its lease were made ready again',
      },
    ]);
    expect((await w.job('j')).crashes).toBe(1);
  });

  it('a claim that fails is logged and retried; so is a lease upkeep that fails', async () => {
    const w = await setup({}, { pollMs: 50 });
    await w.store.db.schema.dropTable('jobs').execute();
    w.d.start();
    await until(
      'two failed claims',
      () => w.find('claiming jobs failed; retrying after the poll interval').length >= 2,
    );
    await until('a failed lease upkeep', () => w.find('lease upkeep failed').length >= 1);
    for (const l of w.find('claiming jobs failed; retrying after the poll interval')) {
      expect(l.level).toBe('error');
      expect(String((l.obj.err as Error).message)).toMatch(/no such table: jobs/);
    }
    const upkeep = w.find('lease upkeep failed')[0]!;
    expect(upkeep.level).toBe('warn');
    expect(String((upkeep.obj.err as Error).message)).toMatch(/no such table: jobs/);
  });
});

describe('what a handler is given', () => {
  it('its job, the parsed payload, the attempt, the clock, and a write check that refuses when the lease cannot be read', async () => {
    const seen: Array<Record<string, unknown>> = [];
    const clock = { t: 1_234_000 };
    const w = await setup(
      {
        k: async (ctx) => {
          const ok = await mayWrite();
          // The lease cannot be read (the table is away for a moment): no write goes out on a guess.
          await w.store.db.schema.alterTable('jobs').renameTo('jobs_away').execute();
          const unreadable = await mayWrite();
          await w.store.db.schema.alterTable('jobs_away').renameTo('jobs').execute();
          seen.push({
            key: ctx.job.key,
            payload: ctx.payload,
            attempt: ctx.attempt,
            now: ctx.now(),
            ok,
            unreadable,
            aborted: ctx.signal?.aborted,
          });
          return seen.length === 1 ? { status: 'retry', error: 'again', retryAfterMs: 0 } : { status: 'done' };
        },
      },
      { now: () => clock.t, leaseClock: 'worker', leaseMs: 60_000 },
    );
    await enqueueJobs(w.store.db, [anyJob({ kind: 'k', key: 'j', payload: { n: 7, s: 'x' } })], 1_000_000);
    await w.d.runUntilIdle();
    clock.t += 1_000;
    await w.d.runUntilIdle();
    const common = { key: 'j', payload: { n: 7, s: 'x' }, ok: null, aborted: false };
    const unreadable = /^could not read the lease, so the write is not sent: .*no such table: jobs/;
    expect(seen).toEqual([
      { ...common, attempt: 1, now: 1_234_000, unreadable: expect.stringMatching(unreadable) },
      { ...common, attempt: 2, now: 1_235_000, unreadable: expect.stringMatching(unreadable) },
    ]);
    expect((await w.job('j')).state).toBe('done');
  });
});

describe('without a logger (the log calls are optional)', () => {
  it('a lost lease, either way, still settles as lost, and a commit that throws as a retry', async () => {
    const boom = new Error('disk full');
    const w = await setup(
      {
        // Its lease goes to another worker before it completes.
        before: async (ctx) => {
          await w.store.db
            .updateTable('jobs')
            .set({ locked_by: 'someone-else' })
            .where('id', '=', ctx.job.id)
            .execute();
          return { status: 'done' };
        },
        // Its lease goes while it runs; the next renewal stops it.
        during: () => new Promise(() => undefined),
        commit: async () => ({
          status: 'done',
          commit: async () => {
            throw boom;
          },
        }),
      },
      { logger: undefined, leaseMs: 3_000, shutdownDeadlineMs: 100 },
    );
    await w.enqueue('before', 'b');
    await w.enqueue('during', 'd');
    await w.enqueue('commit', 'c');
    w.d.start();
    await until('the job to run', async () => (await w.job('d')).state === 'running');
    await w.store.db.updateTable('jobs').set({ locked_by: 'someone-else' }).where('key', '=', 'd').execute();
    await until('all three to settle', () => w.settled.length === 3);
    expect([...w.settled].sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'b', outcome: 'lease_lost' },
      { key: 'c', outcome: 'retry', error: 'could not record the outcome: disk full' },
      { key: 'd', outcome: 'lease_lost' },
    ]);
    expect(w.d.counters).toEqual({ done: 0, retried: 0, dead: 0, leaseLost: 2, parked: 0 });
  });

  it('a job whose worker died is still reclaimed and run at once', async () => {
    const w = await setup(
      { k: async () => ({ status: 'done' }) },
      { logger: undefined, pollMs: 60_000, leaseClock: 'worker' },
    );
    await w.enqueue('k', 'j');
    expect(await claimJobs(w.store.db, 'sqlite', 'dead-worker', 1, 1, Date.now())).toHaveLength(1);
    w.d.start();
    await until('the job to run', async () => (await w.job('j')).state === 'done');
    expect((await w.job('j')).crashes).toBe(1);
  });

  it('a claim that fails does not end the claim loop', async () => {
    const w = await setup({ k: async () => ({ status: 'done' }) }, { logger: undefined, pollMs: 10 });
    await w.store.db.schema.alterTable('jobs').renameTo('jobs_away').execute();
    w.d.start();
    // The loop's first claim took the connection before this statement: it has failed by the time this runs.
    await w.store.db.selectFrom('cursors').selectAll().execute();
    await w.store.db.schema.alterTable('jobs_away').renameTo('jobs').execute();
    await w.enqueue('k', 'j');
    await until('the job to run', async () => (await w.job('j')).state === 'done');
  });
});
