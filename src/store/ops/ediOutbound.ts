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
 *
 * `continueAfter`: a LIKE pattern of older scopes this one replaces; a new counter starts after the highest number
 * any of them handed out (so replacing per-partner counters by one per sender repeats no number already sent).
 */
export async function allocateControlNumbers(
  db: Db,
  scope: string,
  kind: ControlKind,
  count: number,
  now: number,
  opts: { continueAfter?: string } = {},
): Promise<number> {
  if (!Number.isInteger(count) || count < 1 || count > 10_000) throw new Error(`control number count ${count}`);
  let start = count;
  if (opts.continueAfter !== undefined) {
    const prev = await db
      .selectFrom('edi_control_numbers')
      .select((eb) => eb.fn.max('last').as('m'))
      .where('kind', '=', kind)
      .where('scope', 'like', opts.continueAfter)
      .where('scope', '<>', scope)
      .executeTakeFirst();
    const seed = Number(prev?.m ?? 0);
    start = seed + count > MAX_CONTROL_NUMBER ? count : seed + count;
  }
  const r = await sql<{ last: number }>`
    INSERT INTO edi_control_numbers (scope, kind, last, updated_at) VALUES (${scope}, ${kind}, ${start}, ${now})
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

export type EdiOutboundChange =
  | { state: 'sent'; sentAt: number; mdn?: string }
  | { state: 'queued'; error: string }
  /** Over AS2: posted, the partner's asynchronous MDN still to come. */
  | { state: 'awaiting_mdn' }
  /** Over AS2: the partner's MDN refused the file or returned another MIC (final until replayed). */
  | { state: 'failed'; error: string; mdn?: string };

/** `countAttempt`: the change ends an attempt that `setEdiOutboundAs2` did not count already. */
export async function markEdiOutboundFile(
  db: Db,
  key: string,
  change: EdiOutboundChange,
  countAttempt = true,
): Promise<void> {
  const set =
    change.state === 'sent'
      ? { state: 'sent', sent_at: change.sentAt, error: null, ...(change.mdn ? { as2_mdn: change.mdn } : {}) }
      : change.state === 'queued'
        ? { error: change.error }
        : change.state === 'awaiting_mdn'
          ? { state: 'awaiting_mdn', error: null }
          : { state: 'failed', error: change.error, ...(change.mdn ? { as2_mdn: change.mdn } : {}) };
  await db
    .updateTable('edi_outbound_files')
    .set({
      ...set,
      ...(countAttempt && (change.state === 'sent' || change.state === 'queued')
        ? { attempts: sql`attempts + 1` }
        : {}),
    })
    .where('key', '=', key)
    // An asynchronous MDN that settled the file while a resend was under way is not undone by the resend's end.
    .$if(change.state === 'awaiting_mdn', (q) => q.where('state', '=', 'queued'))
    .execute();
}

/**
 * An asynchronous MDN that did not come in time: the file is queued again (a replay resends it) with the reason,
 * only while it still waits, so an MDN that settled it meanwhile wins. Returns whether the row changed.
 */
export async function requeueOverdueAs2File(db: Db, key: string, error: string): Promise<boolean> {
  const r = await db
    .updateTable('edi_outbound_files')
    .set({ state: 'queued', error })
    .where('key', '=', key)
    .where('state', '=', 'awaiting_mdn')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Before an AS2 POST: the Message-ID (and MIC) the file goes under, committed first, so an attempt after a lost
 * answer or a crash sends the same Message-ID again. `attempts` counts the POSTs.
 */
export async function setEdiOutboundAs2(
  db: Db,
  key: string,
  a: { partner: string; messageId: string; mic: string },
): Promise<void> {
  await db
    .updateTable('edi_outbound_files')
    .set({
      as2_partner: a.partner,
      as2_message_id: a.messageId,
      as2_mic: a.mic,
      state: 'queued',
      attempts: sql`attempts + 1`,
    })
    .where('key', '=', key)
    .where('state', '!=', 'sent')
    .execute();
}

/** The outbound file sent under an AS2 Message-ID to a partner (an asynchronous MDN names only these). */
export async function findEdiOutboundByAs2MessageId(
  db: Db,
  partner: string,
  messageId: string,
): Promise<EdiOutboundFileRow | null> {
  const row = await db
    .selectFrom('edi_outbound_files')
    .selectAll()
    .where('as2_message_id', '=', messageId)
    .where('as2_partner', '=', partner)
    .executeTakeFirst();
  return row ? { ...row, content: Buffer.from(row.content) } : null;
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
      'as2_partner',
      'as2_message_id',
      'as2_mic',
      'as2_mdn',
    ])
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .orderBy('created_at')
    .execute();
}
