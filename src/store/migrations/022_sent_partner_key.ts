import { sql, type Kysely } from 'kysely';

const KEY = ['mailbox', 'us_key', 'partner_key', 'interchange', 'group_control', 'transaction_control'];
/** The table as 006_mailbox made it: name, type, not null. */
const COLUMNS: ReadonlyArray<[string, 'text' | 'bigint', boolean]> = [
  ['mailbox', 'text', true],
  ['us_key', 'text', true],
  ['interchange', 'text', true],
  ['group_control', 'text', true],
  ['transaction_control', 'text', true],
  ['partner_key', 'text', true],
  ['business_value', 'text', false],
  ['fa', 'text', true],
  ['fa_due_at', 'bigint', true],
  ['sent_at', 'bigint', true],
  ['data', 'text', true],
];

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
  let table = db.schema.createTable('mailbox_sent_transactions_022');
  for (const [name, type, notNull] of COLUMNS) table = table.addColumn(name, type, (c) => (notNull ? c.notNull() : c));
  await table.addPrimaryKeyConstraint('mailbox_sent_transactions_pk', KEY as never).execute();
  const cols = sql.join(COLUMNS.map(([name]) => sql.id(name)));
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
