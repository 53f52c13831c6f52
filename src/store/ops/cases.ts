import { sql, type Kysely, type Transaction } from 'kysely';
import type { CaseRecord } from '../../core/case.ts';
import type { Database } from '../schema.ts';
import { recordStatusChange } from './recordStatusChange.ts';
import { fold, foldSink, writeOrFoldCompiled } from '../foldedCommit.ts';
import { fixedStatement } from '../fixedStatement.ts';

type Db = Kysely<Database> | Transaction<Database>;

const CASE_COLUMNS = [
  'id',
  'source',
  'partner_id',
  'kind',
  'partner_status',
  'state',
  'hold_reason',
  'sla_due_at',
  'opened_at',
  'resolved_at',
  'updated_at',
  'data',
] as const;
type CaseRow = Database['cases'];

// One upsert shape for every case (each column a bound value). A record with an unset (undefined) field
// takes the ordinary path, where Kysely leaves that column out.
const upsertCase = fixedStatement((db, ...values: Array<CaseRow[keyof CaseRow]>) => {
  const row = Object.fromEntries(CASE_COLUMNS.map((k, i) => [k, values[i]])) as unknown as CaseRow;
  return db
    .insertInto('cases')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, id: undefined }));
});

/** Insert or replace a case; the indexed columns are projections of the record. */
export async function saveCase(db: Db, c: CaseRecord): Promise<void> {
  const row = {
    id: c.id,
    source: c.source,
    partner_id: c.partnerId,
    kind: c.kind,
    partner_status: c.partnerStatus,
    state: c.state,
    hold_reason: c.holdReason,
    sla_due_at: c.slaDueAt,
    opened_at: c.openedAt,
    resolved_at: c.resolvedAt,
    updated_at: c.updatedAt,
    data: JSON.stringify(c),
  };
  await writeOrFoldCompiled(db, upsertCase(db, ...CASE_COLUMNS.map((k) => row[k])), `cases:${c.id}`);
}

// Read by every case job (intake, status changes, the partner's status): built and compiled once (fixedStatement.ts).
const caseById = fixedStatement((db, id: string) => db.selectFrom('cases').select('data').where('id', '=', id));

export async function getCase(db: Db, id: string): Promise<CaseRecord | null> {
  const row = (await db.executeQuery<{ data: string }>(caseById(db, id))).rows[0];
  return row ? (JSON.parse(row.data) as CaseRecord) : null;
}

export async function listCases(
  db: Db,
  opts: { state?: string; partnerId?: string; limit?: number; offset?: number } = {},
): Promise<CaseRecord[]> {
  let q = db
    .selectFrom('cases')
    .select('data')
    .orderBy('opened_at', 'desc')
    .limit(opts.limit ?? 100)
    .offset(opts.offset ?? 0);
  if (opts.state) q = q.where('state', '=', opts.state);
  if (opts.partnerId) q = q.where('partner_id', '=', opts.partnerId);
  return (await q.execute()).map((r) => JSON.parse(r.data) as CaseRecord);
}

/** Record the partner-visible status we know a case has now (the record's JSON and its indexed column). */
export async function setCasePartnerStatus(
  db: Db,
  id: string,
  status: CaseRecord['partnerStatus'],
  now: number,
  /**
   * The record as the caller read it before its commit. Inside a folded completion (foldedCommit.ts) it lets
   * the change be one statement that sets the status fields in the stored record (no read, and whatever
   * else changed in the record since is kept); the record returned is then `known` with the change.
   */
  known?: CaseRecord | null,
): Promise<CaseRecord | null> {
  const sink = foldSink(db);
  if (sink && known) {
    const resolvedAt = status === 'resolved' ? (known.resolvedAt ?? now) : null;
    fold(
      sink,
      sql`UPDATE cases SET partner_status = ${status}::text, updated_at = ${now}::bigint,
        resolved_at = CASE WHEN ${status}::text = 'resolved' THEN COALESCE(resolved_at, ${now}::bigint) END,
        data = (data::jsonb || jsonb_build_object('partnerStatus', ${status}::text, 'updatedAt', ${now}::bigint,
          'resolvedAt', CASE WHEN ${status}::text = 'resolved' THEN COALESCE(resolved_at, ${now}::bigint) END))::text
        WHERE id = ${id}`.compile(db),
      `cases:${id}`,
    );
    await recordStatusChange(db, id, status, now);
    return { ...known, partnerStatus: status, updatedAt: now, resolvedAt };
  }
  const rec = await getCase(db, id);
  if (!rec) return null;
  const next: CaseRecord = {
    ...rec,
    partnerStatus: status,
    updatedAt: now,
    resolvedAt: status === 'resolved' ? (rec.resolvedAt ?? now) : null,
  };
  await saveCase(db, next);
  // The SLA clock replays this history (pauses while awaiting_documents, stops at resolved).
  await recordStatusChange(db, id, status, now);
  return next;
}

/** Cases held for a missing partner mapping whose partner is one of `partnerIds`. */
export async function listCasesAwaitingMapping(
  db: Db,
  partnerIds: readonly string[],
): Promise<Array<{ id: string; source: string }>> {
  if (partnerIds.length === 0) return [];
  return db
    .selectFrom('cases')
    .select(['id', 'source'])
    .where('state', '=', 'needs_mapping')
    .where('partner_id', 'in', partnerIds)
    .execute();
}

/**
 * Whether case `id` is held for its partner mapping (`needs_mapping`). On PostgreSQL the case's row stays locked
 * until the caller's transaction ends: the intake that takes the case up writes that row before it takes the
 * case's waiting jobs out, so a job parked under this answer is either seen by that take or told the case moved on.
 */
export async function lockCaseIfHeld(
  trx: Transaction<Database>,
  id: string,
  dialect: 'sqlite' | 'postgres',
): Promise<boolean> {
  const q = trx.selectFrom('cases').select('state').where('id', '=', id);
  const r = await (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
  return r?.state === 'needs_mapping';
}
