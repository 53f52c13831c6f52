import type { Kysely, Transaction, Generated } from 'kysely';
import type { Database } from '../schema.ts';
import { stringField } from '../../core/payloadField.ts';
import type { NewJob } from './enqueueJobs.ts';

/** Row of `partner_changes` (migration 016_partner_guard). Times are ms epochs. */
export interface PartnerChangesTable {
  id: Generated<number>;
  actor: string;
  at: number;
  case_id: string | null;
  kind: string;
  job_key: string;
  queue_key: string | null;
  payload: string;
  state: 'sent' | 'held' | 'released' | 'dropped';
  reason: string | null;
  decided_by: string | null;
  decided_at: number | null;
}

type Db = Kysely<Database> | Transaction<Database>;
const t = (db: Db) => (db as Kysely<Database>).withTables<{ partner_changes: PartnerChangesTable }>();

export interface HeldChange {
  id: number;
  actor: string;
  at: number;
  caseId: string | null;
  kind: string;
  reason: string | null;
  /** What would reach the partner, in short. */
  summary: string;
}

/** Partner-visible changes by one person since `since` (sent or held). */
export async function countRecentChanges(db: Db, actor: string, since: number): Promise<number> {
  const r = await t(db)
    .selectFrom('partner_changes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('actor', '=', actor)
    .where('at', '>=', since)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Count one change; a job key seen before is not counted twice (a redelivered webhook). Returns false then. */
export async function recordChange(
  db: Db,
  c: { actor: string; at: number; job: NewJob; state: 'sent' | 'held'; reason?: string | null; caseId?: string },
): Promise<boolean> {
  const r = await t(db)
    .insertInto('partner_changes')
    .values({
      actor: c.actor,
      at: c.at,
      case_id: c.caseId ?? stringField(c.job.payload, 'caseId'),
      kind: c.job.kind,
      job_key: c.job.key,
      queue_key: c.job.queueKey ?? null,
      payload: JSON.stringify({ payload: c.job.payload, maxAttempts: c.job.maxAttempts ?? null }),
      state: c.state,
      reason: c.reason ?? null,
      decided_by: null,
      decided_at: null,
    })
    .onConflict((oc) => oc.column('job_key').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

function summarize(kind: string, payloadJson: string): string {
  const p = (JSON.parse(payloadJson) as { payload?: Record<string, unknown> }).payload ?? {};
  if (kind === 'tradinggrid.set_status') return `status → ${String(p.status)}`;
  if (kind === 'tradinggrid.add_comment') return `comment: ${String(p.body ?? '').slice(0, 80)}`;
  if (kind === 'tradinggrid.upload_document') return `file: ${String(p.title ?? '')}`;
  if (kind === 'approval.post_decision') return `decision on ${String(p.requestId)} → ${String(p.outcome)}`;
  if (kind === 'approval.post_comment')
    return `comment on ${String(p.requestId)}: ${String(p.text ?? '').slice(0, 80)}`;
  if (kind === 'onboarding.set_partner_status') return `partner ${String(p.partnerId)} → ${String(p.status)}`;
  if (kind === 'rollout.start') return `notice: ${String(p.title ?? '').slice(0, 80)}`;
  if (kind === 'cu.event') {
    // A ClickUp change kept to be read again (a status the mapping does not know yet, an unreadable decision).
    const items = Array.isArray(p.history_items) ? (p.history_items as Array<Record<string, unknown>>) : [];
    const status = items.find((i) => i.field === 'status')?.after as { status?: unknown } | string | undefined;
    const name = typeof status === 'string' ? status : status?.status;
    return name !== undefined
      ? `ClickUp status of task ${String(p.task_id)} → "${String(name)}"`
      : `ClickUp change of task ${String(p.task_id)}: ${items.map((i) => String(i.field)).join(', ')}`;
  }
  if (kind === 'group.build') {
    const plan = (p.plan ?? {}) as Record<string, unknown>;
    return `${String(plan.entity)} ${String(plan.groupId)}: task ${String(p.index)} of the group`;
  }
  return kind;
}

export async function listHeldChanges(db: Db, limit = 1000): Promise<HeldChange[]> {
  const rows = await t(db)
    .selectFrom('partner_changes')
    .selectAll()
    .where('state', '=', 'held')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    actor: r.actor,
    at: Number(r.at),
    caseId: r.case_id,
    kind: r.kind,
    reason: r.reason,
    summary: summarize(r.kind, r.payload),
  }));
}

export async function countHeldByActor(db: Db): Promise<Array<{ actor: string; n: number }>> {
  const rows = await t(db)
    .selectFrom('partner_changes')
    .select(['actor', (eb) => eb.fn.countAll<number>().as('n')])
    .where('state', '=', 'held')
    .groupBy('actor')
    .execute();
  return rows.map((r) => ({ actor: r.actor, n: Number(r.n) }));
}

export type HeldSelector = { ids: number[] } | { actor: string } | { all: true };

/**
 * Mark the selected held changes released or dropped (only those still held, so two admins never release
 * one twice) and return them with their jobs; the caller enqueues the released ones in the same transaction.
 */
export async function decideHeldChanges(
  db: Db,
  sel: HeldSelector,
  to: 'released' | 'dropped',
  by: string,
  now: number,
): Promise<Array<{ id: number; caseId: string | null; actor: string; job: NewJob }>> {
  let q = t(db).selectFrom('partner_changes').selectAll().where('state', '=', 'held');
  if ('ids' in sel) q = q.where('id', 'in', sel.ids.length ? sel.ids : [-1]);
  else if ('actor' in sel) q = q.where('actor', '=', sel.actor);
  const rows = await q.orderBy('id').execute();
  const out: Array<{ id: number; caseId: string | null; actor: string; job: NewJob }> = [];
  for (const r of rows) {
    const u = await t(db)
      .updateTable('partner_changes')
      .set({ state: to, decided_by: by, decided_at: now })
      .where('id', '=', r.id)
      .where('state', '=', 'held')
      .executeTakeFirst();
    if (Number(u.numUpdatedRows) === 0) continue;
    const stored = JSON.parse(r.payload) as { payload: unknown; maxAttempts: number | null };
    out.push({
      id: Number(r.id),
      caseId: r.case_id,
      actor: r.actor,
      job: {
        kind: r.kind,
        key: r.job_key,
        queueKey: r.queue_key,
        payload: stored.payload,
        ...(stored.maxAttempts ? { maxAttempts: stored.maxAttempts } : {}),
      },
    });
  }
  return out;
}

/** The state of the change a job key was counted as, if any. */
export async function changeState(db: Db, jobKey: string): Promise<PartnerChangesTable['state'] | null> {
  const r = await t(db).selectFrom('partner_changes').select('state').where('job_key', '=', jobKey).executeTakeFirst();
  return r?.state ?? null;
}

/**
 * The state of the latest change counted under a key or a key made from it (`<key>:…`): a change a ClickUp
 * delivery holds may be delivered again (a redelivery, the catch-up), and is held once.
 */
export async function latestChangeState(db: Db, key: string): Promise<PartnerChangesTable['state'] | null> {
  const r = await t(db)
    .selectFrom('partner_changes')
    .select('state')
    .where((eb) =>
      eb.or([eb('job_key', '=', key), eb.and([eb('job_key', '>=', `${key}:`), eb('job_key', '<', `${key};`)])]),
    )
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r?.state ?? null;
}
