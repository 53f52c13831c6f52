import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export type ReplayResult = { ok: true; jobId: number } | { ok: false; reason: string };

/** Send a dead letter's job back to the queue with fresh attempts. Replaying twice is refused, not doubled. */
export async function replayDeadLetter(db: Kysely<Database>, deadLetterId: number, now: number): Promise<ReplayResult> {
  return db.transaction().execute(async (trx) => {
    const dl = await trx
      .updateTable('dead_letters')
      .set({ replayed_at: now })
      .where('id', '=', deadLetterId)
      .where('replayed_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!dl) {
      const exists = await trx.selectFrom('dead_letters').select('replayed_at').where('id', '=', deadLetterId).executeTakeFirst();
      return { ok: false, reason: exists ? `dead letter ${deadLetterId} was already replayed` : `no dead letter ${deadLetterId}` };
    }
    const r = await trx
      .updateTable('jobs')
      .set({ state: 'ready', run_at: now, attempts: 0, locked_by: null, locked_until: null, updated_at: now })
      .where('id', '=', Number(dl.job_id))
      .where('state', '=', 'dead')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return { ok: false, reason: `job ${dl.job_id} of dead letter ${deadLetterId} is no longer dead` };
    return { ok: true, jobId: Number(dl.job_id) };
  });
}

export async function listDeadLetters(db: Kysely<Database>, opts: { includeReplayed?: boolean; limit?: number } = {}) {
  let q = db.selectFrom('dead_letters').selectAll().orderBy('id', 'desc').limit(opts.limit ?? 100);
  if (!opts.includeReplayed) q = q.where('replayed_at', 'is', null);
  return (await q.execute()).map((r) => ({ ...r, id: Number(r.id), job_id: Number(r.job_id) }));
}
