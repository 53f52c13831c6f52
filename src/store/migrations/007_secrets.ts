import type { Kysely } from 'kysely';

/**
 * Secrets the bridge learns at run time (the ClickUp webhook secret returned at
 * registration), sealed with AES-256-GCM (src/store/secretBox.ts). `key_id` names the sealing key so
 * `gridbridge secrets rotate-key` finds the rows still sealed with an older one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
