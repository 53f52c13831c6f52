import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Mailbox cases held for a missing mapping whose partner id starts with `prefix` (an EDI address not yet mapped). */
export async function listHeldMailboxCases(
  db: Kysely<Database>,
  prefix: string,
  limit = 500,
): Promise<{ id: string; partner_id: string }[]> {
  return db
    .selectFrom('cases')
    .select(['id', 'partner_id'])
    .where('source', 'in', ['mailbox', 'mailbox_test'])
    .where('state', '=', 'needs_mapping')
    .where('partner_id', 'like', `${prefix}%`)
    .orderBy('opened_at')
    .limit(limit)
    .execute();
}
