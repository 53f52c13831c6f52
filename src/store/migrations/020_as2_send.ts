import type { Kysely } from 'kysely';

/**
 * Outbound EDI files sent over AS2: the Message-ID each is sent under (kept from the first attempt, so a
 * resend after a lost answer carries the same one and the partner can recognise it), the AS2 partner, the MIC
 * its MDN must return, and what the MDN said. Indexed by Message-ID: an asynchronous MDN names only that.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('edi_outbound_files').addColumn('as2_partner', 'text').execute();
  await db.schema.alterTable('edi_outbound_files').addColumn('as2_message_id', 'text').execute();
  await db.schema.alterTable('edi_outbound_files').addColumn('as2_mic', 'text').execute();
  await db.schema.alterTable('edi_outbound_files').addColumn('as2_mdn', 'text').execute();
  await db.schema
    .createIndex('edi_outbound_files_as2_message')
    .on('edi_outbound_files')
    .column('as2_message_id')
    .execute();
}
