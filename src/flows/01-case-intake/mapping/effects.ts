import type { Transaction } from 'kysely';
import type { SyncContext } from '../../../sync/context.ts';
import type { JobOutcome } from '../../../sync/dispatcher.ts';
import type { Database } from '../../../store/schema.ts';
import type { CreateTaskBody } from '../../../connectors/clickup/types.ts';
import type { IncomingCase, PartnerFacts } from '../../../core/intake.ts';
import type { CaseRecord } from '../../../core/case.ts';
import { getCase } from '../../../store/ops/cases.ts';
import { appendAudit, listAudit } from '../../../store/ops/audit.ts';

type CustomFields = NonNullable<CreateTaskBody['custom_fields']>;

export const CASE_NOT_SYNCED = 'case_not_synced';

export interface MappedTaskExtras {
  /** Custom fields from `mapping.fields`, merged over the logical ones (same field id: the mapping wins). */
  customFields(base: CustomFields): CustomFields;
  priority?: 1 | 2 | 3 | 4;
  dueAt?: number;
  assignees: number[];
  /** Audit of skipped values and unknown users, in the create's transaction. */
  commit(trx: Transaction<Database>, caseId: string, now: number): Promise<void>;
}

/**
 * What the configured mappings add to a new case task: custom fields by type (option names → ids from
 * definitions no older than the TTL), priority / due date, assignees through the user map. An option
 * renamed in ClickUp, a type mismatch or an `error` rule fails the job with a sentence naming the field:
 * a dead letter, nothing written.
 */
export async function mappedTaskExtras(
  ctx: SyncContext,
  caseId: string,
  listId: string,
  known?: CaseRecord | null,
): Promise<{ ok: true; extras: MappedTaskExtras | null } | { ok: false; outcome: JobOutcome }> {
  const rt = ctx.mapping;
  if (!rt || (rt.explicit.length === 0 && ctx.config.mapping.assign.length === 0)) return { ok: true, extras: null };
  // `known`: the caller read the record already in this job (undefined: read it here).
  const record = known !== undefined ? known : await getCase(ctx.store.db, caseId);
  if (!record) return { ok: true, extras: null };
  const p = await rt.planTask(listId, record);
  if (!p.ok)
    return {
      ok: false,
      outcome: p.retryable
        ? { status: 'retry', error: `reading the custom fields of list ${listId}: ${p.reason}` }
        : { status: 'fail', error: `reading the custom fields of list ${listId}: ${p.reason}` },
    };
  if (p.plan.errors.length > 0)
    return {
      ok: false,
      outcome: {
        status: 'fail',
        error: `case ${caseId}: field mapping stopped the task (nothing written): ${p.plan.errors.join('; ')}`,
      },
    };
  const who = await rt.assignees(record);
  const plan = p.plan;
  return {
    ok: true,
    extras: {
      customFields: (base) => {
        const ids = new Set(plan.customFields.map((f) => f.id));
        return [
          ...base.filter((f) => !ids.has(f.id)),
          ...plan.customFields.map((f) => ({ id: f.id, value: f.value }) as CustomFields[number]),
        ];
      },
      ...(plan.priority !== undefined ? { priority: plan.priority } : {}),
      ...(plan.dueAt !== undefined ? { dueAt: plan.dueAt } : {}),
      assignees: who.ids,
      commit: async (trx, id, now) => {
        if (plan.customFields.length > 0 || plan.priority !== undefined) {
          await appendAudit(
            trx,
            {
              actor: 'gridbridge',
              entity: 'case',
              entityId: id,
              action: 'fields_mapped',
              after: {
                fields: plan.customFields.map((f) => ({ mapping: f.mapping, field: f.field })),
                priority: plan.priority ?? null,
                assignees: who.ids,
              },
            },
            now,
          );
        }
        if (plan.skipped.length > 0)
          await appendAudit(
            trx,
            {
              actor: 'gridbridge',
              entity: 'case',
              entityId: id,
              action: 'field_value_not_mapped',
              after: { skipped: plan.skipped },
            },
            now,
          );
        if (who.unknown.length > 0)
          await appendAudit(
            trx,
            {
              actor: 'gridbridge',
              entity: 'case',
              entityId: id,
              action: 'assignee_unknown',
              after: { unknown: who.unknown, hint: 'add them to the ClickUp workspace or to mapping.users.overrides' },
            },
            now,
          );
      },
    },
  };
}

/**
 * `mapping.filters.cases`: a case that does not match is not synced at all (no task, no record), and
 * the decision is audited once. Null: the case syncs.
 */
export async function caseFilteredOut(
  ctx: SyncContext,
  incoming: IncomingCase,
  partner: PartnerFacts | null,
): Promise<JobOutcome | null> {
  const rt = ctx.mapping;
  if (!rt || !ctx.config.mapping.filters.cases) return null;
  const v = rt.caseVerdict({
    partnerId: incoming.partnerId,
    tier: partner?.tier ?? null,
    kind: incoming.kind,
    value: incoming.value?.amount ?? null,
  });
  if (v.sync) return null;
  if (await isCaseFilteredOut(ctx, incoming.id)) return { status: 'done' };
  return {
    status: 'done',
    commit: (trx) =>
      appendAudit(
        trx,
        {
          actor: 'gridbridge',
          entity: 'case',
          entityId: incoming.id,
          action: CASE_NOT_SYNCED,
          after: { reason: v.reason },
        },
        ctx.now(),
      ),
  };
}

/** Whether a case was left out by the case filter (its later events are skipped, not retried). */
export async function isCaseFilteredOut(ctx: SyncContext, caseId: string): Promise<boolean> {
  if (!ctx.config.mapping.filters.cases) return false;
  return (await listAudit(ctx.store.db, 'case', caseId)).some((a) => a.action === CASE_NOT_SYNCED);
}

export const CASE_LEFT_FILTER = 'case_left_filter';
export const CASE_BACK_IN_FILTER = 'case_back_in_filter';

/**
 * A linked case that stopped matching `mapping.filters.cases` (its kind, value or partner changed) is not
 * closed: the link is kept and syncing pauses both ways; the partner is told nothing. True while paused.
 */
export async function isCasePausedByFilter(ctx: SyncContext, caseId: string): Promise<boolean> {
  if (!ctx.config.mapping.filters.cases) return false;
  const marks = (await listAudit(ctx.store.db, 'case', caseId)).filter(
    (a) => a.action === CASE_LEFT_FILTER || a.action === CASE_BACK_IN_FILTER,
  );
  return marks.at(-1)?.action === CASE_LEFT_FILTER;
}

/**
 * The case filter for a linked case, decided on each read of the case: leaving it pauses (audited once, no
 * intent, the record kept as it was so the return brings every change since); coming back resumes.
 */
export async function linkedCaseFilter(
  ctx: SyncContext,
  incoming: IncomingCase,
  partner: PartnerFacts | null,
): Promise<{ outcome: JobOutcome } | { resumed: boolean }> {
  const rt = ctx.mapping;
  if (!rt || !ctx.config.mapping.filters.cases) return { resumed: false };
  const v = rt.caseVerdict({
    partnerId: incoming.partnerId,
    tier: partner?.tier ?? null,
    kind: incoming.kind,
    value: incoming.value?.amount ?? null,
  });
  const paused = await isCasePausedByFilter(ctx, incoming.id);
  if (v.sync) return { resumed: paused };
  if (paused) return { outcome: { status: 'done' } };
  ctx.logger.info(
    { caseId: incoming.id, reason: v.reason },
    `case ${incoming.id} left mapping.filters.cases: syncing paused (link kept, nothing sent to the partner)`,
  );
  return {
    outcome: {
      status: 'done',
      commit: (trx) =>
        appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: incoming.id,
            action: CASE_LEFT_FILTER,
            after: { reason: v.reason, syncing: 'paused both ways; the link is kept and the partner is told nothing' },
          },
          ctx.now(),
        ),
    },
  };
}
