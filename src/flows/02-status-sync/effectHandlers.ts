import type { Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { SyncContext } from '../../sync/context.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import type { JobPayload } from '../catalogue.ts';
import { SETTABLE_CASE_STATUSES, type SettableCaseStatus } from '../../connectors/tradinggrid/events.ts';
import { getLink } from '../../store/ops/links.ts';
import { rememberField } from '../../store/ops/fieldMemory.ts';
import { getCase, setCasePartnerStatus } from '../../store/ops/cases.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { commentOnce } from '../shared/saved.ts';
import { skipWithoutTradingGridCase } from '../../channels/tradinggrid-mailbox/mailboxCaseGuard.ts';
import { sideStamp } from '../shared/sideStamp.ts';
import { toClickUpStatus } from './decisions/statusMap.ts';
import { statusDrift, type Drift } from './decisions/mappingDrift.ts';
import { checkMappingHealth, holdForMapping, readMappingHealth } from './mappingHealth.ts';
import { noTaskYet } from '../shared/noTaskYet.ts';
import { partnerRoute } from '../../channels/partner-email/route.ts';
import { caseCommentMail, caseStatusMail } from '../../channels/partner-email/flowMail.ts';
import { queuePartnerMail } from '../../channels/partner-email/outbox.ts';
import { ediStatusAdvice } from './ediStatusAdvice.ts';

const settable = new Set<string>(SETTABLE_CASE_STATUSES);

/** The rule behind a partner status whose job did not name one (SLA escalations, jobs queued before rules existed). */
function statusRuleOfKey(key: string): string {
  if (key.startsWith('sla.partner_status:')) return 'sla escalation: the partner is told its case is escalated';
  if (key.includes(':created:')) return 'sync.status_on_task_created';
  return 'sharing.cases.fields: status';
}

/**
 * `tradinggrid.set_status`: the partner sees the case's new status (flow 2), by the channels configured for
 * the partner: one Trading Grid call (community), and/or an e-mail with the note and a page link, and/or (a case
 * that came from the partner's EDI) an 824 / 864 / APERAK written to the partner's outbound folder.
 */
export function setPartnerStatusHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'tradinggrid.set_status'>> {
  return async ({ payload: p, job }) => {
    if (!settable.has(p.status))
      return { status: 'fail', error: `case ${p.caseId}: "${p.status}" cannot be set from the internal side` };
    const rec = await getCase(ctx.store.db, p.caseId);
    const route = rec
      ? partnerRoute(ctx, rec.partnerId, 'case_status')
      : { community: true, email: false, edi: false, channels: ['community'] };
    const mail = route.email && rec ? caseStatusMail(rec, p.status, p.note ?? null, job.key) : null;
    const local = async (trx: Transaction<Database>) => {
      if (mail) await queuePartnerMail(ctx, trx, mail);
    };
    const rule = p.sharedBy ?? statusRuleOfKey(job.key);
    // EDI: an 824 / 864 / APERAK for a case that came from the partner's EDI, when its send.status names one.
    const edi = rec ? await ediStatusAdvice(ctx, rec, p.status, p.note ?? '', route, job.key) : null;
    const queueEdi = edi?.queue ?? null;
    // The case has no community side when it came from EDI: the community channel carries nothing for it.
    const noCommunityCase = rec !== null && rec.source !== 'community';
    if (!route.community || (queueEdi && noCommunityCase)) {
      const channels = route.channels.filter(
        (c) => (c !== 'edi' || queueEdi) && (c !== 'community' || !noCommunityCase),
      );
      if (queueEdi && !channels.includes('edi')) channels.unshift('edi');
      const ediNotSent = route.edi && edi && !edi.plan.send ? edi.plan.reason : undefined;
      return {
        status: 'done',
        commit: async (trx) => {
          const now = ctx.now();
          await rememberField(trx, 'case', p.caseId, 'status', 'agreed', { value: p.status, at: p.at });
          await setCasePartnerStatus(trx, p.caseId, p.status, now);
          await local(trx);
          const file = queueEdi ? await queueEdi(trx) : null;
          await appendAudit(
            trx,
            {
              actor: 'gridbridge',
              entity: 'case',
              entityId: p.caseId,
              // A partner channel list that ends up empty (edi named, nothing to advise on) reached nobody.
              action: channels.length > 0 ? 'status_to_partner' : 'status_not_sent',
              after: {
                status: p.status,
                rule,
                channels,
                ...(file && edi?.plan.send
                  ? { edi: { set: edi.plan.document, partner: edi.target!.address, file: file.name } }
                  : {}),
                ...(ediNotSent ? { reason: ediNotSent } : {}),
              },
            },
            now,
          );
        },
      };
    }
    const noTgCase = await skipWithoutTradingGridCase(
      ctx,
      p.caseId,
      'set_status',
      { status: p.status },
      async (trx) => {
        await setCasePartnerStatus(trx, p.caseId, p.status, ctx.now());
        await local(trx);
      },
      rec,
    );
    if (noTgCase) return noTgCase;
    const r = await ctx.tg.setCaseStatus(
      p.caseId,
      { status: p.status as SettableCaseStatus, ...(p.note ? { note: p.note } : {}) },
      job.key,
    );
    if (!r.ok) return outcomeFromRemote(r.error, `setting the partner status of case ${p.caseId} to ${p.status}`);
    return {
      status: 'done',
      commit: async (trx) => {
        const now = ctx.now();
        await rememberField(trx, 'case', p.caseId, 'status', 'tradinggrid', {
          value: p.status,
          at: sideStamp(r.value.updated_at, p.at),
        });
        await rememberField(trx, 'case', p.caseId, 'status', 'agreed', { value: p.status, at: p.at });
        const before = await setCasePartnerStatus(trx, p.caseId, p.status, now, rec);
        await local(trx);
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: p.caseId,
            action: 'status_to_partner',
            before: before ? undefined : null,
            after: { status: p.status, rule, ...(ctx.partnerChannel ? { channels: route.channels } : {}) },
          },
          now,
        );
      },
    };
  };
}

/** `clickup.set_status`: a partner-side status change shown on the task (flow 2, the way back). */
export function setClickUpStatusHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'clickup.set_status'>> {
  return async ({ payload, job }) => {
    const link = await getLink(ctx.store.db, 'case', payload.caseId);
    if (!link) return noTaskYet(ctx, payload.caseId, job);
    // The status as the config names it now: a held change released after the mapping was fixed takes the new name.
    const target =
      toClickUpStatus(payload.status, ctx.config.clickup.status_map, ctx.config.clickup.status_to_clickup) ??
      payload.clickUpStatus;
    const p = { ...payload, clickUpStatus: target };
    const hold = (d: Drift) =>
      holdForMapping(ctx, { kind: job.kind, key: job.key, queueKey: `case:${p.caseId}`, payload: p }, p.caseId, d);
    // The last health check saw this status missing from the list: held without a call.
    const known = statusDrift((await readMappingHealth(ctx.store.db)).drift, link.cuListId, target);
    if (known) return hold(known);
    const r = await ctx.clickup.updateTask(link.cuTaskId, { status: target });
    if (!r.ok && r.error.status === 400) {
      // Renamed or deleted since the last check? Read the list now; a missing status holds the change.
      const { drift } = await checkMappingHealth(ctx, [link.cuListId]);
      const d = statusDrift(drift, link.cuListId, target);
      if (d) return hold(d);
    }
    if (!r.ok) return outcomeFromRemote(r.error, `moving task ${link.cuTaskId} to "${p.clickUpStatus}"`);
    return {
      status: 'done',
      commit: async (trx) => {
        const now = ctx.now();
        await rememberField(trx, 'case', p.caseId, 'status', 'clickup', {
          value: p.status,
          at: sideStamp(r.value.date_updated, p.at),
        });
        await rememberField(trx, 'case', p.caseId, 'status_name', 'clickup', {
          value: r.value.status?.status ?? p.clickUpStatus,
          at: sideStamp(r.value.date_updated, p.at),
        });
        await rememberField(trx, 'case', p.caseId, 'status', 'agreed', { value: p.status, at: p.at });
        await setCasePartnerStatus(trx, p.caseId, p.status, now);
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: p.caseId,
            action: 'status_to_clickup',
            after: { status: p.status, clickUpStatus: p.clickUpStatus },
          },
          now,
        );
      },
    };
  };
}

/** `tradinggrid.add_comment`: a ClickUp comment flagged for the partner, posted on the case once (and/or e-mailed). */
export function addPartnerCommentHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'tradinggrid.add_comment'>> {
  return async ({ payload: p, job }) => {
    const rec = await getCase(ctx.store.db, p.caseId);
    const route = rec
      ? partnerRoute(ctx, rec.partnerId, 'case_status')
      : { community: true, email: false, channels: ['community'] };
    const mail = route.email && rec ? caseCommentMail(rec, p.author, p.body, job.key) : null;
    if (!route.community) {
      return {
        status: 'done',
        commit: async (trx) => {
          if (mail) await queuePartnerMail(ctx, trx, mail);
          await appendAudit(
            trx,
            {
              actor: p.author,
              entity: 'case',
              entityId: p.caseId,
              action: 'comment_to_partner',
              after: { clickUpCommentId: p.clickUpCommentId, rule: p.sharedBy ?? null, channels: route.channels },
            },
            ctx.now(),
          );
        },
      };
    }
    const noTgCase = await skipWithoutTradingGridCase(
      ctx,
      p.caseId,
      'add_comment',
      { clickUpCommentId: p.clickUpCommentId },
      async (trx) => {
        if (mail) await queuePartnerMail(ctx, trx, mail);
      },
    );
    if (noTgCase) return noTgCase;
    const r = await ctx.tg.addCaseComment(p.caseId, { body: p.body, author: p.author }, job.key);
    if (!r.ok) return outcomeFromRemote(r.error, `posting a comment on case ${p.caseId}`);
    return {
      status: 'done',
      commit: async (trx) => {
        if (mail) await queuePartnerMail(ctx, trx, mail);
        await appendAudit(
          trx,
          {
            actor: p.author,
            entity: 'case',
            entityId: p.caseId,
            action: 'comment_to_partner',
            after: {
              clickUpCommentId: p.clickUpCommentId,
              tgCommentId: r.value.id,
              rule: p.sharedBy ?? null,
              ...(ctx.partnerChannel ? { channels: route.channels } : {}),
            },
          },
          ctx.now(),
        );
      },
    };
  };
}

/** `clickup.add_comment`: a partner's comment shown on the task, attributed to the partner contact. */
export function addClickUpCommentHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'clickup.add_comment'>> {
  return async ({ payload: p, job, attempt }) => {
    const link = await getLink(ctx.store.db, 'case', p.caseId);
    if (!link) return noTaskYet(ctx, p.caseId, job);
    const list = await ctx.tg.listCaseComments(p.caseId);
    if (!list.ok) return outcomeFromRemote(list.error, `reading comments of case ${p.caseId}`);
    const c = list.value.data.find((x) => x.id === p.commentId);
    if (!c) return { status: 'retry', error: `comment ${p.commentId} of case ${p.caseId} not visible yet` };
    const author = (c as { author?: string }).author ?? 'partner';
    const body = (c as { body?: string }).body ?? '';
    // Marked with the job key, so an attempt after a lost answer finds it instead of posting it twice.
    const r = await commentOnce(
      ctx,
      link.cuTaskId,
      { comment_text: `Partner comment from ${author}:\n${body}`, notify_all: true },
      job.key,
      attempt,
    );
    if (!r.ok) return r.outcome;
    return {
      status: 'done',
      commit: (trx) =>
        appendAudit(
          trx,
          {
            actor: author,
            entity: 'case',
            entityId: p.caseId,
            action: r.value.found ? 'comment_found_after_retry' : 'comment_to_clickup',
            after: { tgCommentId: p.commentId, clickUpCommentId: r.value.id },
          },
          ctx.now(),
        ),
    };
  };
}
