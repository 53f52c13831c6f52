import type { PartnerScorecard } from './scorecard.ts';

const COLUMNS = [
  'partner_id',
  'period',
  'resolved_cases',
  'avg_resolution_hours',
  'median_resolution_hours',
  'p90_resolution_hours',
  'open_cases',
  'overdue_tasks',
  'sla_met_pct',
] as const satisfies ReadonlyArray<keyof PartnerScorecard>;

/**
 * Scorecards as RFC 4180 CSV (CRLF, quoted where needed, empty cell for "no data") for partner
 * review meetings. Text cells that a spreadsheet would run as a formula are prefixed with `'`.
 * `partnerNames` adds a `partner_name` column.
 */
export function renderScorecardCsv(
  scorecards: readonly PartnerScorecard[],
  partnerNames?: ReadonlyMap<string, string>,
): string {
  const header: string[] = [...COLUMNS];
  if (partnerNames) header.splice(1, 0, 'partner_name');
  const lines = [header.map(csvCell).join(',')];
  for (const s of scorecards) {
    const cells: Array<string | number | null> = COLUMNS.map((c) => s[c]);
    if (partnerNames) cells.splice(1, 0, partnerNames.get(s.partner_id) ?? null);
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
