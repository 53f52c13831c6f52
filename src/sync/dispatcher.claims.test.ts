import { afterEach, expect, it, vi } from 'vitest';
import { anyJob } from '../../test/helpers/anyJob.ts';
import { Dispatcher, type JobHandler } from './dispatcher.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { throughout, until } from '../../test/helpers/until.ts';

// The claim loop seen at its claims: a hook runs after each claim returns, before the loop sees its jobs.
const hooks = vi.hoisted(() => ({ afterClaim: null as null | ((found: number) => Promise<void>) }));
vi.mock('../store/ops/claimJobs.ts', async (importOriginal) => {
  const orig = await importOriginal<typeof import('../store/ops/claimJobs.ts')>();
  return {
    ...orig,
    claimJobs: async (...args: Parameters<typeof orig.claimJobs>) => {
      const rows = await orig.claimJobs(...args);
      await hooks.afterClaim?.(rows.length);
      return rows;
    },
  };
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  hooks.afterClaim = null;
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('a claim that found jobs but did not fill the free slots is followed at once by another: work enqueued meanwhile starts without a poll', async () => {
  const tmp = await tempSqliteStore();
  cleanups.push(() => tmp.cleanup());
  const waiting: Array<() => void> = [];
  const started: string[] = [];
  const handler: JobHandler = (ctx) => {
    started.push(ctx.job.key);
    return new Promise((r) => waiting.push(() => r({ status: 'done' })));
  };
  // A poll a minute away and no job finishing: only a claim straight after the first can find the second job.
  const d = new Dispatcher(tmp.store, new Map([['k', handler]]), {
    concurrency: 8,
    leaseMs: 30_000,
    pollMs: 60_000,
    backoffBaseMs: 10,
    backoffMaxMs: 20,
    shutdownDeadlineMs: 100,
  });
  cleanups.push(() => d.stop());
  await enqueueJobs(tmp.store.db, [anyJob({ kind: 'k', key: 'first', payload: {} })], Date.now());
  let enqueued = false;
  hooks.afterClaim = async (found) => {
    if (found === 0 || enqueued) return;
    enqueued = true;
    await enqueueJobs(tmp.store.db, [anyJob({ kind: 'k', key: 'meanwhile', payload: {} })], Date.now());
  };
  d.start();
  await until('the job enqueued during the first claim to start', () => started.length === 2, 5_000);
  expect(started).toEqual(['first', 'meanwhile']);
  await throughout('nothing more', () => started.length === 2, 200);
  for (const r of waiting.splice(0)) r();
});
