import type { Kysely } from 'kysely';

/**
 * Found by the chaos run: the ClickUp time up to which the catch-up has read a linked task's
 * files (or creation saw the whole task), so it reads each change once, not at every check.
 */
export async function up(db: Kysely<unknown>, _dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema.alterTable('links').addColumn('cu_seen_at', 'bigint').execute();
}
