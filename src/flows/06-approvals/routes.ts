import type { SyncContext } from '../../sync/context.ts';
import type { Job } from '../catalogue.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { TgEventRoute } from '../../sync/tgEventRoute.ts';
import type { CuEntityRoute } from '../../sync/cuEntityRoute.ts';
import type { ApprovalsConfig } from '../../config/flowsSchema.ts';
import type { PartnerRequest } from '../../connectors/tradinggrid/events.ts';
import {
  BRIDGE_COMMENT_PREFIX,
  decideApprovalChange,
  decideApprovalIntake,
  observeOutcome,
  requestFactsOf,
  type ApprovalRecord,
  type RequestFacts,
} from './decisions/approvals.ts';
import { getFlowRecord } from '../../store/ops/flowRecords.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import type { Found } from '../shared/saved.ts';
import { changedBy, commitFlow, dropDownLabel, versionOf, enqueueFlowJobs } from '../shared/flowSupport.ts';
import { personOf } from '../shared/partnerGuard.ts';
import { sharingRulesOf } from '../../config/sharingSchema.ts';
import { shareComment } from '../../core/sharing/rules.ts';
import { cfg, FLOW, flowConfig } from './config.ts';
import { checkMappingHealth, readMappingHealth, recordMappingHold } from '../02-status-sync/mappingHealth.ts';
import type { Drift } from '../02-status-sync/decisions/mappingDrift.ts';

/** Flow 6's routes: request events from Trading Grid open (or close) an approval; the ClickUp decision and later comments go back. */

/** The request's facts, or the outcome when its partner could not be read for a reason worth retrying. */
async function requestFacts(ctx: SyncContext, r: PartnerRequest): Promise<Found<RequestFacts>> {
  const p = await ctx.partners.get(r.partner_id);
  if (!p.ok && p.error.retryable)
    return { ok: false, outcome: outcomeFromRemote(p.error, `reading partner ${r.partner_id}`) };
  return { ok: true, value: requestFactsOf(r, p.ok ? p.value : null, ctx.config.partners.map[r.partner_id]?.name) };
}

/** Read the request now (thin events) and decide: a task once, or a close when it was withdrawn. */
async function intakeRequest(ctx: SyncContext, c: ApprovalsConfig, requestId: string): Promise<JobOutcome> {
  const r = await ctx.tg.getRequest(requestId);
  if (!r.ok) return outcomeFromRemote(r.error, `reading Trading Grid request ${requestId}`);
  const facts = await requestFacts(ctx, r.value);
  if (!facts.ok) return facts.outcome;
  const existing = await getFlowRecord<ApprovalRecord>(ctx.store.db, FLOW, requestId);
  const d = decideApprovalIntake({
    request: facts.value,
    existing: existing?.data ?? null,
    config: flowConfig(c),
    now: ctx.now(),
  });
  if (existing && d.jobs.length === 0 && d.record === existing.data) return { status: 'done' };
  return {
    status: 'done',
    commit: async (trx) => {
      await commitFlow(
        ctx,
        trx,
        { flow: FLOW, id: requestId, state: d.record.state, data: d.record },
        versionOf(existing),
        d.jobs,
      );
      await appendAudit(
        trx,
        {
          actor: 'gridbridge',
          entity: FLOW,
          entityId: requestId,
          action: existing ? `approval_${d.record.state}` : 'request_received',
          after: { state: d.record.state, rule: d.record.rule },
        },
        ctx.now(),
      );
    },
  };
}

export const approvalsTgRoute: TgEventRoute = (ctx, ev) => {
  const c = cfg(ctx);
  if (!c) return null;
  if (ev.type === 'request.created') return intakeRequest(ctx, c, ev.data.id);
  if (ev.type === 'document.added' && ev.data.request_id && !ev.data.case_id) {
    const requestId = ev.data.request_id;
    const documentId = ev.data.id;
    if (ev.data.uploaded_by === 'internal') return Promise.resolve({ status: 'done' as const });
    return Promise.resolve({
      status: 'done' as const,
      commit: (trx) =>
        enqueueFlowJobs(ctx, trx, [
          {
            kind: 'approval.attach_document',
            key: `approval.attach_document:${requestId}:${documentId}`,
            queueKey: `request:${requestId}`,
            payload: { requestId, documentId },
          },
        ]),
    });
  }
  return null;
};

/** ClickUp changes on an approval task: read the task as it is now and decide (repeats and echoes are no-ops). */
export const approvalCuRoute: CuEntityRoute = async (ctx, ev, link) => {
  const c = cfg(ctx);
  if (!c) return { status: 'done' };
  const rec = await getFlowRecord<ApprovalRecord>(ctx.store.db, FLOW, link.entityId);
  if (!rec || rec.data.state === 'withdrawn') return { status: 'done' };
  const items = ev.history_items ?? [];
  if (items.length > 0 && items.every((i) => i.field === 'comment')) return commentsAfterDecision(ctx, rec.data, items);
  const task = await ctx.clickup.getTask(link.cuTaskId);
  if (!task.ok) return outcomeFromRemote(task.error, `reading approval task ${link.cuTaskId}`);
  const seen = c.decision.source === 'status' ? task.value.status.status : dropDownLabel(task.value, c.decision.field);
  const observed = observeOutcome(seen, c.decision);
  if (!observed && touchesDecision(items, c)) {
    // The approver moved the task, but not to a status (or option) the config reads as a decision: if that is
    // because the decision's status or option was renamed in ClickUp, the change waits for the mapping.
    const held = await decisionDrift(ctx, c, link.cuListId);
    if (held) return holdDecision(ctx, ev, link, rec.id, held);
  }
  const d = decideApprovalChange({
    record: rec.data,
    observed,
    by: changedBy(ev.history_items),
    now: ctx.now(),
  });
  if (!d) return { status: 'done' };
  return {
    status: 'done',
    commit: async (trx) => {
      // The approver's decision is partner-visible: one person deciding dozens at once is held past the limit.
      await commitFlow(
        ctx,
        trx,
        { flow: FLOW, id: rec.id, state: d.record.state, data: d.record },
        rec.version,
        d.jobs,
        personOf(ev.history_items),
      );
      const last = d.record.posted.at(-1)!;
      await appendAudit(
        trx,
        {
          actor: last.by ?? 'clickup',
          entity: FLOW,
          entityId: rec.id,
          action: last.revision === 0 ? 'decision_taken' : 'decision_changed',
          after: last,
        },
        ctx.now(),
      );
    },
  };
};

/** Whether a delivery changed what the decision is read from (the status, or the decision field). */
function touchesDecision(items: NonNullable<Parameters<CuEntityRoute>[1]['history_items']>, c: ApprovalsConfig) {
  return items.some((i) => (c.decision.source === 'status' ? i.field === 'status' : i.field !== 'comment'));
}

/**
 * What the approvals list lacks now of the decision's names (a status, the field or its option): the last
 * health check's finding, or the list read now (an approver's change is rare, and a decision must not be lost).
 */
async function decisionDrift(ctx: SyncContext, c: ApprovalsConfig, listId: string): Promise<Drift | null> {
  const names = new Set(
    [c.decision.approved, c.decision.rejected, c.decision.field].map((x) => x.trim().toLowerCase()),
  );
  const pick = (drift: readonly Drift[]) =>
    drift.find(
      (x) =>
        x.listId === listId &&
        x.mapping.startsWith('flows.approvals.decision') &&
        names.has(x.name.trim().toLowerCase()),
    ) ?? null;
  return pick((await readMappingHealth(ctx.store.db)).drift) ?? pick((await checkMappingHealth(ctx, [listId])).drift);
}

/** Keep the approver's change (the delivery itself): once the list fits again it is read again, the task as it is then. */
function holdDecision(
  ctx: SyncContext,
  ev: Parameters<CuEntityRoute>[1],
  link: Parameters<CuEntityRoute>[2],
  requestId: string,
  d: Drift,
): JobOutcome {
  return {
    status: 'done',
    commit: (trx) =>
      recordMappingHold(ctx, trx, {
        job: {
          kind: 'cu.event',
          key: `cu.event:held_decision:${requestId}`,
          queueKey: `request:${requestId}`,
          payload: { ...ev, webhook_id: 'held:decision', held_for: { entity: FLOW, id: requestId } },
        },
        on: { entity: FLOW, id: requestId },
        once: true,
        d: {
          ...d,
          reason: `the approver changed task ${link.cuTaskId} but the decision cannot be read: ${d.reason}. The change is read again once the list fits`,
        },
      }),
  };
}

/**
 * Comments on an approval task: before the decision they wait for it (the decision carries the shared
 * ones); after it, a comment the rule shares goes to the partner on its own, once, as a notice addressed
 * to it (the contract has no comments on requests). Everything else stays internal.
 */
async function commentsAfterDecision(
  ctx: SyncContext,
  rec: ApprovalRecord,
  items: NonNullable<Parameters<CuEntityRoute>[1]['history_items']>,
): Promise<JobOutcome> {
  if (rec.state !== 'decided') return { status: 'done' };
  const rules = sharingRulesOf(ctx.config);
  const jobs: Job<'approval.post_comment'>[] = [];
  const kept: Array<{ id: string; reason: string }> = [];
  for (const item of items) {
    if (ctx.mapping?.isOwnChange(item)) continue;
    const c = (
      item as {
        comment?: {
          id?: string;
          text_content?: string;
          comment_text?: string;
          user?: { username?: string; email?: string };
        };
      }
    ).comment;
    const id = String(c?.id ?? item.after ?? item.id);
    const text = c?.text_content ?? c?.comment_text ?? '';
    const v = shareComment(rules, 'approvals', { text, byBridge: text.trim().startsWith(BRIDGE_COMMENT_PREFIX) });
    if (!v.share) {
      kept.push({ id, reason: v.reason });
      continue;
    }
    const by = c?.user?.username ?? c?.user?.email ?? null;
    jobs.push({
      kind: 'approval.post_comment',
      key: `approval.post_comment:${rec.requestId}:${id}`,
      queueKey: `request:${rec.requestId}`,
      payload: {
        requestId: rec.requestId,
        partnerId: rec.partnerId,
        commentId: id,
        text: v.text,
        by,
        sharedBy: v.rule,
      },
    });
  }
  if (jobs.length === 0 && kept.length === 0) return { status: 'done' };
  return {
    status: 'done',
    commit: async (trx) => {
      for (const k of kept)
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: FLOW,
            entityId: rec.requestId,
            action: 'kept_internal',
            after: { what: 'comment', clickUpCommentId: k.id, reason: k.reason },
          },
          ctx.now(),
        );
      await enqueueFlowJobs(ctx, trx, jobs, personOf(items));
    },
  };
}
