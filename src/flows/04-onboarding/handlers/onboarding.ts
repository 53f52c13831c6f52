import type { SyncContext } from '../../../sync/context.ts';
import type { TypedJobHandler } from '../../../sync/flowModule.ts';
import type { OnboardingPayload } from '../jobs.ts';
import { statusRank } from '../decisions/onboarding.ts';
import { groupEntityId } from '../../../core/taskGroup.ts';
import { getLink } from '../../../store/ops/links.ts';
import { appendAudit } from '../../../store/ops/audit.ts';
import { outcomeFromRemote } from '../../../sync/outcome.ts';

/** Flow 4's jobs: a note on the group's parent task, and the partner status a milestone moves (routes in ../routes.ts). */

const FLOW = 'onboarding';

/** `onboarding.note`: a line on the group's parent task (pause, resume), once. */
export function onboardingNoteHandler(ctx: SyncContext): TypedJobHandler<OnboardingPayload<'onboarding.note'>> {
  return async ({ payload, attempt }) => {
    const { groupId, text } = payload;
    const link = await getLink(ctx.store.db, FLOW, groupEntityId(groupId, 'parent'));
    if (!link)
      return { status: 'retry', error: `the onboarding group ${groupId} has no parent task yet`, retryAfterMs: 5_000 };
    if (attempt > 1) {
      const list = await ctx.clickup.listComments(link.cuTaskId);
      if (!list.ok) return outcomeFromRemote(list.error, `reading comments of ${link.cuTaskId}`);
      if (list.value.some((x) => x.comment_text.trim() === text.trim())) return { status: 'done' };
    }
    const posted = await ctx.clickup.createComment(link.cuTaskId, { comment_text: text, notify_all: false });
    return posted.ok ? { status: 'done' } : outcomeFromRemote(posted.error, `commenting on ${link.cuTaskId}`);
  };
}

/** `onboarding.set_partner_status`: forward only (a partner already further along is left alone). */
export function setOnboardingPartnerStatusHandler(
  ctx: SyncContext,
): TypedJobHandler<OnboardingPayload<'onboarding.set_partner_status'>> {
  return async ({ payload }) => {
    const { partnerId, status } = payload;
    // EDI only: nothing can set a partner's status on the Trading Grid side; the audit says who should.
    if (ctx.config.tradinggrid.driver === 'mailbox') {
      return {
        status: 'done',
        commit: (trx) =>
          appendAudit(
            trx,
            {
              actor: 'gridbridge',
              entity: FLOW,
              entityId: partnerId,
              action: 'partner_status_not_sent',
              after: {
                status,
                reason:
                  'tradinggrid.driver is mailbox (no community API): set the status in Active Community; the next CSV export brings it back',
              },
            },
            ctx.now(),
          ),
      };
    }
    const p = await ctx.tg.getPartner(partnerId);
    if (!p.ok) return outcomeFromRemote(p.error, `reading partner ${partnerId}`);
    if (statusRank(p.value.status) >= statusRank(status) || p.value.status === 'inactive') return { status: 'done' };
    const r = await ctx.tg.setPartnerStatus(partnerId, status, `gridbridge:onboarding:${partnerId}:${status}`);
    if (!r.ok) return outcomeFromRemote(r.error, `setting partner ${partnerId} to ${status}`);
    ctx.partners.forget(partnerId);
    return {
      status: 'done',
      commit: (trx) =>
        appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: FLOW,
            entityId: partnerId,
            action: 'partner_status_set',
            before: { status: p.value.status },
            after: { status },
          },
          ctx.now(),
        ),
    };
  };
}
