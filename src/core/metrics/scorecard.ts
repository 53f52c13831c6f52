import { HOUR_MS } from '../calendar/zoned.ts';
import { parsePeriodOrThrow, periodRange } from './period.ts';
import { quantileSorted } from './quantile.ts';

/** The columns of the store's `cases` table the scorecards need (ms epochs). */
export interface CaseMetricRow {
  partner_id: string;
  status: string;
  opened_at: number;
  resolved_at: number | null;
  sla_due_at: number | null;
}

/**
 * What a scorecard measures, as instants: resolutions in `[start, end)`, and the open/overdue
 * snapshot at `asOf` (the period end, or now for the running period).
 */
export interface ScorecardWindow {
  period: string;
  start: number;
  end: number;
  asOf: number;
}

/** The window of a period label (`2026-Q3`, `2026-11`, `2026-W48`, `2026`) read in `timeZone`, as of `now`. */
export function scorecardWindow(period: string, timeZone: string, now: Date): ScorecardWindow {
  const { start, end } = periodRange(parsePeriodOrThrow(period), timeZone);
  return { period, start, end, asOf: Math.min(end, now.getTime()) };
}

/** One partner's figures for one period. Hours are wall-clock hours from opened to resolved. */
export interface PartnerScorecard {
  partner_id: string;
  period: string;
  /** Cases resolved within the period: the population of the resolution-time figures. */
  resolved_cases: number;
  avg_resolution_hours: number | null;
  median_resolution_hours: number | null;
  p90_resolution_hours: number | null;
  /** Cases open at the snapshot instant (period end, or now). */
  open_cases: number;
  /** Of those, past their SLA due date. */
  overdue_tasks: number;
  /** Of the cases resolved in the period that had a due date, the share resolved by it (0–100); null when there were none. */
  sla_met_pct: number | null;
}

interface PartnerTally {
  durations: number[];
  durationSum: number;
  slaCounted: number;
  slaMet: number;
  open: number;
  overdue: number;
}

/**
 * Folds case rows into per-partner scorecards in one pass. Exact quantiles: resolution times
 * are kept per partner (8 bytes each, only for cases resolved in the window) and sorted once at
 * the end. A period holds at most a few hundred thousand resolutions, so exact costs little and
 * is reproducible; a streaming sketch (t-digest) would only pay off for unbounded history.
 *
 * Rows outside the window are ignored, so a caller may feed everything (naive) or only what an
 * indexed query selects: `resolved_at` in `[start, end)` OR open at `asOf`.
 */
export class ScorecardAccumulator {
  private readonly partners = new Map<string, PartnerTally>();

  constructor(readonly window: ScorecardWindow) {}

  add(row: CaseMetricRow): void {
    this.addFields(row.partner_id, row.status, row.opened_at, row.resolved_at, row.sla_due_at);
  }

  /** Positional form of `add`, for raw row arrays from a database driver. */
  addFields(
    partnerId: string,
    status: string,
    openedAt: number,
    resolvedAt: number | null,
    slaDueAt: number | null,
  ): void {
    const { start, end, asOf } = this.window;
    const resolvedInWindow = resolvedAt !== null && resolvedAt >= start && resolvedAt < end;
    // Open at the snapshot: opened by then and not yet resolved (a resolved status without a time counts as closed).
    const openAtSnapshot = openedAt < asOf && (resolvedAt === null ? status !== 'resolved' : resolvedAt > asOf);
    if (!resolvedInWindow && !openAtSnapshot) return;
    const t = this.tally(partnerId);
    if (resolvedInWindow) {
      const d = resolvedAt - openedAt;
      t.durations.push(d);
      t.durationSum += d;
      if (slaDueAt !== null) {
        t.slaCounted++;
        if (resolvedAt <= slaDueAt) t.slaMet++;
      }
    }
    if (openAtSnapshot) {
      t.open++;
      if (slaDueAt !== null && slaDueAt < asOf) t.overdue++;
    }
  }

  /** Scorecards sorted by partner id; `partners` lists ids to include even without any case (all zeros). */
  finish(partners: Iterable<string> = []): PartnerScorecard[] {
    for (const id of partners) this.tally(id);
    const aggregates: PartnerAggregate[] = [];
    for (const [partnerId, t] of this.partners) {
      const sorted = Float64Array.from(t.durations).sort();
      aggregates.push({
        partner_id: partnerId,
        resolved_cases: sorted.length,
        duration_sum_ms: t.durationSum,
        median_ms: quantileSorted(sorted, 0.5),
        p90_ms: quantileSorted(sorted, 0.9),
        sla_counted: t.slaCounted,
        sla_met: t.slaMet,
        open_cases: t.open,
        overdue_tasks: t.overdue,
      });
    }
    return scorecardsFromAggregates(aggregates, this.window.period);
  }

  private tally(partnerId: string): PartnerTally {
    let t = this.partners.get(partnerId);
    if (!t) {
      t = { durations: [], durationSum: 0, slaCounted: 0, slaMet: 0, open: 0, overdue: 0 };
      this.partners.set(partnerId, t);
    }
    return t;
  }
}

/**
 * One partner's figures before rounding: what a GROUP BY query over the store returns (quantiles
 * from the two ranks around each, see `quantileFromRanks`), or what ScorecardAccumulator folds.
 */
export interface PartnerAggregate {
  partner_id: string;
  /** Cases resolved in the window, and the sum of their opened→resolved times (ms). */
  resolved_cases: number;
  duration_sum_ms: number;
  median_ms: number | null;
  p90_ms: number | null;
  /** Resolved in the window with a due date, and of those resolved by it. */
  sla_counted: number;
  sla_met: number;
  /** Open at the snapshot, and of those past their due date. */
  open_cases: number;
  overdue_tasks: number;
}

/** Rounded scorecards (hours 2 decimals, percent 1 decimal), sorted by partner id. Both sources go through here. */
export function scorecardsFromAggregates(aggregates: Iterable<PartnerAggregate>, period: string): PartnerScorecard[] {
  const out: PartnerScorecard[] = [];
  for (const a of aggregates) {
    const n = a.resolved_cases;
    const hours = (ms: number | null) => (ms === null ? null : round(ms / HOUR_MS, 2));
    out.push({
      partner_id: a.partner_id,
      period,
      resolved_cases: n,
      avg_resolution_hours: n === 0 ? null : hours(a.duration_sum_ms / n),
      median_resolution_hours: n === 0 ? null : hours(a.median_ms),
      p90_resolution_hours: n === 0 ? null : hours(a.p90_ms),
      open_cases: a.open_cases,
      overdue_tasks: a.overdue_tasks,
      sla_met_pct: a.sla_counted === 0 ? null : round((100 * a.sla_met) / a.sla_counted, 1),
    });
  }
  return out.sort((a, b) => (a.partner_id < b.partner_id ? -1 : a.partner_id > b.partner_id ? 1 : 0));
}

/** All partner scorecards of a window from any iterable of rows. */
export function computeScorecards(
  rows: Iterable<CaseMetricRow>,
  window: ScorecardWindow,
  partners?: Iterable<string>,
): PartnerScorecard[] {
  const acc = new ScorecardAccumulator(window);
  for (const r of rows) acc.add(r);
  return acc.finish(partners);
}

/** The Trading Grid contract's shape (`PUT /trading_partners/{id}/scorecard`). */
export interface TradingGridScorecard {
  period: string;
  avg_resolution_hours: number;
  open_cases: number;
  overdue_tasks: number;
  sla_met_pct: number;
}

/**
 * Maps to the contract, which has no nulls: with no resolution in the period the average is 0,
 * and with nothing measured the SLA met share is 100 (no case missed its due date).
 */
export function toTradingGridScorecard(s: PartnerScorecard): TradingGridScorecard {
  return {
    period: s.period,
    avg_resolution_hours: s.avg_resolution_hours ?? 0,
    open_cases: s.open_cases,
    overdue_tasks: s.overdue_tasks,
    sla_met_pct: s.sla_met_pct ?? 100,
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
