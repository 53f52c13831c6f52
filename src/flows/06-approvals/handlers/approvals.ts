import type { SyncContext } from '../../../sync/context.ts';
import type { TypedJobHandler } from '../../../sync/flowModule.ts';
import type { ApprovalPayload } from '../jobs.ts';
import type { JobOutcome } from '../../../sync/dispatcher.ts';
import type { ApprovalsConfig } from '../../../config/flowsSchema.ts';
import {
  approverComments,
  BRIDGE_COMMENT_PREFIX,
  decideApprovalFiles,
  decideApprovalIntake,
  decideWithdrawal,
  humanRequestKind,
  isWithdrawn,
  type ApprovalRecord,
  type EdiRequestOrigin,
  type RequestFacts,
} from '../decisions/approvals.ts';
import { getFlowRecord, listFlowRecords } from '../../../store/ops/flowRecords.ts';
import { getLink, recordLink } from '../../../store/ops/links.ts';
import { appendAudit } from '../../../store/ops/audit.ts';
import { outcomeFromRemote } from '../../../sync/outcome.ts';
import { findSavedTask } from '../../shared/saved.ts';
import { commitFlow, flowFields } from '../../shared/flowSupport.ts';
import { checkDocument } from '../../shared/documentCheck.ts';
import { partnerChannelConfigured, partnerRoute } from '../../../channels/partner-email/route.ts';
import { queuePartnerMail } from '../../../channels/partner-email/outbox.ts';
import { keepSharedFile } from '../../../channels/partner-email/flowMail.ts';
import { checkboxValue } from '../../02-status-sync/caseClickUpRoute.ts';
import { sharingRulesOf } from '../../../config/sharingSchema.ts';
import { listAudit } from '../../../store/ops/audit.ts';
import { communityConfig } from '../../../config/schema.ts';
import {
  ediTargetFor,
  messageIdOf,
  queueEdiFile,
  x12SyntaxOf,
  type EdiDocument,
  type EdiTarget,
} from '../../../channels/edi-partner/outbox.ts';
import { edifactDecisionResponse, x12DecisionResponse } from '../../../connectors/tradinggrid/edi/partnerDocuments.ts';
import { cfg, FLOW, flowConfig } from '../config.ts';
import { holdForMapping, writeDrift } from '../../02-status-sync/mappingHealth.ts';
import type { Drift } from '../../02-status-sync/decisions/mappingDrift.ts';

/** Flow 6 wiring: request events in, approval tasks out, the ClickUp decision back to the partner once. */

const fieldsOf = (ctx: SyncContext, c: ApprovalsConfig) =>
  flowFields(ctx, 'approvals', {
    partner: c.fields.partner,
    request_id: c.fields.request_id,
    request_type: c.fields.request_type,
    value: c.fields.value,
  });

/** What a partner typed into the partner page's "new request" form (stored first as a partner action). */
export interface PageRequest {
  kind: RequestFacts['kind'];
  summary: string;
  details: string;
  value: { amount: number; currency: string } | null;
}

/**
 * A request made on a partner page (no community API, or a partner without it): the same intake as a
 * community `request.created` (one approval record, one task by the routing rules), keyed by the request id
 * the page gave it, so the partner action's job running twice makes one request.
 */
export async function intakePageRequest(
  ctx: SyncContext,
  requestId: string,
  partnerId: string,
  r: PageRequest,
): Promise<JobOutcome> {
  return intakeOwnRequest(ctx, requestId, partnerId, r, { origin: 'partner_page' });
}

/**
 * A request that has no Trading Grid request behind it (a partner page's form, a partner's 860 / ORDCHG): one
 * approval record and one task by the routing rules, keyed by its own id, so its job running twice makes one.
 */
export async function intakeOwnRequest(
  ctx: SyncContext,
  requestId: string,
  partnerId: string,
  r: PageRequest,
  from: { origin: 'partner_page' } | { origin: 'edi'; edi: EdiRequestOrigin },
): Promise<JobOutcome> {
  const c = cfg(ctx);
  const via = from.origin === 'edi' ? `EDI ${from.edi.setId}` : 'the partner page';
  if (!c) return { status: 'fail', error: `request ${requestId} from ${via}: flows.approvals is not configured` };
  const existing = await getFlowRecord<ApprovalRecord>(ctx.store.db, FLOW, requestId);
  if (existing) return { status: 'done' };
  const p = await ctx.partners.get(partnerId);
  if (!p.ok && p.error.retryable) return outcomeFromRemote(p.error, `reading partner ${partnerId}`);
  const facts: RequestFacts = {
    id: requestId,
    partnerId,
    partnerName: ctx.config.partners.map[partnerId]?.name ?? (p.ok ? p.value.name : partnerId),
    partnerTier: p.ok ? p.value.tier : null,
    kind: r.kind,
    summary: r.summary,
    details: r.details,
    value: r.value,
    documents: [],
    status: 'pending',
    withdrawn: false,
  };
  const d = decideApprovalIntake({ request: facts, existing: null, config: flowConfig(c), now: ctx.now() });
  const record: ApprovalRecord = { ...d.record, summary: r.summary, ...from };
  return {
    status: 'done',
    commit: async (trx) => {
      await commitFlow(ctx, trx, { flow: FLOW, id: requestId, state: record.state, data: record }, 0, d.jobs);
      await appendAudit(
        trx,
        {
          actor: `partner:${partnerId}`,
          entity: FLOW,
          entityId: requestId,
          action: 'request_received',
          after: {
            state: record.state,
            rule: record.rule,
            via: from.origin,
            ...(from.origin === 'edi'
              ? { set: from.edi.setId, po: from.edi.request.po, partner: from.edi.partner }
              : {}),
          },
        },
        ctx.now(),
      );
    },
  };
}

/** `approval.create_task`: one task per request; find-before-create by the request id field after a crash. */
export function createApprovalTaskHandler(ctx: SyncContext): TypedJobHandler<ApprovalPayload<'approval.create_task'>> {
  return async ({ payload, attempt, job }) => {
    const c = cfg(ctx);
    if (!c) return { status: 'fail', error: 'flows.approvals is no longer configured' };
    const { requestId, listId, task } = payload;
    const db = ctx.store.db;
    if (await getLink(db, FLOW, requestId)) return { status: 'done' };
    const rec = await getFlowRecord<ApprovalRecord>(db, FLOW, requestId);
    if (rec?.data.state === 'withdrawn') return { status: 'done' };
    const fields = fieldsOf(ctx, c);
    const record = (taskId: string, how: string): JobOutcome => ({
      status: 'done',
      commit: async (trx) => {
        await recordLink(trx, { entity: FLOW, entityId: requestId, cuTaskId: taskId, cuListId: listId }, ctx.now());
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: FLOW,
            entityId: requestId,
            action: how,
            after: { cuTaskId: taskId, assignees: task.assignees },
          },
          ctx.now(),
        );
      },
    });
    if (attempt > 1) {
      await fields.ensure(listId);
      const f = fields.field(listId, 'request_id');
      if (f) {
        const found = await findSavedTask(ctx, listId, f.id, requestId, `the approval task of ${requestId}`);
        if (!found.ok) return found.outcome;
        if (found.value) return record(found.value.id, 'task_found_after_retry');
      }
    }
    // A field or option of the list renamed or deleted in ClickUp: the task waits for the mapping to fit.
    const drift = (known: boolean) => writeDrift(ctx, listId, { fields: c.fields, values: task.fields }, known);
    const hold = (d: Drift) =>
      holdForMapping(
        ctx,
        { kind: job.kind, key: job.key, queueKey: job.queue_key, payload },
        { entity: FLOW, id: requestId },
        d,
      );
    const known = await drift(true);
    if (known) return hold(known);
    const cf = await fields.customFields(listId, task.fields);
    if (!cf.ok) {
      const d = await drift(false);
      return d ? hold(d) : { status: 'fail', error: `request ${requestId}: ${cf.reason}` };
    }
    const created = await ctx.clickup.createTask(listId, {
      name: task.name,
      markdown_content: task.markdown,
      assignees: task.assignees,
      priority: task.priority,
      due_date: task.dueAt,
      due_date_time: true,
      tags: ['gridbridge', 'approval'],
      custom_fields: cf.fields,
    });
    if (!created.ok && created.error.status === 400) {
      const d = await drift(false);
      if (d) return hold(d);
    }
    if (!created.ok) return outcomeFromRemote(created.error, `creating the approval task of ${requestId}`);
    return record(created.value.id, 'task_created');
  };
}

/** `approval.post_comment`: a comment marked for the partner after the decision, sent once (not if the decision carried it). */
export function postCommentAfterDecisionHandler(
  ctx: SyncContext,
): TypedJobHandler<ApprovalPayload<'approval.post_comment'>> {
  return async ({ payload }) => {
    const p = payload;
    const audit = await listAudit(ctx.store.db, FLOW, p.requestId);
    const carried = audit.some(
      (a) =>
        (a.action === 'decision_posted' || a.action === 'decision_revision_posted') &&
        ((JSON.parse(a.after ?? '{}') as { commentIds?: string[] }).commentIds ?? []).includes(p.commentId),
    );
    if (carried) return { status: 'done' };
    const rec = await getFlowRecord<ApprovalRecord>(ctx.store.db, FLOW, p.requestId);
    const route = partnerRoute(ctx, p.partnerId, 'decisions');
    const community = route.community && rec?.data.origin === undefined && communityConfig(ctx.config) !== null;
    const queueMail =
      (summary: string) =>
      async (trx: Parameters<NonNullable<Extract<JobOutcome, { status: 'done' }>['commit']>>[0]) => {
        if (!route.email) return;
        await queuePartnerMail(ctx, trx, {
          partnerId: p.partnerId,
          kind: 'request_comment',
          entity: FLOW,
          entityId: p.requestId,
          key: `request_comment:${p.requestId}:${p.commentId}`,
          facts: { requestRef: p.requestId, summary, author: p.by, comment: p.text },
        });
      };
    if (!community) {
      const summary = rec?.data.summary ?? p.requestId;
      if (!route.email)
        return {
          status: 'done',
          commit: (trx) =>
            appendAudit(
              trx,
              {
                actor: 'gridbridge',
                entity: FLOW,
                entityId: p.requestId,
                action: 'kept_internal',
                after: {
                  what: 'comment',
                  clickUpCommentId: p.commentId,
                  reason: `no channel reaches partner ${p.partnerId} (${route.channels.join(', ')})`,
                },
              },
              ctx.now(),
            ),
        };
      return {
        status: 'done',
        commit: async (trx) => {
          await queueMail(summary)(trx);
          await appendAudit(
            trx,
            {
              actor: p.by ?? 'clickup',
              entity: FLOW,
              entityId: p.requestId,
              action: 'comment_after_decision_posted',
              after: { clickUpCommentId: p.commentId, rule: p.sharedBy, channels: route.channels },
            },
            ctx.now(),
          );
        },
      };
    }
    const r = await ctx.tg.getRequest(p.requestId);
    const summary = r.ok ? r.value.summary : (rec?.data.summary ?? p.requestId);
    const n = await ctx.tg.publishNotice(
      {
        title: `Comment on your request ${p.requestId}`,
        body: `${p.by ? `${p.by}: ` : ''}${p.text}\n\n(About "${summary}".)`,
        effective_at: new Date(ctx.now()).toISOString(),
        audience: { partner_ids: [p.partnerId] },
      },
      `gridbridge:approval:${p.requestId}:comment:${p.commentId}`,
    );
    if (!n.ok) return outcomeFromRemote(n.error, `sending a comment on request ${p.requestId} to the partner`);
    return {
      status: 'done',
      commit: async (trx) => {
        await queueMail(summary)(trx);
        await appendAudit(
          trx,
          {
            actor: p.by ?? 'clickup',
            entity: FLOW,
            entityId: p.requestId,
            action: 'comment_after_decision_posted',
            after: {
              clickUpCommentId: p.commentId,
              noticeId: n.value.id,
              rule: p.sharedBy,
              ...(ctx.partnerChannel ? { channels: route.channels } : {}),
            },
          },
          ctx.now(),
        );
      },
    };
  };
}

async function commentOnce(
  ctx: SyncContext,
  taskId: string,
  text: string,
  attempt: number,
): Promise<JobOutcome | null> {
  if (attempt > 1) {
    const list = await ctx.clickup.listComments(taskId);
    if (!list.ok) return outcomeFromRemote(list.error, `reading comments of ${taskId}`);
    if (list.value.some((x) => x.comment_text.trim() === text.trim())) return null;
  }
  const posted = await ctx.clickup.createComment(taskId, { comment_text: text, notify_all: false });
  return posted.ok ? null : outcomeFromRemote(posted.error, `commenting on ${taskId}`);
}

/**
 * `approval.post_decision`: the first decision goes to the request (`POST /requests/{id}/decision`); a later,
 * different one is a revision the partner sees as a notice addressed to it (the contract refuses a second
 * decision). Both carry the approver's comments and an idempotency key per revision. A note on the task says so.
 */
export function postDecisionHandler(ctx: SyncContext): TypedJobHandler<ApprovalPayload<'approval.post_decision'>> {
  return async ({ payload, attempt }) => {
    const p = payload;
    const db = ctx.store.db;
    const link = await getLink(db, FLOW, p.requestId);
    if (!link) return { status: 'fail', error: `request ${p.requestId} has no approval task` };
    const comments = await ctx.clickup.listComments(link.cuTaskId);
    if (!comments.ok) return outcomeFromRemote(comments.error, `reading comments of ${link.cuTaskId}`);
    // A comment already sent on its own after an earlier decision is not sent again with this one.
    const audit = await listAudit(db, FLOW, p.requestId);
    const sentAlone = new Set(
      audit
        .filter((a) => a.action === 'comment_after_decision_posted')
        .map((a) => String((JSON.parse(a.after ?? '{}') as { clickUpCommentId?: string }).clickUpCommentId)),
    );
    const rules = sharingRulesOf(ctx.config);
    const shared = approverComments(
      [...comments.value]
        .reverse()
        .filter((x) => !sentAlone.has(String(x.id)))
        .map((x) => ({ id: String(x.id), text: x.comment_text, by: x.user?.username ?? null })),
      rules,
    );
    const text = shared.text;
    const by = p.by ?? 'ClickUp approver';
    const route = partnerRoute(ctx, p.partnerId, 'decisions');
    const files = await approvalFiles(ctx, link.cuTaskId, p.requestId, audit, route.email);
    if ('status' in files) return files;
    const own = await getFlowRecord<ApprovalRecord>(db, FLOW, p.requestId);
    // A request made on a partner page or sent as EDI has no Trading Grid request to decide; nor has any without the community API.
    const community = route.community && own?.data.origin === undefined && communityConfig(ctx.config) !== null;
    // A request that came as an 860 / ORDCHG is answered in kind (865 / ORDRSP) where the partner takes EDI from us.
    const edi = ediDecision(ctx, p, own?.data, route, text);
    let where: string;
    let summary = own?.data.summary ?? p.requestId;
    if (!community) {
      where = edi
        ? `as EDI ${edi.setId} to ${edi.target.address}${route.email ? ' and by email' : ''}`
        : `by ${route.email ? 'email' : route.channels.join(' and ')}`;
      if (!own?.data.summary) {
        const r = await ctx.tg.getRequest(p.requestId).catch(() => null);
        if (r?.ok) summary = r.value.summary;
      }
    } else if (p.revision === 0) {
      const r = await ctx.tg.decideRequest(
        p.requestId,
        { outcome: p.outcome, comment: text || undefined, decidedBy: by },
        `gridbridge:approval:${p.requestId}:decision`,
      );
      if (!r.ok && r.error.code.endsWith(':request_closed')) {
        const rec = await getFlowRecord<ApprovalRecord>(db, FLOW, p.requestId);
        if (!rec) return { status: 'done' };
        const w = decideWithdrawal(rec.data);
        return {
          status: 'done',
          commit: (trx) =>
            commitFlow(
              ctx,
              trx,
              { flow: FLOW, id: rec.id, state: w.record.state, data: w.record },
              rec.version,
              w.jobs,
            ),
        };
      }
      if (!r.ok) return outcomeFromRemote(r.error, `posting the decision on request ${p.requestId}`);
      summary = r.value.summary ?? summary;
      where = 'on the request';
    } else {
      const r = await ctx.tg.getRequest(p.requestId);
      summary = r.ok ? r.value.summary : p.requestId;
      const n = await ctx.tg.publishNotice(
        {
          title: `Revised decision on your request ${p.requestId}: ${p.outcome}`,
          body: `Our decision on "${summary}" has changed from ${p.previous ?? 'none'} to ${p.outcome} (revision ${p.revision}).${text ? `\n\nComments:\n${text}` : ''}`,
          effective_at: new Date(ctx.now()).toISOString(),
          audience: { partner_ids: [p.partnerId] },
        },
        `gridbridge:approval:${p.requestId}:revision:${p.revision}`,
      );
      if (!n.ok) return outcomeFromRemote(n.error, `posting revision ${p.revision} of request ${p.requestId}`);
      where = `as revision ${p.revision} (notice ${n.value.id})`;
    }
    if (route.email && community) where += ' and by e-mail';
    const sentFiles = files.read.map((f) => f.name);
    const unsent = files.shared.filter((f) => !sentFiles.includes(f.name)).map((f) => f.name);
    const note =
      `${BRIDGE_COMMENT_PREFIX} decision "${p.outcome}" sent to the partner ${where}${text ? ', with the comments above' : ''}${sentFiles.length ? `, with ${sentFiles.join(', ')} by e-mail` : ''}.` +
      (unsent.length
        ? ` Not sent: ${unsent.join(', ')} (Trading Grid requests take no documents; only e-mail partners get shared files with a decision).`
        : '');
    const failed = await commentOnce(ctx, link.cuTaskId, note, attempt);
    if (failed) return failed;
    return {
      status: 'done',
      commit: async (trx) => {
        const now = ctx.now();
        for (const k of files.kept)
          await appendAudit(
            trx,
            {
              actor: 'gridbridge',
              entity: FLOW,
              entityId: p.requestId,
              action: 'kept_internal',
              after: { what: 'file', name: k.name, attachmentId: k.id, reason: k.reason },
            },
            now,
          );
        for (const f of files.read)
          await keepSharedFile(
            trx,
            { caseId: p.requestId, sha256: f.sha256, name: f.name, contentType: f.contentType, content: f.data },
            now,
          );
        for (const f of files.shared) {
          const r = files.read.find((x) => x.id === f.id);
          if (r)
            await appendAudit(
              trx,
              {
                actor: 'gridbridge',
                entity: FLOW,
                entityId: p.requestId,
                action: 'document_to_partner',
                after: { name: f.name, attachmentId: f.id, sha256: r.sha256, channel: 'email', rule: f.rule },
              },
              now,
            );
          else
            await appendAudit(
              trx,
              {
                actor: 'gridbridge',
                entity: FLOW,
                entityId: p.requestId,
                action: 'file_not_sent',
                after: {
                  name: f.name,
                  attachmentId: f.id,
                  rule: f.rule,
                  reason: 'Trading Grid requests take no documents and the partner gets no e-mail for decisions',
                },
              },
              now,
            );
        }
        if (edi)
          await queueEdiFile(ctx, trx, {
            key: `decision:${p.requestId}:${p.revision}`,
            target: edi.target,
            entity: FLOW,
            entityId: p.requestId,
            document: edi.document,
          });
        if (route.email) {
          await queuePartnerMail(ctx, trx, {
            partnerId: p.partnerId,
            kind: 'decision',
            entity: FLOW,
            entityId: p.requestId,
            key: `decision:${p.requestId}:${p.revision}`,
            facts: {
              requestRef: p.requestId,
              summary,
              outcome: p.outcome,
              revision: p.revision,
              previous: p.previous,
              comments: text || null,
              ...(files.read.length ? { files: files.read.map((f) => ({ name: f.name, sha256: f.sha256 })) } : {}),
            },
          });
        }
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: FLOW,
            entityId: p.requestId,
            action: p.revision === 0 ? 'decision_posted' : 'decision_revision_posted',
            after: {
              outcome: p.outcome,
              revision: p.revision,
              comment: text,
              commentIds: shared.ids,
              rule: `the decision itself${shared.rule ? `; comments: ${shared.rule}` : '; no comment was marked for the partner'}`,
              ...(ctx.partnerChannel ? { channels: route.channels } : {}),
              ...(edi ? { edi: { set: edi.setId, partner: edi.target.address } } : {}),
            },
          },
          ctx.now(),
        );
      },
    };
  };
}

/**
 * The 865 / ORDRSP answering a request that came as an 860 / ORDCHG, when the partner takes EDI from us: a
 * `send` section under its mailbox address with `decisions` on, and (when partner_channel is configured) `edi`
 * among its channels for decisions. Only the comments the sharing rules share go into it.
 */
function ediDecision(
  ctx: SyncContext,
  p: ApprovalPayload<'approval.post_decision'>,
  rec: ApprovalRecord | undefined,
  route: { edi: boolean },
  comment: string,
): { target: EdiTarget; setId: string; document: EdiDocument } | null {
  const origin = rec?.origin === 'edi' ? rec.edi : undefined;
  if (!origin) return null;
  if (partnerChannelConfigured(ctx) && !route.edi) return null;
  const target = ediTargetFor(ctx, p.partnerId, origin.partner);
  if (!target?.send.decisions || target.send.standard !== origin.standard) return null;
  const facts = {
    outcome: p.outcome,
    request: origin.request,
    responseNumber: `${p.requestId.slice(-20)}-${p.revision}`,
    revision: p.revision,
    comment,
    at: new Date(ctx.now()),
  };
  if (origin.standard === 'x12')
    return {
      target,
      setId: '865',
      document: {
        standard: 'x12',
        functionalId: 'CA',
        transaction: x12DecisionResponse(facts, x12SyntaxOf(target.send, 'utf8')),
      },
    };
  return {
    target,
    setId: 'ORDRSP',
    document: { standard: 'edifact', message: edifactDecisionResponse(facts, messageIdOf(target.send)) },
  };
}

type TaskFiles = {
  attachments?: Array<{ id?: unknown; title?: string; url?: unknown; mimetype?: string }>;
  custom_fields?: Array<{ name: string; value?: unknown }>;
};

/**
 * The files on the approval task as the decision goes out, decided by `sharing.approvals.files` (the default
 * shares none). Shared ones are read only when the partner gets the decision by e-mail: the Trading Grid
 * request takes no documents.
 */
async function approvalFiles(
  ctx: SyncContext,
  taskId: string,
  requestId: string,
  audit: ReadonlyArray<{ action: string; after: string | null }>,
  byEmail: boolean,
): Promise<
  | JobOutcome
  | (ReturnType<typeof decideApprovalFiles> & {
      read: Array<{ id: string; name: string; sha256: string; contentType: string; data: Buffer }>;
    })
> {
  const t = await ctx.clickup.getTask(taskId);
  if (!t.ok) return outcomeFromRemote(t.error, `reading the files of approval task ${taskId}`);
  const task = t.value as unknown as TaskFiles;
  const rules = sharingRulesOf(ctx.config);
  // The partner's own documents, attached by the bridge, are not sent back to it.
  const partnerOwn = new Set(
    audit
      .filter((a) => a.action === 'document_to_clickup')
      .map((a) => String((JSON.parse(a.after ?? '{}') as { name?: string }).name)),
  );
  const atts = (task.attachments ?? []).filter(
    (a): a is { id: string; title?: string; url: string; mimetype?: string } =>
      typeof a.id === 'string' && typeof a.url === 'string',
  );
  const d = decideApprovalFiles(
    rules,
    atts.map((a) => ({ id: a.id, name: a.title ?? 'attachment' })),
    { checkbox: checkboxValue(task, rules['approvals']!.files.checkbox_field), partnerOwn },
  );
  const read: Array<{ id: string; name: string; sha256: string; contentType: string; data: Buffer }> = [];
  if (byEmail) {
    for (const f of d.shared) {
      const a = atts.find((x) => x.id === f.id)!;
      const dl = await ctx.clickup.downloadAttachment(a.url);
      if (!dl.ok)
        return outcomeFromRemote(dl.error, `downloading ${f.name} from approval task ${taskId} (request ${requestId})`);
      const r = await checkDocument(
        dl.value.body,
        {
          label: `${f.name} on request ${requestId}`,
          contentType: a.mimetype ?? dl.value.contentType ?? 'application/octet-stream',
        },
        ctx.config.documents,
      );
      if (!r.ok) return r.outcome;
      read.push({ id: f.id, name: f.name, sha256: r.sha256, contentType: r.contentType, data: r.data });
    }
  }
  return { ...d, read };
}

/** `approval.close_task`: the partner withdrew; move the task to the withdrawn status (if configured) and say so. */
export function closeApprovalTaskHandler(ctx: SyncContext): TypedJobHandler<ApprovalPayload<'approval.close_task'>> {
  return async ({ payload, attempt, job }) => {
    const c = cfg(ctx);
    const { requestId } = payload;
    const link = await getLink(ctx.store.db, FLOW, requestId);
    if (!link || !c) return { status: 'done' };
    if (c.withdrawn_status) {
      // The withdrawn status renamed or deleted in ClickUp: the close waits for the mapping to fit.
      const drift = (known: boolean) => writeDrift(ctx, link.cuListId, { status: c.withdrawn_status }, known);
      const hold = (d: Drift) =>
        holdForMapping(
          ctx,
          { kind: job.kind, key: job.key, queueKey: job.queue_key, payload },
          { entity: FLOW, id: requestId },
          d,
        );
      const known = await drift(true);
      if (known) return hold(known);
      const u = await ctx.clickup.updateTask(link.cuTaskId, { status: c.withdrawn_status });
      if (!u.ok && u.error.status === 400) {
        const d = await drift(false);
        if (d) return hold(d);
      }
      if (!u.ok) return outcomeFromRemote(u.error, `closing approval task ${link.cuTaskId}`);
    }
    const failed = await commentOnce(
      ctx,
      link.cuTaskId,
      `${BRIDGE_COMMENT_PREFIX} the partner withdrew request ${requestId}; no decision will be sent.`,
      attempt,
    );
    if (failed) return failed;
    return {
      status: 'done',
      commit: (trx) =>
        appendAudit(
          trx,
          {
            actor: 'partner',
            entity: FLOW,
            entityId: requestId,
            action: 'request_withdrawn',
            after: { cuTaskId: link.cuTaskId },
          },
          ctx.now(),
        ),
    };
  };
}

/** `approvals.sweep` (scheduled): withdrawals have no event, so open requests are re-read. */
export function approvalsSweepHandler(ctx: SyncContext): TypedJobHandler<ApprovalPayload<'approvals.sweep'>> {
  return async () => {
    const c = cfg(ctx);
    if (!c) return { status: 'done' };
    const open = await listFlowRecords<ApprovalRecord>(ctx.store.db, FLOW, ['open']);
    const withdrawn: Array<{ rec: (typeof open)[number]; w: ReturnType<typeof decideWithdrawal> }> = [];
    for (const rec of open) {
      if (rec.data.origin !== undefined || !communityConfig(ctx.config)) continue;
      const r = await ctx.tg.getRequest(rec.id);
      if (!r.ok) {
        if (r.error.retryable) return outcomeFromRemote(r.error, `re-reading request ${rec.id}`);
        continue;
      }
      if (isWithdrawn(r.value)) withdrawn.push({ rec, w: decideWithdrawal(rec.data) });
    }
    if (withdrawn.length === 0) return { status: 'done' };
    return {
      status: 'done',
      commit: async (trx) => {
        for (const { rec, w } of withdrawn)
          await commitFlow(
            ctx,
            trx,
            { flow: FLOW, id: rec.id, state: w.record.state, data: w.record },
            rec.version,
            w.jobs,
          );
      },
    };
  };
}

/** `approval.attach_document`: a partner document on a request goes onto its approval task once (same name → not again). */
export function attachRequestDocumentHandler(
  ctx: SyncContext,
): TypedJobHandler<ApprovalPayload<'approval.attach_document'>> {
  return async ({ payload, attempt }) => {
    const { requestId, documentId } = payload;
    const link = await getLink(ctx.store.db, FLOW, requestId);
    if (!link) {
      const rec = await getFlowRecord<ApprovalRecord>(ctx.store.db, FLOW, requestId);
      if (rec?.data.state === 'withdrawn') return { status: 'done' };
      return { status: 'retry', error: `request ${requestId} has no approval task yet`, retryAfterMs: 2000 };
    }
    const dl = await ctx.tg.downloadDocument(documentId);
    if (!dl.ok) return outcomeFromRemote(dl.error, `downloading document ${documentId}`);
    const meta = dl.value.meta;
    // The same check as flow 3's uploads: content type (well-formed, allowed), size, and the stated sha256.
    const read = await checkDocument(
      dl.value.body,
      { label: `document ${documentId} (${meta.name})`, contentType: meta.content_type, sha256: meta.sha256 },
      ctx.config.documents,
    );
    if (!read.ok) return read.outcome;
    const filename = `${humanRequestKind(meta.kind)} - ${meta.name}`;
    if (attempt > 1) {
      const t = await ctx.clickup.getTask(link.cuTaskId);
      if (!t.ok) return outcomeFromRemote(t.error, `reading task ${link.cuTaskId}`);
      // Saved before a crash or a lost answer: the same name and, when ClickUp says it, the same size.
      const atts = (t.value as { attachments?: Array<{ title?: string; size?: number | string }> }).attachments ?? [];
      if (atts.some((a) => a.title === filename && (a.size === undefined || Number(a.size) === read.data.length)))
        return { status: 'done' };
    }
    const up = await ctx.clickup.uploadAttachment(link.cuTaskId, {
      filename,
      contentType: read.contentType,
      data: read.data,
    });
    if (!up.ok) return outcomeFromRemote(up.error, `attaching ${meta.name} to ${link.cuTaskId}`);
    return {
      status: 'done',
      commit: (trx) =>
        appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: FLOW,
            entityId: requestId,
            action: 'document_to_clickup',
            after: { document: documentId, name: filename },
          },
          ctx.now(),
        ),
    };
  };
}
