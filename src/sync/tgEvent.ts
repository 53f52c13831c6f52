import type { SyncContext } from './context.ts';
import type { TypedJobHandler } from './flowModule.ts';
import type { TradingGridEvent } from '../connectors/tradinggrid/events.ts';
import type { TgEventRoute } from './tgEventRoute.ts';

/**
 * `tg.event` jobs: one Trading Grid event, routed to its flow. Thin events carry ids only, so each
 * flow re-reads the resource: a late or repeated event sees the current state, never an old copy.
 * Routes are tried in order (the registry sorts them); the first that answers takes the event.
 */
export function tgEventHandler(ctx: SyncContext, routes: readonly TgEventRoute[]): TypedJobHandler<TradingGridEvent> {
  return async ({ payload: ev }) => {
    for (const route of routes) {
      const r = route(ctx, ev);
      if (r) return r;
    }
    ctx.logger.debug({ type: ev.type, id: ev.id }, 'no flow handles this event type; recorded and skipped');
    return { status: 'done' };
  };
}
