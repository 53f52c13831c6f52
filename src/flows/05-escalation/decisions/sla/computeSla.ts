import type { BusinessCalendar } from '../../../../core/calendar/businessCalendar.ts';
import { HOUR_MS } from '../../../../core/calendar/zoned.ts';
import type { SlaPolicy } from './slaPolicy.ts';

export type SlaState = 'on_track' | 'at_risk' | 'breached' | 'paused' | 'met';

/** What the clock needs to know about a case. `statusHistory` lists each status change (any order; sorted here). */
export interface SlaCaseFacts {
  openedAt: Date;
  /** `[{status, from}]`: the case had `status` from `from` until the next entry. Before the first entry it was running (`open`). */
  statusHistory: ReadonlyArray<{ status: string; from: Date }>;
  /** When we first answered the partner (response SLA); null/absent while unanswered. */
  firstResponseAt?: Date | null;
  /** When the case was resolved, if the history does not say so itself. */
  resolvedAt?: Date | null;
}

export interface SlaClockOptions {
  /** Statuses that pause the clock (waiting on the partner). Default `['awaiting_documents']`. */
  pauseStatuses?: readonly string[];
  /** Statuses that stop it (a reopened case resumes). Default `['resolved']`. */
  stopStatuses?: readonly string[];
}

export interface SlaResult {
  /** Business-time resolution due date, shifted by paused time. While paused: the due date if the partner answered now. */
  dueAt: Date;
  /** Business-time first-response due date (shifted by pauses the same way). */
  responseDueAt: Date;
  responseState: 'pending' | 'met' | 'breached';
  /** Business hours the clock has run (pauses excluded). */
  elapsedBusinessHours: number;
  pausedBusinessHours: number;
  /** elapsed / resolution_hours (1 = due now; may exceed 1). */
  share: number;
  state: SlaState;
  /** The clock is currently paused (waiting on the partner). */
  paused: boolean;
  /** When the clock stopped (resolved), or null while it can still run. */
  stoppedAt: Date | null;
}

const DEFAULT_PAUSE = ['awaiting_documents'];
const DEFAULT_STOP = ['resolved'];

/**
 * The SLA clock as a pure value: replays the status history between `openedAt` and `now`
 * in business time, skipping paused and stopped intervals, and finds the instants at which
 * the running time reaches the response and resolution targets.
 */
export function computeSla(
  facts: SlaCaseFacts,
  policy: SlaPolicy,
  calendar: BusinessCalendar,
  now: Date,
  options: SlaClockOptions = {},
): SlaResult {
  const pause = options.pauseStatuses ?? DEFAULT_PAUSE;
  const stop = options.stopStatuses ?? DEFAULT_STOP;
  const opened = facts.openedAt.getTime();
  const history = [...facts.statusHistory]
    .map((h) => ({ status: h.status, from: h.from.getTime() }))
    .sort((a, b) => a.from - b.from);
  const nowMs = now.getTime();
  let end = Math.max(opened, nowMs);
  const resolvedAt = facts.resolvedAt?.getTime();
  if (resolvedAt !== undefined && resolvedAt < end) end = Math.max(opened, resolvedAt);
  // A case that is stopped now (resolved) ran until the start of that trailing stop.
  let last = history.length - 1;
  while (last >= 0 && history[last]!.from > nowMs) last--;
  let trailingStop: number | undefined;
  while (last >= 0 && stop.includes(history[last]!.status)) trailingStop = history[last--]!.from;
  if (trailingStop !== undefined && trailingStop < end) end = Math.max(opened, trailingStop);

  // Segments [from, to) with a running flag, clipped to [opened, end).
  let status = 'open';
  let i = 0;
  while (i < history.length && history[i]!.from <= opened) status = history[i++]!.status;
  const resolutionMs = policy.resolution_hours * HOUR_MS;
  const responseMs = policy.response_hours * HOUR_MS;
  let running = 0;
  let paused = 0;
  let dueAt: number | undefined;
  let responseDueAt: number | undefined;
  let segStart = opened;
  for (;;) {
    const segEnd = i < history.length ? Math.min(history[i]!.from, end) : end;
    if (segEnd > segStart) {
      const bh = calendar.businessMsBetween(segStart, segEnd);
      if (pause.includes(status) || stop.includes(status)) paused += bh;
      else {
        if (dueAt === undefined && running + bh >= resolutionMs)
          dueAt = calendar.addBusinessMs(segStart, resolutionMs - running);
        if (responseDueAt === undefined && running + bh >= responseMs)
          responseDueAt = calendar.addBusinessMs(segStart, responseMs - running);
        running += bh;
      }
    }
    if (segEnd >= end || i >= history.length) break;
    segStart = segEnd;
    status = history[i++]!.status;
  }
  // A change exactly at `end` (e.g. resolved at `now`) sets the current status without adding time.
  while (i < history.length && history[i]!.from <= end) status = history[i++]!.status;
  const stopped =
    stop.includes(status) || trailingStop !== undefined || (resolvedAt !== undefined && resolvedAt <= nowMs);
  const isPaused = !stopped && pause.includes(status);
  // Targets not reached yet: project from `end` as if the clock runs from now on.
  dueAt ??= calendar.addBusinessMs(end, resolutionMs - running);
  responseDueAt ??= calendar.addBusinessMs(end, responseMs - running);

  let state: SlaState;
  if (stopped) state = running <= resolutionMs ? 'met' : 'breached';
  else if (running >= resolutionMs) state = 'breached';
  else if (isPaused) state = 'paused';
  else if (running >= policy.at_risk_at * resolutionMs) state = 'at_risk';
  else state = 'on_track';

  const stoppedAt: number | null = stopped ? end : null;

  // Resolving a case answers it, when no earlier response was recorded.
  const firstResponse = facts.firstResponseAt?.getTime() ?? stoppedAt ?? undefined;
  const responseState =
    firstResponse !== undefined
      ? firstResponse <= responseDueAt
        ? 'met'
        : 'breached'
      : nowMs >= responseDueAt
        ? 'breached'
        : 'pending';

  return {
    dueAt: new Date(dueAt),
    responseDueAt: new Date(responseDueAt),
    responseState,
    elapsedBusinessHours: running / HOUR_MS,
    pausedBusinessHours: paused / HOUR_MS,
    share: running / resolutionMs,
    state,
    paused: isPaused,
    stoppedAt: stoppedAt === null ? null : new Date(stoppedAt),
  };
}
