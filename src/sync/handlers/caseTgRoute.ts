import type { SyncContext } from '../context.ts';
import type { TgEventRoute } from '../tgEventRoute.ts';
import { noTaskYet } from './caseEffects.ts';
import { intakeCommunityCase } from './caseIntake.ts';
import { documentFromTradingGrid, partnerCommentToClickUp, statusFromTradingGrid } from './caseSync.ts';
import { getLink } from '../../store/ops/links.ts';
import { isCaseFilteredOut, isCasePausedByFilter } from '../mappingEffects.ts';

/**
 * Case events (flows 1, 2 and 3): the routes of the other flows have had their turn. A case event that
 * none of them took is the case flows'; any other event type is passed on (recorded and skipped).
 */
export const caseTgRoute: TgEventRoute = (ctx: SyncContext, ev) => {
  switch (ev.type) {
    case 'case.opened':
      return intakeCommunityCase(ctx, ev.data.id);
    case 'case.updated':
      return (async () => {
        // A linked case's status change is flow 2's way back; anything else (or an unlinked case) is read again.
        const linked = await getLink(ctx.store.db, 'case', ev.data.id);
        const changed = ev.data.changed;
        if (linked && ev.data.status && (!changed || changed.every((f) => f === 'status' || f === 'updated_at'))) {
          // Paused by the case filter: the status waits for the case to match again (intake then brings it).
          if (await isCasePausedByFilter(ctx, ev.data.id)) return { status: 'done' as const };
          return statusFromTradingGrid(ctx, ev.data.id, ev.data.status, Date.parse(ev.occurred_at));
        }
        return intakeCommunityCase(ctx, ev.data.id);
      })();
    case 'case.comment_added':
      return (async () => {
        if (ev.data.side === 'internal') return { status: 'done' as const };
        if (!(await getLink(ctx.store.db, 'case', ev.data.case_id))) {
          if (await isCaseFilteredOut(ctx, ev.data.case_id)) return { status: 'done' as const };
          return noTaskYet(ctx, ev.data.case_id);
        }
        // The partner's own words still reach the task while the case is paused by the filter: nothing goes back.
        return partnerCommentToClickUp(ctx, ev.data.case_id, ev.data.id);
      })();
    case 'document.added':
      return (async () => {
        const caseId = ev.data.case_id;
        if (!caseId) return { status: 'done' as const };
        if (await getLink(ctx.store.db, 'case', caseId)) return documentFromTradingGrid(ctx, caseId, ev.data.id, ev.data.sha256, ev.data.uploaded_by);
        return intakeCommunityCase(ctx, caseId);
      })();
    default:
      return null;
  }
};
