import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { MailboxOrdersTable } from '../mailboxTables.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type OrderRow = MailboxOrdersTable;

/** Remember an 850 until its 856; the first record of a PO wins. */
export async function recordOrder(db: Db, row: OrderRow): Promise<void> {
  await db
    .insertInto('mailbox_orders')
    .values(row)
    .onConflict((oc) => oc.columns(['mailbox', 'partner_key', 'po_number']).doNothing())
    .execute();
}

export async function getOrder(db: Db, mailbox: string, partnerKey: string, po: string): Promise<OrderRow | null> {
  return (
    (await db
      .selectFrom('mailbox_orders')
      .selectAll()
      .where('mailbox', '=', mailbox)
      .where('partner_key', '=', partnerKey)
      .where('po_number', '=', po)
      .executeTakeFirst()) ?? null
  );
}

/** An 856 for the PO arrived. */
export async function markAsnSeen(db: Db, mailbox: string, partnerKey: string, po: string): Promise<void> {
  await db
    .updateTable('mailbox_orders')
    .set({ asn_seen: 1 })
    .where('mailbox', '=', mailbox)
    .where('partner_key', '=', partnerKey)
    .where('po_number', '=', po)
    .execute();
}

/** asn_missing was raised for the PO: never again. */
export async function markAsnMissingReported(db: Db, mailbox: string, partnerKey: string, po: string): Promise<void> {
  await db
    .updateTable('mailbox_orders')
    .set({ asn_missing_reported: 1 })
    .where('mailbox', '=', mailbox)
    .where('partner_key', '=', partnerKey)
    .where('po_number', '=', po)
    .execute();
}

/** Orders without an 856 whose window ended at or before `now`, not yet reported. */
export async function listAsnOverdue(db: Db, mailbox: string, now: number): Promise<OrderRow[]> {
  return db
    .selectFrom('mailbox_orders')
    .selectAll()
    .where('mailbox', '=', mailbox)
    .where('asn_seen', '=', 0)
    .where('asn_missing_reported', '=', 0)
    .where('asn_due_at', '<=', now)
    .orderBy('asn_due_at')
    .orderBy('po_number')
    .execute();
}
