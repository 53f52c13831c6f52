import type { Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { SyncContext } from '../context.ts';
import type { JobOutcome } from '../dispatcher.ts';
import type { TypedJobHandler } from '../flowModule.ts';
import type { JobPayload } from '../../flows/catalogue.ts';
import { SETTABLE_CASE_STATUSES, type SettableCaseStatus } from '../../connectors/tradinggrid/events.ts';
import { getLink } from '../../store/ops/links.ts';
import { rememberField } from '../../store/ops/fieldMemory.ts';
import { getCase, setCasePartnerStatus } from '../../store/ops/cases.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { getDocument, recordDocument } from '../../store/ops/documents.ts';
import { outcomeFromRemote } from '../outcome.ts';
import { commentOnce } from '../../flows/shared/saved.ts';
import { readLimited } from '../readLimited.ts';
import { skipWithoutTradingGridCase } from '../mailbox/mailboxCaseGuard.ts';
import { sideStamp } from '../sideStamp.ts';
import { partnerRoute } from '../../channels/partner-email/route.ts';
import { caseCommentMail, caseDocumentMail, caseStatusMail, keepSharedFile } from '../../channels/partner-email/flowMail.ts';
import { queuePartnerMail } from '../../channels/partner-email/outbox.ts';

const settable = new Set<string>(SETTABLE_CASE_STATUSES);


/**
 * A job for the case's task when the case has none: wait for it, unless its task was deleted and the case
 * stays unlinked (then the change is audited and dropped, never retried into a dead letter).
 */
export async function noTaskYet(ctx: SyncContext, caseId: string): Promise<JobOutcome> {
  const rec = await getCase(ctx.store.db, caseId);
  if (rec?.unlinked) return { status: 'done', commit: (trx) => appendAudit(trx, { actor: 'gridbridge', entity: 'case', entityId: caseId, action: 'skipped_unlinked', after: { deletedTask: rec.unlinked!.taskId } }, ctx.now()) };
  return { status: 'retry', error: `case ${caseId} has no ClickUp task yet`, retryAfterMs: 2000 };
}

/** The rule behind a partner status whose job did not name one (SLA escalations, jobs queued before rules existed). */
function statusRuleOfKey(key: string): string {
  if (key.startsWith('sla.partner_status:')) return 'sla escalation: the partner is told its case is escalated';
  if (key.includes(':created:')) return 'sync.status_on_task_created';
  return 'sharing.cases.fields: status';
}

/**
 * `tradinggrid.set_status`: the partner sees the case's new status (flow 2), by the channels configured for
 * the partner: one Trading Grid call (community), and/or an e-mail with the note and a page link.
 */
export function setPartnerStatusHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'tradinggrid.set_status'>> {
  return async ({ payload: p, job }) => {
    if (!settable.has(p.status)) return { status: 'fail', error: `case ${p.caseId}: "${p.status}" cannot be set from the internal side` };
    const rec = await getCase(ctx.store.db, p.caseId);
    const route = rec ? partnerRoute(ctx, rec.partnerId, 'case_status') : { community: true, email: false, channels: ['community'] };
    const mail = route.email && rec ? caseStatusMail(rec, p.status, p.note ?? null, job.key) : null;
    const local = async (trx: Transaction<Database>) => {
      if (mail) await queuePartnerMail(ctx, trx, mail);
    };
    const rule = p.sharedBy ?? statusRuleOfKey(job.key);
    if (!route.community) {
      return {
        status: 'done',
        commit: async (trx) => {
          const now = ctx.now();
          await rememberField(trx, 'case', p.caseId, 'status', 'agreed', { value: p.status, at: p.at });
          await setCasePartnerStatus(trx, p.caseId, p.status, now);
          await local(trx);
          await appendAudit(trx, { actor: 'gridbridge', entity: 'case', entityId: p.caseId, action: 'status_to_partner', after: { status: p.status, rule, channels: route.channels } }, now);
        },
      };
    }
    const noTgCase = await skipWithoutTradingGridCase(ctx, p.caseId, 'set_status', { status: p.status }, async (trx) => {
      await setCasePartnerStatus(trx, p.caseId, p.status, ctx.now());
      await local(trx);
    });
    if (noTgCase) return noTgCase;
    const r = await ctx.tg.setCaseStatus(p.caseId, { status: p.status as SettableCaseStatus, ...(p.note ? { note: p.note } : {}) }, job.key);
    if (!r.ok) return outcomeFromRemote(r.error, `setting the partner status of case ${p.caseId} to ${p.status}`);
    return {
      status: 'done',
      commit: async (trx) => {
        const now = ctx.now();
        await rememberField(trx, 'case', p.caseId, 'status', 'tradinggrid', { value: p.status, at: sideStamp(r.value.updated_at, p.at) });
        await rememberField(trx, 'case', p.caseId, 'status', 'agreed', { value: p.status, at: p.at });
        const before = await setCasePartnerStatus(trx, p.caseId, p.status, now);
        await local(trx);
        await appendAudit(trx, { actor: 'gridbridge', entity: 'case', entityId: p.caseId, action: 'status_to_partner', before: before ? undefined : null, after: { status: p.status, rule, ...(ctx.partnerChannel ? { channels: route.channels } : {}) } }, now);
      },
    };
  };
}

/** `clickup.set_status`: a partner-side status change shown on the task (flow 2, the way back). */
export function setClickUpStatusHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'clickup.set_status'>> {
  return async ({ payload: p }) => {
    const link = await getLink(ctx.store.db, 'case', p.caseId);
    if (!link) return noTaskYet(ctx, p.caseId);
    const r = await ctx.clickup.updateTask(link.cuTaskId, { status: p.clickUpStatus });
    if (!r.ok) return outcomeFromRemote(r.error, `moving task ${link.cuTaskId} to "${p.clickUpStatus}"`);
    return {
      status: 'done',
      commit: async (trx) => {
        const now = ctx.now();
        await rememberField(trx, 'case', p.caseId, 'status', 'clickup', { value: p.status, at: sideStamp(r.value.date_updated, p.at) });
        await rememberField(trx, 'case', p.caseId, 'status_name', 'clickup', { value: r.value.status?.status ?? p.clickUpStatus, at: sideStamp(r.value.date_updated, p.at) });
        await rememberField(trx, 'case', p.caseId, 'status', 'agreed', { value: p.status, at: p.at });
        await setCasePartnerStatus(trx, p.caseId, p.status, now);
        await appendAudit(trx, { actor: 'gridbridge', entity: 'case', entityId: p.caseId, action: 'status_to_clickup', after: { status: p.status, clickUpStatus: p.clickUpStatus } }, now);
      },
    };
  };
}

/** `tradinggrid.add_comment`: a ClickUp comment flagged for the partner, posted on the case once (and/or e-mailed). */
export function addPartnerCommentHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'tradinggrid.add_comment'>> {
  return async ({ payload: p, job }) => {
    const rec = await getCase(ctx.store.db, p.caseId);
    const route = rec ? partnerRoute(ctx, rec.partnerId, 'case_status') : { community: true, email: false, channels: ['community'] };
    const mail = route.email && rec ? caseCommentMail(rec, p.author, p.body, job.key) : null;
    if (!route.community) {
      return {
        status: 'done',
        commit: async (trx) => {
          if (mail) await queuePartnerMail(ctx, trx, mail);
          await appendAudit(trx, { actor: p.author, entity: 'case', entityId: p.caseId, action: 'comment_to_partner', after: { clickUpCommentId: p.clickUpCommentId, rule: p.sharedBy ?? null, channels: route.channels } }, ctx.now());
        },
      };
    }
    const noTgCase = await skipWithoutTradingGridCase(ctx, p.caseId, 'add_comment', { clickUpCommentId: p.clickUpCommentId }, async (trx) => {
      if (mail) await queuePartnerMail(ctx, trx, mail);
    });
    if (noTgCase) return noTgCase;
    const r = await ctx.tg.addCaseComment(p.caseId, { body: p.body, author: p.author }, job.key);
    if (!r.ok) return outcomeFromRemote(r.error, `posting a comment on case ${p.caseId}`);
    return {
      status: 'done',
      commit: async (trx) => {
        if (mail) await queuePartnerMail(ctx, trx, mail);
        await appendAudit(trx, { actor: p.author, entity: 'case', entityId: p.caseId, action: 'comment_to_partner', after: { clickUpCommentId: p.clickUpCommentId, tgCommentId: r.value.id, rule: p.sharedBy ?? null, ...(ctx.partnerChannel ? { channels: route.channels } : {}) } }, ctx.now());
      },
    };
  };
}

/** `clickup.add_comment`: a partner's comment shown on the task, attributed to the partner contact. */
export function addClickUpCommentHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'clickup.add_comment'>> {
  return async ({ payload: p, job, attempt }) => {
    const link = await getLink(ctx.store.db, 'case', p.caseId);
    if (!link) return noTaskYet(ctx, p.caseId);
    const list = await ctx.tg.listCaseComments(p.caseId);
    if (!list.ok) return outcomeFromRemote(list.error, `reading comments of case ${p.caseId}`);
    const c = list.value.data.find((x) => x.id === p.commentId);
    if (!c) return { status: 'retry', error: `comment ${p.commentId} of case ${p.caseId} not visible yet` };
    const author = (c as { author?: string }).author ?? 'partner';
    const body = (c as { body?: string }).body ?? '';
    // Marked with the job key, so an attempt after a lost answer finds it instead of posting it twice.
    const r = await commentOnce(ctx, link.cuTaskId, { comment_text: `Partner comment from ${author}:\n${body}`, notify_all: true }, job.key, attempt);
    if (!r.ok) return r.outcome;
    return {
      status: 'done',
      commit: (trx) => appendAudit(trx, { actor: author, entity: 'case', entityId: p.caseId, action: r.value.found ? 'comment_found_after_retry' : 'comment_to_clickup', after: { tgCommentId: p.commentId, clickUpCommentId: r.value.id } }, ctx.now()),
    };
  };
}

/**
 * `tradinggrid.upload_document` (flow 3, ClickUp → Trading Grid): a file a person attached in ClickUp
 * goes to the partner's case as a corrected document, once per content hash. Only configured ClickUp
 * hosts are fetched (the connector refuses others).
 */
export function uploadToTradingGridHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'tradinggrid.upload_document'>> {
  return async ({ payload: p, job }) => {
    const rec = await getCase(ctx.store.db, p.caseId);
    const route = rec ? partnerRoute(ctx, rec.partnerId, 'case_documents') : { community: true, email: false, channels: ['community'] };
    if (!route.email) {
      const noTgCase = await skipWithoutTradingGridCase(ctx, p.caseId, 'upload_document', { attachmentId: p.attachmentId });
      if (noTgCase) return noTgCase;
    }
    const dl = await ctx.clickup.downloadAttachment(p.url);
    if (!dl.ok) return outcomeFromRemote(dl.error, `downloading ClickUp attachment ${p.attachmentId}`);
    const read = await readLimited(dl.value.body, ctx.config.documents.max_bytes);
    if (!read.ok) return read.tooLarge ? { status: 'fail', error: `attachment ${p.title}: ${read.reason}` } : { status: 'retry', error: read.reason };
    const contentType = (p.contentType ?? dl.value.contentType ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase();
    const known = await getDocument(ctx.store.db, p.caseId, read.sha256);
    const now = ctx.now();
    if (known) {
      // The same bytes are on the case already (the partner's own file, or one we sent): remember the attachment only.
      return { status: 'done', commit: (trx) => recordDocument(trx, { ...known, cu_attachment_id: p.attachmentId }, now) };
    }
    const allowed = ctx.config.documents.content_types;
    if (allowed.length > 0 && !allowed.includes(contentType)) return { status: 'fail', error: `attachment ${p.title} has content type ${contentType}, not in documents.content_types` };
    // E-mail: the file is kept for the partner page and attached (or linked) once per content hash.
    const mail = route.email && rec ? caseDocumentMail(rec, { name: p.title, sha256: read.sha256, contentType, sizeBytes: read.data.length }) : null;
    const tgCase = route.community && rec?.source !== 'mailbox';
    const up = tgCase ? await ctx.tg.uploadCaseDocument(p.caseId, { name: p.title, kind: ctx.config.sync.clickup_upload_kind, contentType, data: read.data }, job.key) : null;
    if (up && !up.ok) return outcomeFromRemote(up.error, `uploading ${p.title} to case ${p.caseId}`);
    const tgDocumentId = up?.ok ? up.value.id : null;
    return {
      status: 'done',
      commit: async (trx) => {
        await recordDocument(trx, { case_id: p.caseId, sha256: read.sha256, name: p.title, kind: ctx.config.sync.clickup_upload_kind, origin: 'clickup', tg_document_id: tgDocumentId, cu_attachment_id: p.attachmentId, size_bytes: read.data.length }, ctx.now());
        if (mail) {
          await keepSharedFile(trx, { caseId: p.caseId, sha256: read.sha256, name: p.title, contentType, content: read.data }, ctx.now());
          await queuePartnerMail(ctx, trx, mail);
        }
        await appendAudit(trx, { actor: 'gridbridge', entity: 'case', entityId: p.caseId, action: 'document_to_partner', after: { name: p.title, sha256: read.sha256, tgDocumentId, rule: p.sharedBy ?? null, ...(ctx.partnerChannel ? { channels: route.channels } : {}) } }, ctx.now());
      },
    };
  };
}
