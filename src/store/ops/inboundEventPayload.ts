import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

/** The stored payload of an inbox event (parsed JSON), or null when there is none under (source, eventId). */
export async function inboundEventPayload(
  db: Kysely<Database> | Transaction<Database>,
  source: string,
  eventId: string,
): Promise<unknown> {
  const row = await db
    .selectFrom('inbound_events')
    .select('payload')
    .where('source', '=', source)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  if (!row) return null;
  return typeof row.payload === 'string' ? (JSON.parse(row.payload) as unknown) : row.payload;
}
