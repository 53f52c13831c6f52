import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

/** Mark a leased job done. False when this worker no longer holds the lease: it must not act on the result. */
export async function completeJob(db: Kysely<Database> | Transaction<Database>, id: number, workerId: string, now: number): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ state: 'done', locked_by: null, locked_until: null, last_error: null, updated_at: now })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
