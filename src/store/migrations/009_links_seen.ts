import type { Kysely } from 'kysely';

/**
 * Issue #10 (found by the chaos run): the ClickUp time up to which a linked task's changes reached us by
 * webhook, so the catch-up reads again only tasks whose later changes were lost (files, not just status).
 */
export async function up(db: Kysely<any>, _dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema.alterTable('links').addColumn('cu_seen_at', 'bigint').execute();
}
