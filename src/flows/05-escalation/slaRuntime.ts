import type { GridbridgeConfig } from '../../config/schema.ts';
import { BusinessCalendar } from '../../core/calendar/businessCalendar.ts';
import type { RoutingRules } from './decisions/routing/routingRules.ts';
import { computeSla } from './decisions/sla/computeSla.ts';
import { selectSlaPolicy, type SlaSubject } from './decisions/sla/slaPolicy.ts';

/** What the SLA engine needs from the config, built once per config (the calendar caches its day plans). */
export interface SlaRuntime {
  calendar: BusinessCalendar;
  routing: RoutingRules;
  /** Due date of a case opened at `openedAt` with no history yet: the policy's business-time target. */
  dueAtForNewCase(subject: SlaSubject & { openedAt: number }): number;
}

/**
 * Without a routing table, escalations still happen: the task goes to the case's list with no manager
 * (an empty `manager` is never resolved to a person), and its description says why.
 */
const NO_ROUTING: RoutingRules = [{ name: 'no routing table configured', match: {}, route_to: { manager: '' } }];

const cache = new WeakMap<GridbridgeConfig, SlaRuntime>();

export function slaRuntime(config: GridbridgeConfig): SlaRuntime {
  let rt = cache.get(config);
  if (rt) return rt;
  const calendar = new BusinessCalendar(config.calendar);
  rt = {
    calendar,
    routing: config.routing ?? NO_ROUTING,
    dueAtForNewCase: (subject) => {
      const { policy } = selectSlaPolicy(subject, config.sla);
      const opened = new Date(subject.openedAt);
      return computeSla({ openedAt: opened, statusHistory: [] }, policy, calendar, opened, {
        pauseStatuses: config.sla.pause_statuses,
      }).dueAt.getTime();
    },
  };
  cache.set(config, rt);
  return rt;
}
