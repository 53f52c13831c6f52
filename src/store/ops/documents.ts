import type { Kysely, Transaction } from 'kysely';
import type { Database, DocumentsTable } from '../schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type DocumentRow = DocumentsTable;

export async function getDocument(db: Db, caseId: string, sha256: string): Promise<DocumentRow | null> {
  return (
    (await db
      .selectFrom('documents')
      .selectAll()
      .where('case_id', '=', caseId)
      .where('sha256', '=', sha256)
      .executeTakeFirst()) ?? null
  );
}

/**
 * Remember a file of a case by its content hash, and which side(s) hold it. A second sighting of the
 * same bytes only fills in the side that was missing.
 */
export async function recordDocument(db: Db, d: Omit<DocumentRow, 'created_at'>, now: number): Promise<void> {
  await db
    .insertInto('documents')
    .values({ ...d, created_at: now })
    .onConflict((oc) =>
      oc.columns(['case_id', 'sha256']).doUpdateSet((eb) => ({
        tg_document_id: eb.fn.coalesce('documents.tg_document_id', eb.ref('excluded.tg_document_id')),
        cu_attachment_id: eb.fn.coalesce('documents.cu_attachment_id', eb.ref('excluded.cu_attachment_id')),
      })),
    )
    .execute();
}

/** Whether the ClickUp attachment `attachmentId` of the case is already known as one of its documents. */
export async function hasAttachmentDocument(db: Db, caseId: string, attachmentId: string): Promise<boolean> {
  const r = await db
    .selectFrom('documents')
    .select('sha256')
    .where('case_id', '=', caseId)
    .where('cu_attachment_id', '=', attachmentId)
    .executeTakeFirst();
  return r !== undefined;
}

export async function listDocuments(db: Db, caseId: string): Promise<DocumentRow[]> {
  return db.selectFrom('documents').selectAll().where('case_id', '=', caseId).orderBy('created_at').execute();
}
