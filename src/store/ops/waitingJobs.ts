import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { JobRecord } from '../../core/checkedJob.ts';

/**
 * Take the jobs parked (state `waiting`) under `queueKey` out of the table, oldest first, so the caller can queue
 * them again behind the job they were waiting for. Queued again, not made ready where they are: a job runs after
 * the earlier jobs of its queue key, and a parked job is older than the one it waits for (a held case's partner
 * comment is older than the task's create), so made ready in place it would run first, find no task, and hold
 * up the create until it dead-lettered.
 */
export async function takeWaitingJobs(
  db: Kysely<Database> | Transaction<Database>,
  queueKey: string,
): Promise<JobRecord[]> {
  const rows = await db
    .deleteFrom('jobs')
    .where('queue_key', '=', queueKey)
    .where('state', '=', 'waiting')
    .returning(['id', 'kind', 'key', 'queue_key', 'payload', 'max_attempts'])
    .execute();
  return rows
    .sort((a, b) => Number(a.id) - Number(b.id))
    .map((r) => ({
      kind: r.kind,
      key: r.key,
      queueKey: r.queue_key,
      payload: JSON.parse(r.payload) as unknown,
      maxAttempts: r.max_attempts,
    }));
}
