import type { Kysely } from 'kysely';

/**
 * Partner page requests counted per key (a link's id, a client address) and one-minute window,
 * in the database so every instance behind a balancer counts against the same limit.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('partner_page_hits')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('window', 'bigint', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('partner_page_hits_pk', ['key', 'window'])
    .execute();
  await db.schema.createIndex('partner_page_hits_window').on('partner_page_hits').column('window').execute();
}
