import type { BusinessCalendar } from '../../../../core/calendar/businessCalendar.ts';
import { routeCase, type RoutingFacts } from '../routing/routeCase.ts';
import type { RouteTo, RoutingRules } from '../routing/routingRules.ts';
import type { SlaResult, SlaState } from './computeSla.ts';
import { levelShare, type SlaPolicy } from './slaPolicy.ts';

/** What the scheduler should make happen for one case; the lead maps these to ClickUp / Trading Grid jobs. */
export type SlaIntent =
  | { kind: 'set_sla_state'; state: SlaState }
  | { kind: 'update_due_date'; dueAt: Date }
  /** Remind the assignee once; `covers` lists every threshold this one reminder settles (a late sweep sends one, not several). */
  | { kind: 'remind'; threshold: number; covers: number[]; share: number; dueAt: Date }
  | {
      kind: 'escalate';
      /** 1-based rung of the ladder; `fromLevel` is the rung already done (levels in between are skipped, not sent twice). */
      level: number;
      fromLevel: number;
      routeTo: RouteTo;
      /** Routing rule index, or null when the level's own `route_to` applied. */
      ruleIndex: number | null;
      explanation: string;
      priority: 1 | 2 | 3 | 4;
      /** Due date of the escalation task (its own SLA), or null when the level has none. */
      dueAt: Date | null;
    }
  | { kind: 'set_partner_status'; status: 'escalated' };

export interface SlaSweepCase extends RoutingFacts {
  /** Current partner-visible status. */
  partnerStatus: string;
}

export interface AlreadyDone {
  /** Reminder thresholds already sent (including ones `covers` settled). */
  reminders: readonly number[];
  /** Highest escalation level already raised (0 = none). */
  escalationLevel: number;
  /** The due date currently on the ClickUp task, if any. */
  dueAt?: Date | null;
  /** The SLA state last recorded for the case. */
  state?: SlaState | null;
}

export interface SlaSweepInput {
  case: SlaSweepCase;
  sla: SlaResult;
  policy: SlaPolicy;
  alreadyDone: AlreadyDone;
  now: Date;
  routing: RoutingRules;
  calendar: BusinessCalendar;
  /** A due date this close to the written one is left alone (default 60 s). */
  dueDateToleranceMs?: number;
}

/**
 * One sweep's decisions for one case: pure, and idempotent given `alreadyDone`
 * (a repeated sweep with the recorded outcome yields no new reminders or escalations).
 */
export function decideSlaActions(input: SlaSweepInput): SlaIntent[] {
  const { sla, policy, alreadyDone, now } = input;
  const intents: SlaIntent[] = [];
  if (alreadyDone.state !== sla.state) intents.push({ kind: 'set_sla_state', state: sla.state });
  if (sla.stoppedAt !== null) return intents; // resolved: nothing more to chase

  // While paused the projected due date moves with every business hour; write it once the clock runs again.
  const written = alreadyDone.dueAt?.getTime();
  const tolerance = input.dueDateToleranceMs ?? 60_000;
  if (!sla.paused && (written === undefined || Math.abs(written - sla.dueAt.getTime()) > tolerance)) {
    intents.push({ kind: 'update_due_date', dueAt: sla.dueAt });
  }

  const crossed = policy.reminder_at
    .filter((t) => sla.share >= t && !alreadyDone.reminders.includes(t))
    .sort((a, b) => a - b);
  if (crossed.length > 0) {
    intents.push({
      kind: 'remind',
      threshold: crossed[crossed.length - 1]!,
      covers: crossed,
      share: sla.share,
      dueAt: sla.dueAt,
    });
  }

  let reached = 0;
  policy.escalation_levels.forEach((level, i) => {
    const hit = level.after !== undefined ? sla.share >= level.after : sla.elapsedBusinessHours >= level.after_hours!;
    if (hit) reached = i + 1;
  });
  if (reached > alreadyDone.escalationLevel) {
    const level = policy.escalation_levels[reached - 1]!;
    const routed = level.route_to ? undefined : routeCase(input.case, input.routing);
    const why =
      level.after !== undefined
        ? `SLA at ${pct(sla.share)} of ${policy.resolution_hours} business hours (level ${reached} at ${pct(levelShare(level, policy))})`
        : `${round2(sla.elapsedBusinessHours)} business hours running (level ${reached} after ${level.after_hours} h)`;
    intents.push({
      kind: 'escalate',
      level: reached,
      fromLevel: alreadyDone.escalationLevel,
      routeTo: level.route_to ?? routed!.routeTo,
      ruleIndex: routed ? routed.ruleIndex : null,
      explanation: `${why}; ${routed ? routed.explanation : `escalation_levels[${reached - 1}].route_to`}`,
      priority: level.priority,
      dueAt: level.resolution_hours !== undefined ? input.calendar.addBusinessHours(now, level.resolution_hours) : null,
    });
    // Any rung up to the one reached may ask for it; the partner sees `escalated` once.
    const wantsStatus = policy.escalation_levels
      .slice(alreadyDone.escalationLevel, reached)
      .some((l) => l.set_partner_status);
    if (wantsStatus && input.case.partnerStatus !== 'escalated')
      intents.push({ kind: 'set_partner_status', status: 'escalated' });
  }
  return intents;
}

const pct = (s: number) => `${Math.round(s * 1000) / 10} %`;
const round2 = (n: number) => Math.round(n * 100) / 100;
