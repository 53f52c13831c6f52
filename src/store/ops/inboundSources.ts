import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Per inbound source (webhook, poll, mailbox): when its last event arrived and how many were stored. */
export async function summarizeInboundSources(
  db: Db,
): Promise<Array<{ source: string; last: number | null; n: number }>> {
  return db
    .selectFrom('inbound_events')
    .select(['source', (eb) => eb.fn.max('received_at').as('last'), (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('source')
    .execute();
}
