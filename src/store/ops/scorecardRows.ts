import { sql, type Kysely, type Transaction } from 'kysely';
import type { ScorecardWindow } from '../../core/metrics/scorecard.ts';
import type { Database } from '../schema.ts';

export type ScorecardRow = [
  partnerId: string,
  status: string,
  openedAt: number,
  resolvedAt: number | null,
  slaDueAt: number | null,
];

/**
 * The rows a period's scorecards are folded from: cases resolved in the window, cases still open at its
 * end. Each branch walks the covering index (resolved_at, partner_id, opened_at, sla_due_at,
 * partner_status), so a quarter over a million cases reads only its own rows. Measured faster than
 * computing quantiles in SQLite (bench/metrics: about 0.2 s vs 7.7 s for a closed quarter).
 */
export async function scorecardRows(
  db: Kysely<Database> | Transaction<Database>,
  w: Pick<ScorecardWindow, 'start' | 'end' | 'asOf'>,
  partnerId?: string,
): Promise<ScorecardRow[]> {
  // Test-interchange cases (source mailbox_test) are not partner performance: never in a scorecard.
  const p =
    partnerId === undefined
      ? sql` AND source <> 'mailbox_test'`
      : sql` AND partner_id = ${partnerId} AND source <> 'mailbox_test'`;
  const cols = sql`partner_id, partner_status, opened_at, resolved_at, sla_due_at`;
  const r = await sql<{
    partner_id: string;
    partner_status: string;
    opened_at: number;
    resolved_at: number | null;
    sla_due_at: number | null;
  }>`
    SELECT ${cols} FROM cases WHERE resolved_at >= ${w.start} AND resolved_at < ${w.end}${p}
    UNION ALL
    SELECT ${cols} FROM cases WHERE resolved_at >= ${w.end} AND opened_at < ${w.asOf}${p}
    UNION ALL
    SELECT ${cols} FROM cases WHERE resolved_at IS NULL AND opened_at < ${w.asOf}${p}`.execute(db);
  return r.rows.map((x) => [
    x.partner_id,
    x.partner_status,
    Number(x.opened_at),
    x.resolved_at === null ? null : Number(x.resolved_at),
    x.sla_due_at === null ? null : Number(x.sla_due_at),
  ]);
}
