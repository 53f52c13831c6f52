import type { TgEventRoute } from '../../sync/tgEventRoute.ts';
import { getLink } from '../../store/ops/links.ts';
import { getCase } from '../../store/ops/cases.ts';
import { intakeCommunityCase } from '../01-case-intake/intakeHandler.ts';
import { isCaseFilteredOut, isCasePausedByFilter } from '../01-case-intake/mapping/effects.ts';
import { noTaskYet } from '../shared/noTaskYet.ts';
import { partnerCommentJob, partnerCommentToClickUp, statusFromTradingGrid } from './caseClickUpRoute.ts';
import { isStatusOnlyUpdate } from './decisions/caseEvent.ts';

/** `case.updated`: a linked case's status change comes back to the task; anything else (or an unlinked case) is read again by the intake. */
export const caseUpdatedRoute: TgEventRoute = (ctx, ev) => {
  if (ev.type !== 'case.updated') return null;
  return (async () => {
    const linked = (await getLink(ctx.store.db, 'case', ev.data.id)) !== null;
    const status = ev.data.status;
    if (status && isStatusOnlyUpdate({ linked, status, changed: ev.data.changed })) {
      // Paused by the case filter: the status waits for the case to match again (intake then brings it).
      if (await isCasePausedByFilter(ctx, ev.data.id)) return { status: 'done' as const };
      return statusFromTradingGrid(ctx, ev.data.id, status, Date.parse(ev.occurred_at));
    }
    // The status changed with other fields: the status takes its way back, the other fields the intake's
    // (which keeps the status as it was); both commit together. A case paused by the filter goes to the intake.
    if (linked && status && ev.data.changed?.includes('status') && !(await isCasePausedByFilter(ctx, ev.data.id))) {
      const s = await statusFromTradingGrid(ctx, ev.data.id, status, Date.parse(ev.occurred_at));
      if (s.status !== 'done') return s;
      const i = await intakeCommunityCase(ctx, ev.data.id);
      if (i.status !== 'done') return i;
      return {
        status: 'done' as const,
        commit: async (trx) => {
          await s.commit?.(trx);
          await i.commit?.(trx);
        },
      };
    }
    return intakeCommunityCase(ctx, ev.data.id);
  })();
};

/**
 * `case.comment_added`: a partner's comment goes to the case's task (an internal note stays where it is).
 * On a case without a task the intake reads the case (as for a document): the comment's job is queued after
 * the task's, by the keys the case's own case.opened would use, so the comment waits for the task without
 * holding up the case's queue. Waiting here instead would block every later job of the case, its
 * case.opened too when the events came out of order, until this one dead-lettered.
 */
export const caseCommentRoute: TgEventRoute = (ctx, ev) => {
  if (ev.type !== 'case.comment_added') return null;
  return (async () => {
    if (ev.data.side === 'internal') return { status: 'done' as const };
    const caseId = ev.data.case_id;
    if (!(await getLink(ctx.store.db, 'case', caseId))) {
      if (await isCaseFilteredOut(ctx, caseId)) return { status: 'done' as const };
      // A case whose task was deleted and stays unlinked: audited and dropped.
      if ((await getCase(ctx.store.db, caseId))?.unlinked) return noTaskYet(ctx, caseId);
      // In the intake's own insert, after the task's job: one statement keeps their order on both stores.
      return intakeCommunityCase(ctx, caseId, [partnerCommentJob(ctx, caseId, ev.data.id)]);
    }
    // The partner's own words still reach the task while the case is paused by the filter: nothing goes back.
    return partnerCommentToClickUp(ctx, ev.data.case_id, ev.data.id);
  })();
};
