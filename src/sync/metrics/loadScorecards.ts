import type { Kysely } from 'kysely';
import type { GridbridgeConfig } from '../../config/schema.ts';
import { periodOf } from '../../core/metrics/period.ts';
import { scorecardWindow, scorecardsFromAggregates, type PartnerAggregate, type PartnerScorecard, type ScorecardWindow } from '../../core/metrics/scorecard.ts';
import type { Database } from '../../store/schema.ts';
import { scorecardAggregates } from '../../store/ops/scorecardAggregates.ts';

export interface ScorecardQuery {
  /** `2026-Q3`, `2026-11`, `2026-W48`, `2026`; default: the running period of `metrics.period_kind`. */
  period?: string;
  partnerId?: string;
  now: number;
  /** Partners to list even without any case (zeros). */
  include?: readonly string[];
}

export interface LoadedScorecards {
  window: ScorecardWindow;
  scorecards: PartnerScorecard[];
}

/**
 * Scorecards of one period from the store (indexed aggregates, not every row), periods read in the
 * calendar's time zone. Throws a RangeError for a malformed period label (callers turn it into a 400 / exit 1).
 */
export async function loadScorecards(db: Kysely<Database>, config: Pick<GridbridgeConfig, 'calendar' | 'metrics'>, q: ScorecardQuery): Promise<LoadedScorecards> {
  const tz = config.calendar.time_zone;
  const label = q.period ?? periodOf(q.now, config.metrics.period_kind, tz).label;
  const window = scorecardWindow(label, tz, new Date(q.now));
  const aggregates = await scorecardAggregates(db, window, q.partnerId);
  const seen = new Set(aggregates.map((a) => a.partner_id));
  const extra: PartnerAggregate[] = (q.include ?? [])
    .filter((id) => !seen.has(id) && (q.partnerId === undefined || id === q.partnerId))
    .map((id) => ({ partner_id: id, resolved_cases: 0, duration_sum_ms: 0, median_ms: null, p90_ms: null, sla_counted: 0, sla_met: 0, open_cases: 0, overdue_tasks: 0 }));
  return { window, scorecards: scorecardsFromAggregates([...aggregates, ...extra], label) };
}
