import type { Transaction } from 'kysely';
import { boundedKey } from '../../core/boundedKey.ts';
import type { CheckedJob } from '../../core/checkedJob.ts';
import type { Database } from '../schema.ts';
import { enqueueJobs } from './enqueueJobs.ts';

/** Make a waiting job (by its key) due now, e.g. one parked until something else happened. One guarded statement. */
export async function advanceReadyJob(trx: Transaction<Database>, key: string, now: number): Promise<boolean> {
  const r = await trx
    .updateTable('jobs')
    .set({ run_at: now, updated_at: now })
    .where('key', '=', boundedKey(key))
    .where('state', '=', 'ready')
    .where('run_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Queue `job`, or, when a job of its key already waits (parked until something else happened), make it due
 * now. The advance runs whatever the insert answered: inside a folded completion the insert's count is of
 * the jobs asked for, not of the new ones, so "advance only when nothing was inserted" never advanced there
 * (and the read-back update makes the commit run the ordinary way, in a transaction).
 */
export async function enqueueOrMakeDue(
  trx: Transaction<Database>,
  job: CheckedJob,
  now: number,
  defaultMaxAttempts?: number,
): Promise<void> {
  await enqueueJobs(trx, [job], now, defaultMaxAttempts);
  await advanceReadyJob(trx, job.key, now);
}
