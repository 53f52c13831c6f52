import type { Kysely } from 'kysely';

/**
 * EDI we write to partners: the control numbers handed out (one counter per sender, receiver and kind, so an
 * ISA13/GS06/ST02 or UNB 0020/UNH 0062 never repeats across restarts or instances), and each outbound file as
 * written (bytes fixed at the decision, so a retry sends the same interchange) until it is delivered.
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema
    .createTable('edi_control_numbers')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('last', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('edi_control_numbers_pk', ['scope', 'kind'])
    .execute();
  await db.schema
    .createTable('edi_outbound_files')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull())
    .addColumn('partner_address', 'text', (c) => c.notNull())
    .addColumn('standard', 'text', (c) => c.notNull())
    .addColumn('set_id', 'text', (c) => c.notNull())
    .addColumn('interchange', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('content', dialect === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('edi_outbound_files_entity')
    .on('edi_outbound_files')
    .columns(['entity', 'entity_id', 'created_at'])
    .execute();
}
