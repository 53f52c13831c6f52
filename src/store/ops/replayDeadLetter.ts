import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export type ReplayResult = { ok: true; jobId: number } | { ok: false; reason: string };

class ReplayRefused extends Error {}

/**
 * Send a dead letter's job back to the queue with fresh attempts. Replaying twice is refused, not doubled;
 * a replay that cannot be done leaves the dead letter as it was (not marked replayed). The job restarts
 * at attempt 1 done, not 0: its next run counts as a repeat, so its handler first looks for work a
 * failed run may have half done (a task created before the answer was lost) instead of doing it again.
 */
export async function replayDeadLetter(db: Kysely<Database>, deadLetterId: number, now: number): Promise<ReplayResult> {
  try {
    return await replayInTransaction(db, deadLetterId, now);
  } catch (e) {
    if (e instanceof ReplayRefused) return { ok: false, reason: e.message };
    throw e;
  }
}

async function replayInTransaction(db: Kysely<Database>, deadLetterId: number, now: number): Promise<ReplayResult> {
  return db.transaction().execute(async (trx) => {
    const dl = await trx
      .updateTable('dead_letters')
      .set({ replayed_at: now })
      .where('id', '=', deadLetterId)
      .where('replayed_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!dl) {
      const exists = await trx
        .selectFrom('dead_letters')
        .select('replayed_at')
        .where('id', '=', deadLetterId)
        .executeTakeFirst();
      return {
        ok: false,
        reason: exists ? `dead letter ${deadLetterId} was already replayed` : `no dead letter ${deadLetterId}`,
      };
    }
    const r = await trx
      .updateTable('jobs')
      .set({
        state: 'ready',
        run_at: now,
        attempts: 1,
        max_attempts: sql<number>`CASE WHEN max_attempts < 2 THEN 2 ELSE max_attempts END`,
        crashes: 0,
        failing_since: null,
        waiting_on: null,
        locked_by: null,
        locked_until: null,
        updated_at: now,
      })
      .where('id', '=', Number(dl.job_id))
      .where('state', '=', 'dead')
      .executeTakeFirst();
    // Thrown, so the transaction rolls back and the dead letter stays replayable.
    if (Number(r.numUpdatedRows) !== 1)
      throw new ReplayRefused(`job ${dl.job_id} of dead letter ${deadLetterId} is no longer dead`);
    return { ok: true, jobId: Number(dl.job_id) };
  });
}

export async function listDeadLetters(db: Kysely<Database>, opts: { includeReplayed?: boolean; limit?: number } = {}) {
  let q = db
    .selectFrom('dead_letters')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(opts.limit ?? 100);
  if (!opts.includeReplayed) q = q.where('replayed_at', 'is', null);
  return (await q.execute()).map((r) => ({ ...r, id: Number(r.id), job_id: Number(r.job_id) }));
}
