import type { Kysely, Transaction } from 'kysely';
import type { CaseRecord } from '../../core/case.ts';
import type { Database } from '../schema.ts';

/** Partner id → name as last seen on one of its cases (names live in the record JSON), for reports. */
export async function listPartnerNames(
  db: Kysely<Database> | Transaction<Database>,
  partnerIds: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const id of partnerIds) {
    const row = await db
      .selectFrom('cases')
      .select('data')
      .where('partner_id', '=', id)
      .orderBy('opened_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    const name = row ? (JSON.parse(row.data) as CaseRecord).partnerName : null;
    if (name) out.set(id, name);
  }
  return out;
}
