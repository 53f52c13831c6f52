import type { TgEventRoute } from '../../sync/tgEventRoute.ts';
import { getLink } from '../../store/ops/links.ts';
import { intakeCommunityCase } from '../01-case-intake/intakeHandler.ts';
import { documentFromTradingGrid } from './documentFromTradingGrid.ts';

/** `document.added`: a partner's document goes to the linked case's task; on a case without a task the intake reads the case again. */
export const documentAddedRoute: TgEventRoute = (ctx, ev) => {
  if (ev.type !== 'document.added') return null;
  return (async () => {
    const caseId = ev.data.case_id;
    if (!caseId) return { status: 'done' as const };
    if (await getLink(ctx.store.db, 'case', caseId))
      return documentFromTradingGrid(ctx, caseId, ev.data.id, ev.data.sha256, ev.data.uploaded_by);
    return intakeCommunityCase(ctx, caseId);
  })();
};
