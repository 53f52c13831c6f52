import type { TgEventRoute } from '../../sync/tgEventRoute.ts';
import { getLink } from '../../store/ops/links.ts';
import { intakeCommunityCase } from '../01-case-intake/intakeHandler.ts';
import { isCaseFilteredOut, isCasePausedByFilter } from '../01-case-intake/mapping/effects.ts';
import { noTaskYet } from '../shared/noTaskYet.ts';
import { partnerCommentToClickUp, statusFromTradingGrid } from './caseClickUpRoute.ts';
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

/** `case.comment_added`: a partner's comment goes to the case's task (an internal note stays where it is). */
export const caseCommentRoute: TgEventRoute = (ctx, ev) => {
  if (ev.type !== 'case.comment_added') return null;
  return (async () => {
    if (ev.data.side === 'internal') return { status: 'done' as const };
    if (!(await getLink(ctx.store.db, 'case', ev.data.case_id))) {
      if (await isCaseFilteredOut(ctx, ev.data.case_id)) return { status: 'done' as const };
      return noTaskYet(ctx, ev.data.case_id);
    }
    // The partner's own words still reach the task while the case is paused by the filter: nothing goes back.
    return partnerCommentToClickUp(ctx, ev.data.case_id, ev.data.id);
  })();
};
