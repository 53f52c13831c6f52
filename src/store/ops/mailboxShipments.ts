import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Add the lines one 856 (`source`) shipped for a PO; the same source again is a no-op (primary key). */
export async function addShipment(
  db: Db,
  mailbox: string,
  partnerKey: string,
  po: string,
  source: string,
  lines: unknown[],
  now: number,
): Promise<void> {
  await db
    .insertInto('mailbox_shipments')
    .values({ mailbox, partner_key: partnerKey, po_number: po, source, lines: JSON.stringify(lines), created_at: now })
    .onConflict((oc) => oc.columns(['mailbox', 'partner_key', 'po_number', 'source']).doNothing())
    .execute();
}

/** Every line shipped for a PO so far, in arrival order. */
export async function getShipped<T>(db: Db, mailbox: string, partnerKey: string, po: string): Promise<T[]> {
  const rows = await db
    .selectFrom('mailbox_shipments')
    .select('lines')
    .where('mailbox', '=', mailbox)
    .where('partner_key', '=', partnerKey)
    .where('po_number', '=', po)
    .orderBy('created_at')
    .execute();
  return rows.flatMap((r) => JSON.parse(r.lines) as T[]);
}
