import { sql, type Kysely, type Transaction } from 'kysely';
import { quantileFromRanks } from '../../core/metrics/quantile.ts';
import type { PartnerAggregate, ScorecardWindow } from '../../core/metrics/scorecard.ts';
import type { Database } from '../schema.ts';

/**
 * Per-partner scorecard aggregates of a window, computed in the database over the covering index
 * `cases_scorecard` (resolved_at, partner_id, opened_at, sla_due_at, partner_status): counts and sums, and for
 * the median and p90 only the rows at the ranks type-7 quantiles interpolate between. Same figures as
 * folding every row through ScorecardAccumulator (bench/metrics.ts checks both against the naive way).
 * SQL written for SQLite and PostgreSQL alike (integer division for the ranks).
 */
export async function scorecardAggregates(
  db: Kysely<Database> | Transaction<Database>,
  w: ScorecardWindow,
  partnerId?: string,
): Promise<PartnerAggregate[]> {
  const { start, end, asOf } = w;
  // Test-interchange cases (source mailbox_test) are not partner performance: never in a scorecard.
  const onlyPartner =
    partnerId === undefined
      ? sql` AND source <> 'mailbox_test'`
      : sql` AND partner_id = ${partnerId} AND source <> 'mailbox_test'`;
  const byPartner = new Map<string, PartnerAggregate>();
  const agg = (id: string): PartnerAggregate => {
    let a = byPartner.get(id);
    if (!a) {
      a = {
        partner_id: id,
        resolved_cases: 0,
        duration_sum_ms: 0,
        median_ms: null,
        p90_ms: null,
        sla_counted: 0,
        sla_met: 0,
        open_cases: 0,
        overdue_tasks: 0,
      };
      byPartner.set(id, a);
    }
    return a;
  };

  const resolved = await sql<{ partner_id: string; n: number; dsum: number; sla_n: number; sla_met: number | null }>`
    SELECT partner_id, COUNT(*) AS n, SUM(resolved_at - opened_at) AS dsum,
           COUNT(sla_due_at) AS sla_n, SUM(CASE WHEN resolved_at <= sla_due_at THEN 1 ELSE 0 END) AS sla_met
    FROM cases WHERE resolved_at >= ${start} AND resolved_at < ${end}${onlyPartner} GROUP BY partner_id`.execute(db);
  for (const r of resolved.rows) {
    Object.assign(agg(r.partner_id), {
      resolved_cases: Number(r.n),
      duration_sum_ms: Number(r.dsum),
      sla_counted: Number(r.sla_n),
      sla_met: Number(r.sla_met ?? 0),
    });
  }

  // Rows around floor((n-1)·q) for q = 0.5 and 0.9: one either side covers float rounding differences.
  const ranks = await sql<{ partner_id: string; i: number; d: number }>`
    WITH r AS (
      SELECT partner_id, resolved_at - opened_at AS d,
             ROW_NUMBER() OVER (PARTITION BY partner_id ORDER BY resolved_at - opened_at) - 1 AS i,
             COUNT(*) OVER (PARTITION BY partner_id) AS n
      FROM cases WHERE resolved_at >= ${start} AND resolved_at < ${end}${onlyPartner})
    SELECT partner_id, i, d FROM r
    WHERE i BETWEEN (n - 1) * 5 / 10 - 1 AND (n - 1) * 5 / 10 + 2
       OR i BETWEEN (n - 1) * 9 / 10 - 1 AND (n - 1) * 9 / 10 + 2`.execute(db);
  const at = new Map<string, Map<number, number>>();
  for (const r of ranks.rows) {
    let m = at.get(r.partner_id);
    if (!m) at.set(r.partner_id, (m = new Map()));
    m.set(Number(r.i), Number(r.d));
  }
  for (const a of byPartner.values()) {
    const m = at.get(a.partner_id);
    if (!m) continue;
    a.median_ms = quantileFromRanks(a.resolved_cases, 0.5, (i) => m.get(i)!);
    a.p90_ms = quantileFromRanks(a.resolved_cases, 0.9, (i) => m.get(i)!);
  }

  // The open/overdue snapshot at asOf (same rule as ScorecardAccumulator).
  const open = await sql<{ partner_id: string; open: number; overdue: number }>`
    SELECT partner_id, COUNT(*) AS open, COALESCE(SUM(CASE WHEN sla_due_at < ${asOf} THEN 1 ELSE 0 END), 0) AS overdue FROM (
      SELECT partner_id, sla_due_at FROM cases WHERE resolved_at IS NULL AND partner_status <> 'resolved' AND opened_at < ${asOf}${onlyPartner}
      UNION ALL
      SELECT partner_id, sla_due_at FROM cases WHERE resolved_at > ${asOf} AND opened_at < ${asOf}${onlyPartner}) x
    GROUP BY partner_id`.execute(db);
  for (const r of open.rows)
    Object.assign(agg(r.partner_id), { open_cases: Number(r.open), overdue_tasks: Number(r.overdue) });
  return [...byPartner.values()];
}
