import { sql, type Kysely } from 'kysely';

const KEY = ['mailbox', 'us_key', 'partner_key', 'interchange', 'group_control', 'transaction_control'];

/**
 * A sent transaction is known by its partner too: many translators number interchanges and groups per trading
 * partner, so two partners' 850s from the same sender may both be group 1001. Keyed without the partner, the
 * second was not recorded and the first partner's FA state was set by the other partner's 997.
 */
export async function up(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  if (dialect === 'postgres') {
    await sql`ALTER TABLE mailbox_sent_transactions DROP CONSTRAINT mailbox_sent_transactions_pk`.execute(db);
    await sql`ALTER TABLE mailbox_sent_transactions ADD CONSTRAINT mailbox_sent_transactions_pk PRIMARY KEY (${sql.join(KEY.map((c) => sql.id(c)))})`.execute(
      db,
    );
    return;
  }
  // SQLite cannot change a primary key in place: the table is rebuilt, its rows and indexes kept.
  await db.schema
    .createTable('mailbox_sent_transactions_022')
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
    .addPrimaryKeyConstraint('mailbox_sent_transactions_pk', KEY as never)
    .execute();
  const cols = sql.join(
    [
      'mailbox',
      'us_key',
      'interchange',
      'group_control',
      'transaction_control',
      'partner_key',
      'business_value',
      'fa',
      'fa_due_at',
      'sent_at',
      'data',
    ].map((c) => sql.id(c)),
  );
  await sql`INSERT INTO mailbox_sent_transactions_022 (${cols}) SELECT ${cols} FROM mailbox_sent_transactions`.execute(
    db,
  );
  await db.schema.dropTable('mailbox_sent_transactions').execute();
  await db.schema.alterTable('mailbox_sent_transactions_022').renameTo('mailbox_sent_transactions').execute();
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
}
