import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { MailboxProcessedFilesTable } from '../mailboxTables.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type ProcessedFileRow = MailboxProcessedFilesTable;

/** The record of one inbound file (name + content hash) of a mailbox, or null. */
export async function getProcessedFile(
  db: Db,
  mailbox: string,
  name: string,
  sha256: string,
): Promise<ProcessedFileRow | null> {
  return (
    (await db
      .selectFrom('mailbox_processed_files')
      .selectAll()
      .where('mailbox', '=', mailbox)
      .where('name', '=', name)
      .where('sha256', '=', sha256)
      .executeTakeFirst()) ?? null
  );
}

/** The latest file matching a hash and/or a name (what openStoredFile reads). */
export async function findProcessedFile(
  db: Db,
  mailbox: string,
  by: { sha256?: string; name?: string },
): Promise<ProcessedFileRow | null> {
  let q = db.selectFrom('mailbox_processed_files').selectAll().where('mailbox', '=', mailbox);
  if (by.sha256 !== undefined) q = q.where('sha256', '=', by.sha256);
  if (by.name !== undefined) q = q.where('name', '=', by.name);
  // A stored copy first (a removed duplicate has none), then the latest.
  return (
    (await q.orderBy('processed_at', 'desc').execute()).sort(
      (a, b) => Number(b.stored_as !== null) - Number(a.stored_as !== null),
    )[0] ?? null
  );
}

/** Record a processed file; false when (mailbox, name, sha256) was recorded already (the primary key decides). */
export async function markFileProcessed(db: Db, row: ProcessedFileRow): Promise<boolean> {
  const r = await db
    .insertInto('mailbox_processed_files')
    .values(row)
    .onConflict((oc) => oc.columns(['mailbox', 'name', 'sha256']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}
