import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface PartnerScorecardRow {
  partnerId: string;
  partnerName: string | null;
  open: number;
  resolved: number;
  /** Resolved cases that had a due date, and how many of them were resolved by it. */
  slaTracked: number;
  slaMet: number;
  breachedOpen: number;
  avgResolutionMs: number | null;
}

export interface ResolutionTrendPoint {
  partnerId: string;
  /** Start of the ISO-less 7-day bucket (epoch ms, buckets aligned on the Unix epoch). */
  weekStart: number;
  resolved: number;
  avgResolutionMs: number;
}

const WEEK = 7 * 24 * 3_600_000;

/** Per-partner counts and a weekly resolution-time trend, aggregated in SQL (one pass each). */
export async function computeScorecards(
  db: Kysely<Database>,
  now: number,
  weeks = 12,
): Promise<{ partners: PartnerScorecardRow[]; trend: ResolutionTrendPoint[]; weekMs: number }> {
  const since = Math.floor((now - weeks * WEEK) / WEEK) * WEEK;
  const [rows, names, trend] = await Promise.all([
    db
      .selectFrom('cases')
      .select([
        'partner_id',
        sql<number>`sum(case when resolved_at is null then 1 else 0 end)`.as('open'),
        sql<number>`sum(case when resolved_at is not null then 1 else 0 end)`.as('resolved'),
        sql<number>`sum(case when resolved_at is not null and sla_due_at is not null then 1 else 0 end)`.as(
          'sla_tracked',
        ),
        sql<number>`sum(case when resolved_at is not null and sla_due_at is not null and resolved_at <= sla_due_at then 1 else 0 end)`.as(
          'sla_met',
        ),
        sql<number>`sum(case when resolved_at is null and sla_due_at is not null and sla_due_at < ${now} then 1 else 0 end)`.as(
          'breached_open',
        ),
        sql<number | null>`avg(case when resolved_at is not null then resolved_at - opened_at end)`.as('avg_res'),
      ])
      .where('source', '<>', 'mailbox_test')
      .groupBy('partner_id')
      .orderBy('partner_id')
      .execute(),
    // One name per partner from its newest case (names live in the record JSON).
    db
      .selectFrom('cases')
      .select(['partner_id', 'data'])
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('cases as c2')
          .select((e) => e.fn.max('c2.id').as('id'))
          .groupBy('c2.partner_id'),
      )
      .execute(),
    db
      .selectFrom('cases')
      .select([
        'partner_id',
        // The week as a literal: bound as a parameter it is a double in SQLite and numeric in PostgreSQL,
        // the division is not an integer one, and every case got a "week" of its own resolution time.
        sql<number>`(resolved_at / ${sql.lit(WEEK)}) * ${sql.lit(WEEK)}`.as('week'),
        sql<number>`count(*)`.as('n'),
        sql<number>`avg(resolved_at - opened_at)`.as('avg_res'),
      ])
      .where('resolved_at', 'is not', null)
      .where('resolved_at', '>=', since)
      .where('source', '<>', 'mailbox_test')
      .groupBy(['partner_id', sql`(resolved_at / ${sql.lit(WEEK)}) * ${sql.lit(WEEK)}`])
      .execute(),
  ]);
  const nameOf = new Map(
    names.map((n) => [n.partner_id, (JSON.parse(n.data) as { partnerName?: string | null }).partnerName ?? null]),
  );
  return {
    weekMs: WEEK,
    partners: rows.map((r) => ({
      partnerId: r.partner_id,
      partnerName: nameOf.get(r.partner_id) ?? null,
      open: Number(r.open ?? 0),
      resolved: Number(r.resolved ?? 0),
      slaTracked: Number(r.sla_tracked ?? 0),
      slaMet: Number(r.sla_met ?? 0),
      breachedOpen: Number(r.breached_open ?? 0),
      avgResolutionMs: r.avg_res === null || r.avg_res === undefined ? null : Number(r.avg_res),
    })),
    trend: trend
      .map((t) => ({
        partnerId: t.partner_id,
        weekStart: Number(t.week),
        resolved: Number(t.n),
        avgResolutionMs: Number(t.avg_res),
      }))
      .sort((a, b) => a.weekStart - b.weekStart),
  };
}
