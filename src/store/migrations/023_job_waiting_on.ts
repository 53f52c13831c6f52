import type { Kysely } from 'kysely';

/**
 * The remote whose outage a ready job is waiting out (e.g. 'clickup'; null otherwise): set when a job is put
 * back because that remote was unavailable (5xx, 408, no answer), cleared by any other retry and by a replay.
 * When the remote answers again, the jobs waiting on it are made due at once (makeDueAfterOutage) instead of
 * sleeping out an outage backoff of up to `dispatcher.backoff_max_ms` after it recovered.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('waiting_on', 'text').execute();
  // The release reads the ready jobs of one remote whose run_at is ahead; few rows carry a value.
  await db.schema.createIndex('jobs_waiting_on').on('jobs').columns(['waiting_on', 'run_at']).execute();
}
