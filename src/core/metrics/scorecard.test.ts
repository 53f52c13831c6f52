import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantileFromRanks, quantileRanks, quantileSorted } from './quantile.ts';
import { computeScorecards, scorecardWindow, toTradingGridScorecard, type CaseMetricRow } from './scorecard.ts';
import { renderScorecardCsv } from './scorecardCsv.ts';

const H = 3_600_000;
const iso = (s: string) => Date.parse(s);
const window = scorecardWindow('2026-11', 'UTC', new Date('2027-01-15T00:00:00Z'));
const row = (
  partner: string,
  opened: string,
  resolvedAfterH: number | null,
  dueAfterH: number | null,
  status = resolvedAfterH === null ? 'in_review' : 'resolved',
): CaseMetricRow => ({
  partner_id: partner,
  status,
  opened_at: iso(opened),
  resolved_at: resolvedAfterH === null ? null : iso(opened) + resolvedAfterH * H,
  sla_due_at: dueAfterH === null ? null : iso(opened) + dueAfterH * H,
});

describe('quantileSorted (linear interpolation, type 7)', () => {
  it.each<[number[], number, number | null]>([
    [[], 0.5, null],
    [[5], 0.9, 5],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9.1],
    [[10, 20], 0, 10],
    [[10, 20], 1, 20],
  ])('%j q=%d → %d', (xs, q, expected) => {
    expect(quantileSorted(xs, q)).toBe(expected);
  });
});

describe('quantileFromRanks (what a database returns: only the rows at two ranks)', () => {
  it('needs only ranks lo and hi, and agrees with the full sorted sample', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 200 }),
        fc.constantFrom(0.5, 0.9, 0.99),
        (xs, q) => {
          const sorted = [...xs].sort((a, b) => a - b);
          const { lo, hi } = quantileRanks(sorted.length, q);
          const asked: number[] = [];
          const v = quantileFromRanks(sorted.length, q, (i) => (asked.push(i), sorted[i]!));
          expect(v).toBe(quantileSorted(sorted, q));
          expect(asked.every((i) => i === lo || i === hi)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('computeScorecards for 2026-11 (UTC), snapshot at the period end', () => {
  const rows: CaseMetricRow[] = [
    row('P-A', '2026-11-02T10:00:00Z', 10, 24), // met
    row('P-A', '2026-11-03T10:00:00Z', 20, 24), // met
    row('P-A', '2026-11-04T10:00:00Z', 30, 24), // breached
    row('P-A', '2026-11-05T10:00:00Z', 40, null), // no due date: not in the SLA share
    row('P-A', '2026-10-31T20:00:00Z', 6, 24), // opened in October, resolved in November: counts
    row('P-A', '2026-11-30T20:00:00Z', 10, 24), // resolved in December: open at the snapshot, not overdue
    row('P-A', '2026-11-10T10:00:00Z', null, 24), // open and overdue
    row('P-A', '2026-12-02T10:00:00Z', null, 24), // opened after the period: ignored
    row('P-B', '2026-11-20T10:00:00Z', null, null), // open, no due date
    row('P-B', '2026-09-01T10:00:00Z', 5, 24), // another period: ignored
    row('P-C', '2026-11-20T10:00:00Z', null, null, 'resolved'), // resolved without a time: not open
  ];
  const cards = computeScorecards(rows, window, ['P-D']);

  it.each([
    [
      'P-A',
      {
        resolved_cases: 5,
        avg_resolution_hours: 21.2,
        median_resolution_hours: 20,
        p90_resolution_hours: 36,
        open_cases: 2,
        overdue_tasks: 1,
        sla_met_pct: 75,
      },
    ],
    [
      'P-B',
      {
        resolved_cases: 0,
        avg_resolution_hours: null,
        median_resolution_hours: null,
        p90_resolution_hours: null,
        open_cases: 1,
        overdue_tasks: 0,
        sla_met_pct: null,
      },
    ],
    ['P-D', { resolved_cases: 0, open_cases: 0, overdue_tasks: 0, sla_met_pct: null }],
  ])('%s', (partner, expected) => {
    expect(cards.find((c) => c.partner_id === partner)).toMatchObject({ period: '2026-11', ...expected });
  });

  it('leaves out partners with nothing in the window unless listed', () => {
    expect(cards.map((c) => c.partner_id)).toEqual(['P-A', 'P-B', 'P-D']);
  });

  it('the running period snapshots open cases at now', () => {
    const running = scorecardWindow('2026-11', 'UTC', new Date('2026-11-11T10:00:00Z'));
    const [a] = computeScorecards(
      rows.filter((r) => r.partner_id === 'P-A'),
      running,
    );
    // Open at 11 Nov 10:00: only the 10 Nov case, due exactly now (not yet overdue); the 30 Nov case is not opened yet.
    expect(a).toMatchObject({ open_cases: 1, overdue_tasks: 0, resolved_cases: 5 });
  });

  it('maps to the Trading Grid contract without nulls', () => {
    expect(toTradingGridScorecard(cards.find((c) => c.partner_id === 'P-A')!)).toEqual({
      period: '2026-11',
      avg_resolution_hours: 21.2,
      open_cases: 2,
      overdue_tasks: 1,
      sla_met_pct: 75,
    });
    expect(toTradingGridScorecard(cards.find((c) => c.partner_id === 'P-B')!)).toEqual({
      period: '2026-11',
      avg_resolution_hours: 0,
      open_cases: 1,
      overdue_tasks: 0,
      sla_met_pct: 100,
    });
  });

  it('order of rows does not matter', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length }), (shuffled) => {
        expect(computeScorecards(shuffled, window, ['P-D'])).toEqual(cards);
      }),
      { numRuns: 50 },
    );
  });
});

describe('renderScorecardCsv', () => {
  it('renders RFC 4180 with empty cells for no data, quoting and formula guarding names', () => {
    const cards = computeScorecards(
      [row('P-A', '2026-11-02T10:00:00Z', 10, 24), row('P-B', '2026-11-20T10:00:00Z', null, null)],
      window,
    );
    const csv = renderScorecardCsv(
      cards,
      new Map([
        ['P-A', 'Acme, Inc. "West"'],
        ['P-B', '=HYPERLINK("x")'],
      ]),
    );
    expect(csv.split('\r\n')).toEqual([
      'partner_id,partner_name,period,resolved_cases,avg_resolution_hours,median_resolution_hours,p90_resolution_hours,open_cases,overdue_tasks,sla_met_pct',
      'P-A,"Acme, Inc. ""West""",2026-11,1,10,10,10,0,0,100',
      `P-B,"'=HYPERLINK(""x"")",2026-11,0,,,,1,0,`,
      '',
    ]);
  });
});
