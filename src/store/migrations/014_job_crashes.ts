import type { Kysely } from 'kysely';

/**
 * How many times a job was found running with its worker gone (process killed, lease expired while the
 * event loop was stuck). A job that keeps killing its worker (out of memory, a spin) is dead-lettered
 * after a few crashes instead of being made ready forever.
 */
export async function up(db: Kysely<unknown>, _dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema
    .alterTable('jobs')
    .addColumn('crashes', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
