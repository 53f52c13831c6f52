import { afterEach, describe, expect, it } from 'vitest';
import { anyJob } from '../../test/helpers/anyJob.ts';
import { createServer, type Server } from 'node:http';
import { Dispatcher, MAX_REMOTE_WAIT_MS, RATE_LIMIT_PATIENCE_MS, type JobHandler } from './dispatcher.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';
import { claimJobs } from '../store/ops/claimJobs.ts';
import { releaseOrphanedLeases } from '../store/ops/releaseOrphanedLeases.ts';
import { reclaimExpiredLeases } from '../store/ops/reclaimExpiredLeases.ts';
import { HttpClient } from '../connectors/http/httpClient.ts';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { until } from '../../test/helpers/until.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(
  handlers: Record<string, JobHandler>,
  opts: Partial<ConstructorParameters<typeof Dispatcher>[2]> = {},
) {
  const tmp = await tempSqliteStore();
  cleanups.push(() => tmp.cleanup());
  const d = new Dispatcher(tmp.store, new Map(Object.entries(handlers)), {
    concurrency: 4,
    leaseMs: 3_000,
    pollMs: 10,
    backoffBaseMs: 10,
    backoffMaxMs: 100,
    ...opts,
  });
  const job = (key = 'j') =>
    tmp.store.db.selectFrom('jobs').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
  return { store: tmp.store, d, job };
}

/** A server that takes requests and never answers; `seen()` lists the paths of the requests that reached it. */
async function silentServer(): Promise<{ url: string; seen: () => string[] }> {
  const seen: string[] = [];
  const s: Server = createServer((req) => void seen.push(req.url ?? ''));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  cleanups.push(
    () =>
      new Promise((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(s.address() as { port: number }).port}`, seen: () => seen };
}

describe('waits a remote asks for', () => {
  it('a Retry-After of a day parks the job for at most the cap', async () => {
    const { store, d, job } = await setup({
      k: async () => ({
        status: 'retry',
        error: '429',
        retryAfterMs: 86_400_000,
        refundAttempt: true,
        rateLimited: true,
      }),
    });
    await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'j', payload: {} })], Date.now());
    const before = Date.now();
    await d.runUntilIdle();
    const j = await job();
    expect(j.state).toBe('ready');
    expect(Number(j.run_at) - before).toBeLessThanOrEqual(MAX_REMOTE_WAIT_MS + 1_000);
  });

  it('a 429 keeps the attempt while the job has been failing less than the patience (however old it is), and uses one past it', async () => {
    const { store, d, job } = await setup({
      k: async () => ({ status: 'retry', error: '429', retryAfterMs: 0, refundAttempt: true, rateLimited: true }),
    });
    const created = Date.now();
    await enqueueJobs(
      store.db,
      [anyJob({ kind: 'k', key: 'young', payload: {} }), anyJob({ kind: 'k', key: 'old', payload: {} })],
      created,
    );
    // Both were created long ago; 'old' has been rate-limited since then, 'young' has not failed yet.
    await store.db
      .updateTable('jobs')
      .set({ created_at: created - 2 * RATE_LIMIT_PATIENCE_MS })
      .execute();
    await store.db
      .updateTable('jobs')
      .set({ failing_since: created - RATE_LIMIT_PATIENCE_MS - 1 })
      .where('key', '=', 'old')
      .execute();
    const [a, b] = await claimJobs(store.db, 'sqlite', 'x', 2, 1000, Date.now()).then((js) =>
      js.sort((x, y) => x.key.localeCompare(y.key)),
    );
    expect([a!.key, b!.key]).toEqual(['old', 'young']);
    await store.db.updateTable('jobs').set({ state: 'ready', locked_by: null, locked_until: null }).execute();
    await d.runUntilIdle(1);
    expect((await job('young')).attempts).toBe(1); // claimed twice (2), refunded once
    expect((await job('old')).attempts).toBe(2); // claimed twice, no refund
  });
});

describe('deadlines and stops', () => {
  it('a handler past its deadline is stopped: the job is retried, its signal aborted, and its later calls are refused', async () => {
    const silent = await silentServer();
    const http = new HttpClient(silent.url, { name: 'remote', timeoutMs: 60_000 });
    cleanups.push(() => http.close(100));
    let signal: AbortSignal | undefined;
    let late: unknown;
    const { store, d, job } = await setup(
      {
        k: async (ctx) => {
          signal = ctx.signal;
          await http.json({ method: 'GET', path: '/never' });
          late = await http.json({ method: 'POST', path: '/after-the-deadline', json: {} });
          return { status: 'done' };
        },
      },
      { deadlineMs: () => 300 },
    );
    await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'j', payload: {} })], Date.now());
    const started = Date.now();
    await d.runUntilIdle(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    const j = await job();
    expect(j.state).toBe('ready');
    expect(j.last_error).toMatch(/deadline of 300 ms/);
    expect(signal?.aborted).toBe(true);
    await until("the handler's late call to be answered", () => late !== undefined, 5_000);
    expect(late).toMatchObject({ ok: false, error: { code: 'job_stopped' } });
    // The late call was refused without being sent. (The first may not have reached the server either: on a
    // loaded machine the 300 ms deadline can pass before its connection is accepted.)
    expect(silent.seen().filter((path) => path !== '/never')).toEqual([]);
  });

  it('stop() does not wait past its deadline for a handler that never ends; the job is handed back with its attempt', async () => {
    const { store, d, job } = await setup({ k: () => new Promise(() => undefined) }, { shutdownDeadlineMs: 200 });
    await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'j', payload: {} })], Date.now());
    d.start();
    await until('the job to run', async () => (await job()).state === 'running', 5_000);
    const started = Date.now();
    await d.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    const j = await job();
    expect([j.state, j.attempts, j.locked_by]).toEqual(['ready', 0, null]);
  });

  it('a handler whose lease went to another worker is stopped at the next renewal', async () => {
    let signal: AbortSignal | undefined;
    const { store, d } = await setup(
      {
        k: (ctx) => {
          signal = ctx.signal;
          return new Promise(() => undefined);
        },
      },
      { leaseMs: 3_000, shutdownDeadlineMs: 100 },
    );
    await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'j', payload: {} })], Date.now());
    d.start();
    await until('the handler to start', () => signal !== undefined, 5_000);
    // Another worker took it over (ours expired while we were stalled).
    await store.db.updateTable('jobs').set({ locked_by: 'someone-else' }).execute();
    const deadline = Date.now() + 5_000;
    while (!signal?.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50)); // sleep-ok: the poll interval of a wait with a deadline
    expect(signal?.aborted).toBe(true);
    expect(String(signal?.reason)).toMatch(/lease was lost/);
    expect(d.counters.leaseLost).toBe(1);
    await d.stop();
  });
});

describe('crashes', () => {
  it.each([
    ['start-up release (SQLite)', (db: any, now: number) => releaseOrphanedLeases(db, now, 3)],
    ['expired lease', (db: any, now: number) => reclaimExpiredLeases(db, now + 10_000, 3)],
  ])(
    'a job found running with its worker gone counts a crash; the third is a dead letter (%s)',
    async (_name, recover) => {
      const { store, job } = await setup({});
      await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'j', payload: {} })], Date.now());
      for (let i = 1; i <= 3; i++) {
        expect(await claimJobs(store.db, 'sqlite', 'dead-worker', 1, 1000, Date.now())).toHaveLength(1);
        await recover(store.db, Date.now());
        const j = await job();
        expect(j.crashes).toBe(i);
        expect(j.state).toBe(i < 3 ? 'ready' : 'dead');
      }
      const dl = await store.db.selectFrom('dead_letters').selectAll().execute();
      expect(dl).toHaveLength(1);
      expect(dl[0]!.error).toMatch(/3 time\(s\)/);
    },
  );
});
