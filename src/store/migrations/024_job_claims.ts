import type { Kysely } from 'kysely';

/**
 * How many times a job was claimed (leased to a worker), counted by the claim and never given back: unlike
 * `attempts`, which a refunded retry (an outage, a 429) lowers again, it tells whether a job ran between two
 * moments. The saved-task look-ups of retried creates use it (flows/shared/savedTaskReads.ts): a list read
 * answers a later look-up only for a job that was ready when the read was taken and has been claimed once
 * since, by the run now asking. Rows from before count from 0.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('jobs')
    .addColumn('claims', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
