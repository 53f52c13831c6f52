import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Move a leased job to the dead letters with its last error, in one transaction. */
export async function deadLetterJob(
  db: Kysely<Database>,
  id: number,
  workerId: string,
  error: string,
  now: number,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const job = await trx
      .updateTable('jobs')
      .set({ state: 'dead', locked_by: null, locked_until: null, last_error: error, updated_at: now })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .where('state', '=', 'running')
      .returningAll()
      .executeTakeFirst();
    if (!job) return false;
    await trx
      .insertInto('dead_letters')
      .values({
        job_id: Number(job.id),
        kind: job.kind,
        key: job.key,
        queue_key: job.queue_key,
        payload: job.payload,
        error,
        attempts: job.attempts,
        failed_at: now,
        replayed_at: null,
      })
      .execute();
    return true;
  });
}
