import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { announceNewJobs } from './enqueueJobs.ts';

/**
 * `remote` answers again after an outage: the ready jobs waiting it out (jobs.waiting_on, set when it was
 * unavailable) are made due now instead of at the end of their outage backoff, which grows to
 * `dispatcher.backoff_max_ms` (5 minutes by default) while the outage lasts. Their attempts, failing_since and
 * queue order are left as they are. On PostgreSQL the idle workers of every instance are told (`announceNewJobs`).
 * Returns how many jobs were made due.
 */
export async function makeDueAfterOutage(db: Kysely<Database>, remote: string, now: number): Promise<number> {
  const r = await db
    .updateTable('jobs')
    .set({ run_at: now })
    .where('state', '=', 'ready')
    .where('waiting_on', '=', remote)
    .where('run_at', '>', now)
    .executeTakeFirst();
  const n = Number(r.numUpdatedRows);
  if (n > 0) await announceNewJobs(db);
  return n;
}
