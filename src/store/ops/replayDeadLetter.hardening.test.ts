import { afterEach, describe, expect, it } from 'vitest';
import { anyJob } from '../../../test/helpers/anyJob.ts';
import { tempSqliteStore } from '../../../test/helpers/tempStore.ts';
import { enqueueJobs } from './enqueueJobs.ts';
import { claimJobs } from './claimJobs.ts';
import { deadLetterJob } from './deadLetterJob.ts';
import { replayDeadLetter } from './replayDeadLetter.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function deadJob() {
  const t = await tempSqliteStore();
  cleanups.push(t.cleanup);
  const db = t.store.db;
  await enqueueJobs(db, [anyJob({ kind: 'k', key: 'j', payload: {} })], 1_000);
  const [job] = await claimJobs(db, 'sqlite', 'w', 1, 1000, 1_000);
  await deadLetterJob(db, job!.id, 'w', 'boom', 1_000);
  const dl = await db.selectFrom('dead_letters').select('id').executeTakeFirstOrThrow();
  return { db, jobId: job!.id, dlId: Number(dl.id) };
}

describe('dead-letter replay', () => {
  it('a replay that cannot be done does not mark the dead letter replayed', async () => {
    const { db, jobId, dlId } = await deadJob();
    // Someone else already revived the job (an operator's SQL, another replay path).
    await db.updateTable('jobs').set({ state: 'ready' }).where('id', '=', jobId).execute();
    const r = await replayDeadLetter(db, dlId, 2_000);
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/no longer dead/) });
    expect(
      (await db.selectFrom('dead_letters').select('replayed_at').executeTakeFirstOrThrow()).replayed_at,
    ).toBeNull();
  });

  it('the replayed run counts as a repeat (attempt 2), so its handler looks for half-done work first', async () => {
    const { db, dlId } = await deadJob();
    expect((await replayDeadLetter(db, dlId, 2_000)).ok).toBe(true);
    const [again] = await claimJobs(db, 'sqlite', 'w2', 1, 1000, 2_000);
    expect(again!.attempts).toBeGreaterThanOrEqual(2);
    expect(again!.attempts).toBeLessThan(again!.max_attempts);
  });
});
