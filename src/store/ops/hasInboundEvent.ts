import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { boundedKey } from '../../core/boundedKey.ts';
import { fixedStatement } from '../fixedStatement.ts';

// Asked for each changed task by the ClickUp catch-up every minute: built and compiled once (fixedStatement.ts).
const eventKey = fixedStatement((db, source: string, eventId: string) =>
  db.selectFrom('inbound_events').select('event_id').where('source', '=', source).where('event_id', '=', eventId),
);

/**
 * Whether an event is already in the inbox under (source, eventId); reads the key only. The id is bounded as
 * `recordInboundEvent` stored it, so an event recorded under a long id is found by that id.
 */
export async function hasInboundEvent(
  db: Kysely<Database> | Transaction<Database>,
  source: string,
  eventId: string,
): Promise<boolean> {
  return (await db.executeQuery(eventKey(db, source, boundedKey(eventId)))).rows.length > 0;
}
