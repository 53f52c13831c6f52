import type { Kysely } from 'kysely';

/** State of the `mailbox` (EDI) and `ac_csv` drivers: processed files, FA waits, orders/ASNs, the AC partner snapshot. */
export async function up(db: Kysely<unknown>, _dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema
    .createTable('mailbox_processed_files')
    .addColumn('mailbox', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('stored_as', 'text')
    .addColumn('processed_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('mailbox_processed_files_pk', ['mailbox', 'name', 'sha256'])
    .execute();
  await db.schema
    .createIndex('mailbox_processed_files_sha')
    .on('mailbox_processed_files')
    .columns(['mailbox', 'sha256', 'processed_at'])
    .execute();

  await db.schema
    .createTable('mailbox_sent_transactions')
    .addColumn('mailbox', 'text', (c) => c.notNull())
    .addColumn('us_key', 'text', (c) => c.notNull())
    .addColumn('interchange', 'text', (c) => c.notNull())
    .addColumn('group_control', 'text', (c) => c.notNull())
    .addColumn('transaction_control', 'text', (c) => c.notNull())
    .addColumn('partner_key', 'text', (c) => c.notNull())
    .addColumn('business_value', 'text')
    .addColumn('fa', 'text', (c) => c.notNull())
    .addColumn('fa_due_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mailbox_sent_transactions_pk', [
      'mailbox',
      'us_key',
      'interchange',
      'group_control',
      'transaction_control',
    ])
    .execute();
  await db.schema
    .createIndex('mailbox_sent_fa_due')
    .on('mailbox_sent_transactions')
    .columns(['mailbox', 'fa', 'fa_due_at'])
    .execute();
  await db.schema
    .createIndex('mailbox_sent_group')
    .on('mailbox_sent_transactions')
    .columns(['mailbox', 'us_key', 'group_control'])
    .execute();

  await db.schema
    .createTable('mailbox_orders')
    .addColumn('mailbox', 'text', (c) => c.notNull())
    .addColumn('partner_key', 'text', (c) => c.notNull())
    .addColumn('po_number', 'text', (c) => c.notNull())
    .addColumn('asn_seen', 'integer', (c) => c.notNull())
    .addColumn('asn_missing_reported', 'integer', (c) => c.notNull())
    .addColumn('asn_due_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mailbox_orders_pk', ['mailbox', 'partner_key', 'po_number'])
    .execute();
  await db.schema
    .createIndex('mailbox_orders_asn_due')
    .on('mailbox_orders')
    .columns(['mailbox', 'asn_seen', 'asn_missing_reported', 'asn_due_at'])
    .execute();

  await db.schema
    .createTable('mailbox_shipments')
    .addColumn('mailbox', 'text', (c) => c.notNull())
    .addColumn('partner_key', 'text', (c) => c.notNull())
    .addColumn('po_number', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('mailbox_shipments_pk', ['mailbox', 'partner_key', 'po_number', 'source'])
    .execute();

  await db.schema
    .createTable('ac_partner_snapshot')
    .addColumn('partner_id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}
