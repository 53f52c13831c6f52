import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { MailboxSentTransactionsTable } from '../mailboxTables.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type SentTransactionRow = MailboxSentTransactionsTable;

/** Remember transactions we sent (awaiting their FA); a transaction recorded already is left as it is. */
export async function recordSentTransactions(db: Db, rows: readonly SentTransactionRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('mailbox_sent_transactions')
    .values([...rows])
    .onConflict((oc) =>
      oc
        .columns(['mailbox', 'us_key', 'partner_key', 'interchange', 'group_control', 'transaction_control'])
        .doNothing(),
    )
    .execute();
}

/** Sent transactions from `usKey` (to `partnerKey`, when given) matching the control numbers / business number given (absent = any). */
export async function findSentTransactions(
  db: Db,
  mailbox: string,
  q: {
    usKey: string;
    partnerKey?: string;
    interchange?: string;
    group?: string;
    transaction?: string;
    businessValue?: string;
  },
): Promise<SentTransactionRow[]> {
  let s = db
    .selectFrom('mailbox_sent_transactions')
    .selectAll()
    .where('mailbox', '=', mailbox)
    .where('us_key', '=', q.usKey);
  if (q.partnerKey !== undefined) s = s.where('partner_key', '=', q.partnerKey);
  if (q.interchange !== undefined) s = s.where('interchange', '=', q.interchange);
  if (q.group !== undefined) s = s.where('group_control', '=', q.group);
  if (q.transaction !== undefined) s = s.where('transaction_control', '=', q.transaction);
  if (q.businessValue !== undefined) s = s.where('business_value', '=', q.businessValue);
  return s.orderBy('sent_at').orderBy('transaction_control').execute();
}

/** Set the FA outcome of one sent transaction (by its key); the JSON copy is kept in step. */
export async function setSentFa(
  db: Db,
  mailbox: string,
  key: { usKey: string; partnerKey: string; interchange: string; group: string; transaction: string },
  fa: string,
  data: string,
): Promise<void> {
  await db
    .updateTable('mailbox_sent_transactions')
    .set({ fa, data })
    .where('mailbox', '=', mailbox)
    .where('us_key', '=', key.usKey)
    .where('partner_key', '=', key.partnerKey)
    .where('interchange', '=', key.interchange)
    .where('group_control', '=', key.group)
    .where('transaction_control', '=', key.transaction)
    .execute();
}

/** Still awaiting an FA with the due time at or before `now`. */
export async function listFaOverdue(db: Db, mailbox: string, now: number): Promise<SentTransactionRow[]> {
  return db
    .selectFrom('mailbox_sent_transactions')
    .selectAll()
    .where('mailbox', '=', mailbox)
    .where('fa', '=', 'awaiting')
    .where('fa_due_at', '<=', now)
    .orderBy('fa_due_at')
    .execute();
}
