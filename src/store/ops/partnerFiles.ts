import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A file kept for a partner (`partner_files`), by the record it belongs to (a case, or a request for flow 6) and its hash. */
export async function getPartnerFile(db: Db, entityId: string, sha256: string) {
  return db.selectFrom('partner_files').selectAll().where('case_id', '=', entityId).where('sha256', '=', sha256).executeTakeFirst();
}
