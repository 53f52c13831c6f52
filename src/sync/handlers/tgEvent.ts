import type { SyncContext } from '../context.ts';
import type { JobHandler } from '../dispatcher.ts';
import type { TradingGridEvent } from '../../connectors/tradinggrid/events.ts';
import { intakeCommunityCase } from './caseIntake.ts';

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
      case 'case.updated':
        return intakeCommunityCase(ctx, ev.data.id);
      case 'document.added':
        if (ev.data.case_id) return intakeCommunityCase(ctx, ev.data.case_id);
        return { status: 'done' };
      default:
        ctx.logger.debug({ type: ev.type, id: ev.id }, 'no flow handles this event type; recorded and skipped');
        return { status: 'done' };
    }
  };
}
