import { describe, expect, it } from 'vitest';
import { formatIsoDate } from '../calendar/zoned.ts';
import { parsePeriod, parsePeriodOrThrow, periodOf } from './period.ts';
import { quantileFromRanks, quantileRanks, quantileSorted } from './quantile.ts';
import {
  computeScorecards,
  scorecardsFromAggregates,
  scorecardWindow,
  ScorecardAccumulator,
  toTradingGridScorecard,
  type CaseMetricRow,
  type PartnerScorecard,
} from './scorecard.ts';
import { renderScorecardCsv } from './scorecardCsv.ts';

// Flow 7's figures at their edges: each bound of the window and the snapshot, the roundings, the quantile ranks,
// the period labels that must be refused, and every CSV cell that needs quoting or a formula guard.

const H = 3_600_000;
const T = (s: string) => Date.parse(s);
// November 2026 in UTC, snapshot at the period end.
const nov = scorecardWindow('2026-11', 'UTC', new Date('2027-01-15T00:00:00Z'));
const START = T('2026-11-01T00:00:00Z');
const END = T('2026-12-01T00:00:00Z');

const r = (over: Partial<CaseMetricRow>): CaseMetricRow => ({
  partner_id: 'P',
  status: 'in_review',
  opened_at: START - 10 * H,
  resolved_at: null,
  sla_due_at: null,
  ...over,
});

const figures = (c: PartnerScorecard | undefined) =>
  c && {
    resolved: c.resolved_cases,
    open: c.open_cases,
    overdue: c.overdue_tasks,
    met: c.sla_met_pct,
  };

describe('scorecardWindow', () => {
  it.each([
    ['a past period: the snapshot at its end', '2027-01-15T00:00:00Z', END],
    ['the running period: the snapshot now', '2026-11-11T10:00:00Z', T('2026-11-11T10:00:00Z')],
    ['now exactly at the end', '2026-12-01T00:00:00Z', END],
  ])('%s', (_n, now, asOf) => {
    expect(scorecardWindow('2026-11', 'UTC', new Date(now))).toStrictEqual({
      period: '2026-11',
      start: START,
      end: END,
      asOf,
    });
  });
  it('refuses an unknown period', () => {
    expect(() => scorecardWindow('2026-13', 'UTC', new Date(END))).toThrow(
      "unknown period '2026-13': expected YYYY, YYYY-Qn, YYYY-MM or YYYY-Www (ISO week)",
    );
  });
});

describe('one case at each bound of the window and the snapshot', () => {
  it.each<[string, Partial<CaseMetricRow>, ReturnType<typeof figures>]>([
    ['resolved at the start: in', { resolved_at: START }, { resolved: 1, open: 0, overdue: 0, met: null }],
    ['resolved just before the start: out', { resolved_at: START - 1 }, undefined],
    ['resolved at the end: out, and open at the snapshot? no (resolved at it)', { resolved_at: END }, undefined],
    ['resolved just before the end: in', { resolved_at: END - 1 }, { resolved: 1, open: 0, overdue: 0, met: null }],
    [
      'resolved after the snapshot: open at it',
      { resolved_at: END + 1 },
      { resolved: 0, open: 1, overdue: 0, met: null },
    ],
    [
      'resolved exactly at its due date: met',
      { resolved_at: START + H, sla_due_at: START + H },
      { resolved: 1, open: 0, overdue: 0, met: 100 },
    ],
    [
      'resolved a ms after its due date: missed',
      { resolved_at: START + H, sla_due_at: START + H - 1 },
      { resolved: 1, open: 0, overdue: 0, met: 0 },
    ],
    ['opened at the snapshot: not open yet', { opened_at: END }, undefined],
    ['opened a ms before the snapshot: open', { opened_at: END - 1 }, { resolved: 0, open: 1, overdue: 0, met: null }],
    ['open, due at the snapshot: not overdue', { sla_due_at: END }, { resolved: 0, open: 1, overdue: 0, met: null }],
    [
      'open, due a ms before the snapshot: overdue',
      { sla_due_at: END - 1 },
      { resolved: 0, open: 1, overdue: 1, met: null },
    ],
    ['open, no due date: not overdue', { sla_due_at: null }, { resolved: 0, open: 1, overdue: 0, met: null }],
    ['resolved status without a time: closed', { status: 'resolved' }, undefined],
    ['another status without a time: open', { status: 'closed' }, { resolved: 0, open: 1, overdue: 0, met: null }],
  ])('%s', (_n, over, want) => {
    const [card] = computeScorecards([r(over)], nov);
    expect(figures(card)).toStrictEqual(want);
  });

  it('positional rows (addFields) count like rows', () => {
    const acc = new ScorecardAccumulator(nov);
    acc.addFields('P', 'resolved', START, START + 2 * H, START + H);
    acc.addFields('P', 'in_review', START, null, START);
    expect(acc.finish()).toStrictEqual([
      {
        partner_id: 'P',
        period: '2026-11',
        resolved_cases: 1,
        avg_resolution_hours: 2,
        median_resolution_hours: 2,
        p90_resolution_hours: 2,
        open_cases: 1,
        overdue_tasks: 1,
        sla_met_pct: 0,
      },
    ]);
  });
});

describe('rounding and the order of partners', () => {
  it('hours to 2 decimals, the SLA share to 1, the quantiles over durations sorted as numbers', () => {
    const opened = START;
    const rows = [
      // Durations 1.23456 h, 10 h, 2 h (as numbers, 10 sorts after 2), three with a due date, two met.
      r({ opened_at: opened, resolved_at: opened + 1.23456 * H, sla_due_at: opened + 2 * H }),
      r({ opened_at: opened, resolved_at: opened + 10 * H, sla_due_at: opened + 2 * H }),
      r({ opened_at: opened, resolved_at: opened + 2 * H, sla_due_at: opened + 2 * H }),
    ];
    expect(computeScorecards(rows, nov)).toStrictEqual([
      {
        partner_id: 'P',
        period: '2026-11',
        resolved_cases: 3,
        avg_resolution_hours: 4.41,
        median_resolution_hours: 2,
        p90_resolution_hours: 8.4,
        open_cases: 0,
        overdue_tasks: 0,
        sla_met_pct: 66.7,
      },
    ]);
  });

  it('partners sorted by id whatever the order of rows, listed ones with nothing at zero', () => {
    const rows = ['P-C', 'P-A', 'P-B', 'P-A'].map((p) => r({ partner_id: p }));
    const cards = computeScorecards(rows, nov, ['P-0', 'P-B']);
    expect(cards.map((c) => [c.partner_id, c.open_cases])).toStrictEqual([
      ['P-0', 0],
      ['P-A', 2],
      ['P-B', 1],
      ['P-C', 1],
    ]);
  });

  it('aggregates from a query round the same way', () => {
    expect(
      scorecardsFromAggregates(
        [
          {
            partner_id: 'b',
            resolved_cases: 0,
            duration_sum_ms: 0,
            median_ms: null,
            p90_ms: null,
            sla_counted: 0,
            sla_met: 0,
            open_cases: 2,
            overdue_tasks: 1,
          },
          {
            partner_id: 'a',
            resolved_cases: 2,
            duration_sum_ms: 3 * H,
            median_ms: 1.5 * H,
            p90_ms: 1.9 * H,
            sla_counted: 3,
            sla_met: 1,
            open_cases: 0,
            overdue_tasks: 0,
          },
          {
            partner_id: 'a',
            resolved_cases: 0,
            duration_sum_ms: 0,
            median_ms: 5,
            p90_ms: 5,
            sla_counted: 0,
            sla_met: 0,
            open_cases: 0,
            overdue_tasks: 0,
          },
        ],
        'Q',
      ),
    ).toStrictEqual([
      {
        partner_id: 'a',
        period: 'Q',
        resolved_cases: 2,
        avg_resolution_hours: 1.5,
        median_resolution_hours: 1.5,
        p90_resolution_hours: 1.9,
        open_cases: 0,
        overdue_tasks: 0,
        sla_met_pct: 33.3,
      },
      {
        partner_id: 'a',
        period: 'Q',
        resolved_cases: 0,
        avg_resolution_hours: null,
        median_resolution_hours: null,
        p90_resolution_hours: null,
        open_cases: 0,
        overdue_tasks: 0,
        sla_met_pct: null,
      },
      {
        partner_id: 'b',
        period: 'Q',
        resolved_cases: 0,
        avg_resolution_hours: null,
        median_resolution_hours: null,
        p90_resolution_hours: null,
        open_cases: 2,
        overdue_tasks: 1,
        sla_met_pct: null,
      },
    ]);
  });

  it('the contract keeps measured figures, including zeros', () => {
    const card: PartnerScorecard = {
      partner_id: 'P',
      period: '2026-11',
      resolved_cases: 1,
      avg_resolution_hours: 0,
      median_resolution_hours: 0,
      p90_resolution_hours: 0,
      open_cases: 3,
      overdue_tasks: 2,
      sla_met_pct: 0,
    };
    expect(toTradingGridScorecard(card)).toStrictEqual({
      period: '2026-11',
      avg_resolution_hours: 0,
      open_cases: 3,
      overdue_tasks: 2,
      sla_met_pct: 0,
    });
  });
});

describe('quantile ranks', () => {
  it.each([
    [4, 0, { lo: 0, hi: 1, frac: 0 }],
    [4, 0.5, { lo: 1, hi: 2, frac: 0.5 }],
    [4, 1, { lo: 3, hi: 3, frac: 0 }],
    [1, 0.9, { lo: 0, hi: 0, frac: 0 }],
    [11, 0.9, { lo: 9, hi: 10, frac: 0 }],
  ])('n=%d q=%d', (n, q, want) => {
    expect(quantileRanks(n, q)).toStrictEqual(want);
  });
  it.each([-0.01, 1.01, Number.NaN])('refuses q=%d', (q) => {
    expect(() => quantileRanks(4, q)).toThrow(new RangeError(`quantile must be within [0, 1], got ${q}`));
  });
  it('reads only the ranks it needs: one when the position is a rank', () => {
    const asked: number[] = [];
    expect(quantileFromRanks(5, 0.5, (i) => (asked.push(i), i * 10))).toBe(20);
    expect(asked).toStrictEqual([2]);
    expect(quantileFromRanks(0, 0.5, () => 1)).toBeNull();
    expect(quantileSorted(Float64Array.from([1, 3]), 0.25)).toBe(1.5);
  });
});

describe('period labels', () => {
  it.each([
    '12026',
    '2026x',
    '2026-Q0',
    '2026-Q31',
    '2026-Q',
    'x2026-Q1',
    '2026-111',
    '2026-1',
    'x2026-11',
    '2026-W481',
    '2026-W4',
    'x2026-W48',
    '2026-W-1',
    ' 2026',
  ])('refuses %j', (label) => {
    expect(parsePeriod(label)).toBeUndefined();
    expect(() => parsePeriodOrThrow(label)).toThrow(`unknown period '${label}'`);
  });

  it.each([
    ['2026-01', '2026-01-01', '2026-02-01'],
    ['2026-Q1', '2026-01-01', '2026-04-01'],
    ['2026-Q2', '2026-04-01', '2026-07-01'],
    ['2020-W53', '2020-12-28', '2021-01-04'],
    ['2026-W52', '2026-12-21', '2026-12-28'],
  ])('%s is from %s until %s', (label, first, end) => {
    const p = parsePeriodOrThrow(label);
    expect([p.label, formatIsoDate(p.firstDay), formatIsoDate(p.endDay)]).toStrictEqual([label, first, end]);
  });

  // Every month's quarter and padded label, mid-month in UTC.
  it.each([
    [1, 'Q1'],
    [2, 'Q1'],
    [3, 'Q1'],
    [4, 'Q2'],
    [5, 'Q2'],
    [6, 'Q2'],
    [7, 'Q3'],
    [8, 'Q3'],
    [9, 'Q3'],
    [10, 'Q4'],
    [11, 'Q4'],
    [12, 'Q4'],
  ])('month %d is in %s', (month, q) => {
    const at = Date.UTC(2026, month - 1, 15, 12);
    expect(periodOf(at, 'quarter', 'UTC').label).toBe(`2026-${q}`);
    expect(periodOf(at, 'month', 'UTC').label).toBe(`2026-${String(month).padStart(2, '0')}`);
    expect(periodOf(at, 'year', 'UTC').label).toBe('2026');
  });

  it.each([
    ['2026-03-04T12:00:00Z', '2026-W10'],
    ['2026-01-05T00:00:00Z', '2026-W02'],
    ['2026-01-04T23:59:59Z', '2026-W01'],
    ['2021-01-03T12:00:00Z', '2020-W53'],
  ])('%s is in the week %s', (iso, label) => {
    expect(periodOf(Date.parse(iso), 'week', 'UTC')).toMatchObject({ label, kind: 'week' });
  });
});

describe('renderScorecardCsv', () => {
  const card = (partner_id: string, over: Partial<PartnerScorecard> = {}): PartnerScorecard => ({
    partner_id,
    period: '2026-11',
    resolved_cases: 2,
    avg_resolution_hours: 1.5,
    median_resolution_hours: null,
    p90_resolution_hours: -0.25,
    open_cases: 0,
    overdue_tasks: 0,
    sla_met_pct: 50,
    ...over,
  });
  it('without names: no name column, numbers as written, an empty cell for no data', () => {
    expect(renderScorecardCsv([card('P-1')])).toBe(
      'partner_id,period,resolved_cases,avg_resolution_hours,median_resolution_hours,p90_resolution_hours,open_cases,overdue_tasks,sla_met_pct\r\n' +
        'P-1,2026-11,2,1.5,,-0.25,0,0,50\r\n',
    );
    expect(renderScorecardCsv([])).toBe(
      'partner_id,period,resolved_cases,avg_resolution_hours,median_resolution_hours,p90_resolution_hours,open_cases,overdue_tasks,sla_met_pct\r\n',
    );
  });
  it.each([
    ['plain', 'Acme', 'Acme'],
    ['formula =', '=1+1', "'=1+1"],
    ['formula +', '+1', "'+1"],
    ['formula -', '-1', "'-1"],
    ['formula @', '@SUM(A1)', "'@SUM(A1)"],
    ['a tab first', '\tx', "'\tx"],
    ['a CR first', '\rx', `"'\rx"`],
    ['signs inside only', 'A-1 =2 +3 @4', 'A-1 =2 +3 @4'],
    ['a comma', 'Acme, Inc', '"Acme, Inc"'],
    ['a quote', 'say "hi"', '"say ""hi"""'],
    ['a line feed', 'a\nb', '"a\nb"'],
    ['a CR inside', 'a\rb', '"a\rb"'],
    ['no name known', undefined, ''], // any-message-ok: the empty CSV cell itself, not a message
  ])('a partner name, %s', (_n, name, cell) => {
    const names = new Map<string, string>(name === undefined ? [] : [['P-1', name]]);
    const [header, line] = renderScorecardCsv([card('P-1', { p90_resolution_hours: 2 })], names).split('\r\n');
    expect(header!.startsWith('partner_id,partner_name,period,')).toBe(true);
    expect(line).toBe(`P-1,${cell},2026-11,2,1.5,,2,0,0,50`);
  });
});
