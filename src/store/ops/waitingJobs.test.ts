import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { anyJob, anyJobs } from '../../../test/helpers/anyJob.ts';
import { enqueueJobs } from './enqueueJobs.ts';
import { claimJobs } from './claimJobs.ts';
import { takeWaitingJobs } from './waitingJobs.ts';

const { describeStores, make } = await storesUnderTest('src/store/ops/waitingJobs.test.ts');
const T = 1_700_000_000_000;

describeStores('waiting jobs on %s', (kind) => {
  it('a waiting job is never claimed, does not hold up its queue, and is taken out oldest first, once', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const parked = [
      { kind: 'c', key: 'comment-1', queueKey: 'case:C-1', payload: { n: 1 }, maxAttempts: 7 },
      { kind: 'c', key: 'comment-2', queueKey: 'case:C-1', payload: { n: 2 }, maxAttempts: 7 },
    ];
    expect(await enqueueJobs(db, anyJobs(parked), T, 10, 'waiting')).toBe(2);
    await enqueueJobs(
      db,
      [anyJob({ kind: 'c', key: 'other-case', queueKey: 'case:C-2', payload: {} })],
      T,
      10,
      'waiting',
    );
    await enqueueJobs(db, [anyJob({ kind: 't', key: 'create', queueKey: 'case:C-1', payload: {} })], T);
    // The later ready job of the same queue key runs: the parked ones ahead of it do not hold it up.
    expect((await claimJobs(db, store.dialect, 'w', 10, 10_000, T + 1)).map((j) => j.key)).toEqual(['create']);

    expect(await takeWaitingJobs(db, 'case:C-1')).toEqual(parked);
    expect(await takeWaitingJobs(db, 'case:C-1')).toEqual([]);
    const rest = await db.selectFrom('jobs').select(['key', 'state']).orderBy('key').execute();
    expect(rest).toEqual([
      { key: 'create', state: 'running' },
      { key: 'other-case', state: 'waiting' },
    ]);
  });

  it('they come out oldest first whatever order the delete returns them in (no store promises one for RETURNING)', async () => {
    const { store } = await make(kind);
    const parked = [1, 2, 3].map((n) => ({
      kind: 'c',
      key: `comment-${n}`,
      queueKey: 'case:C-1',
      payload: { n },
      maxAttempts: 7,
    }));
    await enqueueJobs(store.db, anyJobs(parked), T, 10, 'waiting');
    // The statement's rows handed back newest first, as a store's plan may.
    const reversed = store.db.withPlugin({
      transformQuery: (a) => a.node,
      transformResult: async (a) => ({ ...a.result, rows: [...a.result.rows].reverse() }),
    });
    expect(await takeWaitingJobs(reversed, 'case:C-1')).toStrictEqual(parked);
  });
});
