import { expect, it } from 'vitest';
import { anyJob } from '../../../test/helpers/anyJob.ts';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { enqueueJobs } from './enqueueJobs.ts';
import { claimJobs } from './claimJobs.ts';
import { retryJob } from './retryJob.ts';
import { recoverCrashedJobs } from './recoverCrashedJobs.ts';
import { listReadyRetries } from './listReadyRetries.ts';

// jobs.claims (migration 024) and the list of jobs ready after a run that the saved-task look-ups keep a read for.
const { describeStores, make } = await storesUnderTest('src/store/ops/listReadyRetries.test.ts');

const T = 1_700_000_000_000;

describeStores('claims and ready retries on %s', (kind) => {
  it('every claim counts, a refunded retry does not take it back (attempts does)', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(db, [anyJob({ kind: 'k', key: 'a', payload: {} })], T);
    const [first] = await claimJobs(db, store.dialect, 'w', 1, 1000, T);
    expect([Number(first!.attempts), Number(first!.claims)]).toEqual([1, 1]);
    await retryJob(db, first!.id, 'w', T, 'down', T);
    const [second] = await claimJobs(db, store.dialect, 'w', 1, 1000, T + 1);
    expect([Number(second!.attempts), Number(second!.claims)]).toEqual([2, 2]);
    await retryJob(db, second!.id, 'w', T + 1, 'down', T + 1, { refundAttempt: true });
    const [third] = await claimJobs(db, store.dialect, 'w', 1, 1000, T + 2);
    // The refund gave the attempt back: attempts alone cannot tell that a run happened in between.
    expect([Number(third!.attempts), Number(third!.claims)]).toEqual([2, 3]);
  });

  it('lists the ready jobs of the kinds asked for that ran before and never lost a worker, with their claims', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      ['ran', 'fresh', 'running', 'crashed', 'done'].map((key) => anyJob({ kind: 'k', key, payload: {} })),
      T,
    );
    await enqueueJobs(db, [anyJob({ kind: 'other', key: 'other', payload: {} })], T);
    const claimed = await claimJobs(db, store.dialect, 'w', 10, 1000, T);
    const id = (key: string) => claimed.find((j) => j.key === key)!.id;
    // 'ran' and 'other' wait; 'crashed' is due again.
    for (const key of ['ran', 'other']) await retryJob(db, id(key), 'w', T + 60_000, 'down', T);
    await retryJob(db, id('crashed'), 'w', T, 'down', T);
    await db.updateTable('jobs').set({ state: 'done' }).where('key', '=', 'done').execute();
    await db
      .updateTable('jobs')
      .set({ state: 'ready', attempts: 0, claims: 0, locked_by: null, run_at: T + 60_000 })
      .where('key', '=', 'fresh')
      .execute();
    // 'crashed' runs again and its worker dies: its lease runs out.
    const [again] = await claimJobs(db, store.dialect, 'w', 1, 1000, T + 1);
    expect(again!.key).toBe('crashed');
    await recoverCrashedJobs(db, { all: false, now: T + 5000, leaseFrom: T + 5000 });
    expect(await listReadyRetries(db, ['k'])).toEqual(new Map([[id('ran'), 1]]));
    expect(await listReadyRetries(db, ['k', 'other'])).toEqual(
      new Map([
        [id('ran'), 1],
        [id('other'), 1],
      ]),
    );
    expect(await listReadyRetries(db, [])).toEqual(new Map());
  });
});
