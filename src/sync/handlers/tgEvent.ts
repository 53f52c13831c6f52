import type { SyncContext } from '../context.ts';
import { noTaskYet } from './caseEffects.ts';
import type { JobHandler } from '../dispatcher.ts';
import type { TradingGridEvent } from '../../connectors/tradinggrid/events.ts';
import { intakeCommunityCase } from './caseIntake.ts';
import { documentFromTradingGrid, partnerCommentToClickUp, statusFromTradingGrid } from './caseSync.ts';
import { getLink } from '../../store/ops/links.ts';
import { isCaseFilteredOut } from '../mappingEffects.ts';

export type TgEventRoute = (ctx: SyncContext, ev: TradingGridEvent) => ReturnType<JobHandler> | null;

/**
 * `tg.event` jobs: one Trading Grid event, routed to its flow. Thin events carry ids only, so each
 * flow re-reads the resource: a late or repeated event sees the current state, never an old copy.
 */
export function tgEventHandler(ctx: SyncContext, extraRoutes: TgEventRoute[] = []): JobHandler {
  return async ({ payload }) => {
    const ev = payload as TradingGridEvent;
    for (const route of extraRoutes) {
      const r = route(ctx, ev);
      if (r) return r;
    }
    switch (ev.type) {
      case 'case.opened':
        return intakeCommunityCase(ctx, ev.data.id);
      case 'case.updated': {
        // A linked case's status change is flow 2's way back; anything else (or an unlinked case) is read again.
        const linked = await getLink(ctx.store.db, 'case', ev.data.id);
        const changed = ev.data.changed;
        if (linked && ev.data.status && (!changed || changed.every((f) => f === 'status' || f === 'updated_at'))) {
          return statusFromTradingGrid(ctx, ev.data.id, ev.data.status, Date.parse(ev.occurred_at));
        }
        return intakeCommunityCase(ctx, ev.data.id);
      }
      case 'case.comment_added': {
        if (ev.data.side === 'internal') return { status: 'done' };
        if (!(await getLink(ctx.store.db, 'case', ev.data.case_id))) {
          if (await isCaseFilteredOut(ctx, ev.data.case_id)) return { status: 'done' };
          return noTaskYet(ctx, ev.data.case_id);
        }
        return partnerCommentToClickUp(ctx, ev.data.case_id, ev.data.id);
      }
      case 'document.added': {
        const caseId = ev.data.case_id;
        if (!caseId) return { status: 'done' };
        if (await getLink(ctx.store.db, 'case', caseId)) return documentFromTradingGrid(ctx, caseId, ev.data.id, ev.data.sha256, ev.data.uploaded_by);
        return intakeCommunityCase(ctx, caseId);
      }
      default:
        ctx.logger.debug({ type: ev.type, id: ev.id }, 'no flow handles this event type; recorded and skipped');
        return { status: 'done' };
    }
  };
}
