import type { TradingGridEvent } from '../connectors/tradinggrid/events.ts';
import type { SyncContext } from './context.ts';
import type { JobHandler } from './dispatcher.ts';

/**
 * One flow's claim on Trading Grid events: the job's outcome when the flow takes the event, null to pass
 * it on. It decides without awaiting (the registry tries routes in their order; the first answer wins).
 */
export type TgEventRoute = (ctx: SyncContext, ev: TradingGridEvent) => ReturnType<JobHandler> | null;
