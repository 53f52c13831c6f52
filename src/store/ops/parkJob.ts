import type { Transaction } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * Park a leased job (state `waiting`, waitingJobs.ts) until something else takes it out again: its attempt is
 * given back, it is never claimed and does not hold up its queue key. Guarded by the lease like every state
 * change: false when the job is no longer this worker's, and nothing is written.
 */
export async function parkJob(
  db: Transaction<Database>,
  id: number,
  workerId: string,
  reason: string,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set((eb) => ({
      state: 'waiting' as const,
      locked_by: null,
      locked_until: null,
      last_error: reason,
      waiting_on: null,
      updated_at: now,
      attempts: eb('attempts', '-', 1),
    }))
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
