import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A file kept for a partner (`partner_files`), by the record it belongs to (a case, or a request for flow 6) and its hash. */
export async function getPartnerFile(db: Db, entityId: string, sha256: string) {
  return db
    .selectFrom('partner_files')
    .selectAll()
    .where('case_id', '=', entityId)
    .where('sha256', '=', sha256)
    .executeTakeFirst();
}

/** Keep a file shared with a partner, once per content hash (a second copy of the same bytes is a no-op). */
export async function savePartnerFile(
  db: Db,
  f: { caseId: string; sha256: string; name: string; contentType: string; content: Buffer },
  now: number,
): Promise<void> {
  await db
    .insertInto('partner_files')
    .values({
      case_id: f.caseId,
      sha256: f.sha256,
      name: f.name,
      content_type: f.contentType,
      size_bytes: f.content.length,
      content: f.content,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['case_id', 'sha256']).doNothing())
    .execute();
}
