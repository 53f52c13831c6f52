import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher, type JobHandler } from './dispatcher.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { until } from '../../test/helpers/until.ts';
import { anyJobs } from '../../test/helpers/anyJob.ts';

// A claimed batch of jobs starts its handlers one event-loop turn apart when yieldBetweenJobs is on, so
// I/O waiting on the loop (a webhook to acknowledge) runs between two handlers' synchronous starts.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function order(yieldBetweenJobs: boolean): Promise<string[]> {
  const tmp = await tempSqliteStore();
  cleanups.push(() => tmp.cleanup());
  const seen: string[] = [];
  let done = 0;
  const handler: JobHandler = async ({ payload }) => {
    const n = (payload as { n: number }).n;
    seen.push(`start ${n}`);
    // The first handler's start queues I/O-like work for the next turn of the loop.
    if (n === 1) setImmediate(() => seen.push('waiting I/O'));
    await Promise.resolve();
    done++;
    return { status: 'done' };
  };
  const d = new Dispatcher(tmp.store, new Map([['k', handler]]), {
    concurrency: 4,
    leaseMs: 60_000,
    pollMs: 10,
    backoffBaseMs: 10,
    backoffMaxMs: 100,
    yieldBetweenJobs,
  });
  await enqueueJobs(
    tmp.store.db,
    anyJobs([1, 2, 3, 4].map((n) => ({ kind: 'k', key: `j${n}`, payload: { n } }))),
    Date.now(),
  );
  d.start();
  cleanups.push(() => d.stop());
  await until('four jobs done', () => done === 4, 10_000);
  return seen;
}

describe('starting a claimed batch', () => {
  it('with yieldBetweenJobs, waiting I/O runs after the first handler starts, before the second', async () => {
    expect(await order(true)).toEqual(['start 1', 'waiting I/O', 'start 2', 'start 3', 'start 4']);
  });

  it('without it, the whole batch starts in one turn, the waiting I/O after it', async () => {
    expect(await order(false)).toEqual(['start 1', 'start 2', 'start 3', 'start 4', 'waiting I/O']);
  });
});
