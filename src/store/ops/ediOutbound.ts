import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { EdiOutboundFilesTable } from '../ediOutboundTables.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Highest interchange / group / transaction control number (ISA13 and GS06 hold at most 9 digits). */
export const MAX_CONTROL_NUMBER = 999_999_999;

export type ControlKind = 'interchange' | 'group' | 'transaction';

/**
 * Hands out `count` consecutive control numbers of one kind for one scope, in the caller's transaction: one
 * upsert whose row lock serialises concurrent callers (PostgreSQL) or whose write lock does (SQLite), so two
 * instances never get the same number, and a restart continues after the last one handed out. Numbers that a
 * rolled-back transaction took come back; ones a committed transaction took are never handed out again until
 * the counter wraps past MAX_CONTROL_NUMBER to 1. Returns the first of the `count` numbers.
 */
export async function allocateControlNumbers(
  db: Db,
  scope: string,
  kind: ControlKind,
  count: number,
  now: number,
): Promise<number> {
  if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new Error(`control number count ${count}`);
  const r = await sql<{ last: number }>`
    INSERT INTO edi_control_numbers (scope, kind, last, updated_at) VALUES (${scope}, ${kind}, ${count}, ${now})
    ON CONFLICT (scope, kind) DO UPDATE SET
      last = CASE WHEN edi_control_numbers.last + ${count} > ${MAX_CONTROL_NUMBER} THEN ${count}
                  ELSE edi_control_numbers.last + ${count} END,
      updated_at = ${now}
    RETURNING last`.execute(db);
  return Number(r.rows[0]!.last) - count + 1;
}

export type EdiOutboundFileRow = EdiOutboundFilesTable;

/** Records an outbound file; false when its key is recorded already (the first one stands). */
export async function insertEdiOutboundFile(db: Db, row: EdiOutboundFileRow): Promise<boolean> {
  const r = await db
    .insertInto('edi_outbound_files')
    .values(row)
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function getEdiOutboundFile(db: Db, key: string): Promise<EdiOutboundFileRow | null> {
  const row = await db.selectFrom('edi_outbound_files').selectAll().where('key', '=', key).executeTakeFirst();
  if (!row) return null;
  return { ...row, content: Buffer.from(row.content) };
}

export async function markEdiOutboundFile(
  db: Db,
  key: string,
  change: { state: 'sent'; sentAt: number } | { state: 'queued'; error: string },
): Promise<void> {
  await db
    .updateTable('edi_outbound_files')
    .set(
      change.state === 'sent'
        ? { state: 'sent', sent_at: change.sentAt, error: null, attempts: sql`attempts + 1` }
        : { error: change.error, attempts: sql`attempts + 1` },
    )
    .where('key', '=', key)
    .execute();
}

/** The outbound files about one entity (an approval, a case), oldest first: what was sent to the partner, and when. */
export async function listEdiOutboundFiles(
  db: Db,
  entity: string,
  entityId: string,
): Promise<Array<Omit<EdiOutboundFileRow, 'content'>>> {
  return db
    .selectFrom('edi_outbound_files')
    .select([
      'key',
      'partner_id',
      'partner_address',
      'standard',
      'set_id',
      'interchange',
      'name',
      'entity',
      'entity_id',
      'state',
      'attempts',
      'error',
      'created_at',
      'sent_at',
    ])
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .orderBy('created_at')
    .execute();
}
