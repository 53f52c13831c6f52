import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Cases opened from mailbox files, oldest first, with the type of the inbound event each came from. */
export async function listMailboxCases(
  db: Kysely<Database>,
): Promise<Array<{ id: string; partner_id: string; type: string }>> {
  return db
    .selectFrom('cases')
    .innerJoin('inbound_events', (j) =>
      j.onRef('inbound_events.event_id', '=', 'cases.id').on('inbound_events.source', '=', 'mailbox'),
    )
    .select(['cases.id', 'cases.partner_id', 'inbound_events.type'])
    .where('cases.source', '=', 'mailbox')
    .orderBy('cases.opened_at')
    .orderBy('cases.id')
    .execute();
}
