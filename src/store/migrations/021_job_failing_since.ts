import type { Kysely } from 'kysely';

/**
 * When a job's current run of failures began (epoch ms; null while it has not failed, and again once it is
 * done or replayed). Outage patience (`dispatcher.outage_patience_minutes`) and the rate-limit patience count
 * from it, not from the job's creation: a job created long ago that starts failing now gets its full patience.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('failing_since', 'bigint').execute();
}
