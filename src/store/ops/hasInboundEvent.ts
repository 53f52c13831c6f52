import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

/** Whether an event is already in the inbox under (source, eventId); reads the key only. */
export async function hasInboundEvent(
  db: Kysely<Database> | Transaction<Database>,
  source: string,
  eventId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('inbound_events')
    .select('event_id')
    .where('source', '=', source)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row !== undefined;
}
