import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The last AC export's copy of one company (JSON), or null when never seen. */
export async function getAcPartner(db: Db, partnerId: string): Promise<string | null> {
  return (
    (await db.selectFrom('ac_partner_snapshot').select('data').where('partner_id', '=', partnerId).executeTakeFirst())
      ?.data ?? null
  );
}

/** Insert or replace one company of the snapshot. */
export async function putAcPartner(
  db: Db,
  partnerId: string,
  status: string,
  data: string,
  now: number,
): Promise<void> {
  await db
    .insertInto('ac_partner_snapshot')
    .values({ partner_id: partnerId, status, data, updated_at: now })
    .onConflict((oc) => oc.column('partner_id').doUpdateSet({ status, data, updated_at: now }))
    .execute();
}
