import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Keep an acknowledgement received in the mailbox in the inbox (source `mailbox_ack`), for the console and
 * the FA figures. No job: the driver has already applied it to the waits. A repeat is a no-op.
 */
export async function recordMailboxAcknowledgement(
  db: Db,
  ack: { eventId: string; type: string; payload: unknown },
  now: number,
): Promise<boolean> {
  const r = await db
    .insertInto('inbound_events')
    .values({
      source: 'mailbox_ack',
      event_id: ack.eventId,
      type: ack.type,
      payload: JSON.stringify(ack.payload),
      received_at: now,
    })
    .onConflict((oc) => oc.columns(['source', 'event_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** The payload of an inbound event (e.g. the mailbox exception a case was made from), or null. */
export async function getInboundEventPayload<T>(db: Db, source: string, eventId: string): Promise<T | null> {
  const row = await db
    .selectFrom('inbound_events')
    .select('payload')
    .where('source', '=', source)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row ? (JSON.parse(row.payload) as T) : null;
}
