import { caseRecord } from '../../../test/helpers/caseRecord.ts';
import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { CaseRecord } from '../../core/case.ts';
import { quantileSorted } from '../../core/metrics/quantile.ts';
import type { PartnerAggregate } from '../../core/metrics/scorecard.ts';
import { saveCase } from './cases.ts';
import { computeScorecards } from './computeScorecards.ts';
import { scorecardAggregates } from './scorecardAggregates.ts';
import { scorecardRows } from './scorecardRows.ts';

// The scorecards' SQL (storeScorecards in scripts/mutate.mjs): each bound of the window and the snapshot, test
// interchanges left out, one partner asked for; answers whole, on both stores.
const { describeStores, make } = await storesUnderTest('src/store/ops/scorecardStore.test.ts');

const H = 3_600_000;
const WEEK = 7 * 24 * H;
const S = 2900 * WEEK; // the window's start (a week boundary)
const E = S + 100 * H; // its end, and the snapshot's time

function rec(id: string, o: Partial<CaseRecord> = {}): CaseRecord {
  return caseRecord(id, { openedAt: S, updatedAt: S, ...o });
}
const resolved = (
  id: string,
  openedAt: number,
  resolvedAt: number,
  slaDueAt: number | null,
  o: Partial<CaseRecord> = {},
) => rec(id, { openedAt, resolvedAt, slaDueAt, partnerStatus: 'resolved', ...o });

const CASES: CaseRecord[] = [
  // P-1, resolved in the window: 10 h (at its start, met), 2 h (at its due date: met), 6 h (missed), 4 h (no due date).
  resolved('r1', S - 10 * H, S, S + 1),
  resolved('r2', S, S + 2 * H, S + 2 * H),
  resolved('r3', S, S + 6 * H, S + 5 * H),
  resolved('r4', S, S + 4 * H, null),
  // Resolved before the window, and at its end (neither resolved in it nor open at the snapshot).
  resolved('r0', S - 5 * H, S - 1, null),
  resolved('r5', S, E, S),
  // P-1 open at the snapshot: due before it (overdue), due at it, no due date; resolved after it (overdue).
  rec('o1', { slaDueAt: E - 1 }),
  rec('o2', { slaDueAt: E }),
  rec('o6', { slaDueAt: null }),
  resolved('o5', S, E + H, S),
  // Opened at the snapshot; unresolved but marked resolved: not open at it.
  rec('o3', { openedAt: E, slaDueAt: S }),
  rec('o4', { partnerStatus: 'resolved', slaDueAt: S }),
  // Test interchanges: never in a scorecard, whichever partner.
  resolved('t1', S, S + H, S + 2 * H, { source: 'mailbox_test' }),
  rec('t2', { source: 'mailbox_test', slaDueAt: S }),
  rec('t3', { source: 'mailbox_test', partnerId: 'P-T', slaDueAt: S }),
  resolved('t4', S, E + H, S, { source: 'mailbox_test' }),
  // P-2: one open case without a due date. P-3: one resolved in 3 h, nothing open.
  rec('p2', { partnerId: 'P-2', partnerName: 'Two' }),
  resolved('p3', S + H, S + 4 * H, S + 4 * H, { partnerId: 'P-3', partnerName: 'Three' }),
];

const byId = (xs: PartnerAggregate[]) => [...xs].sort((a, b) => a.partner_id.localeCompare(b.partner_id));

describeStores('scorecard SQL on %s', (kind) => {
  it('scorecardAggregates: counts, sums, quantiles, SLA met and the snapshot, at each bound', async () => {
    const { store } = await make(kind);
    const db = store.db;
    for (const c of CASES) await saveCase(db, c);
    const w = { start: S, end: E, asOf: E, label: 'x' } as unknown as Parameters<typeof scorecardAggregates>[1];
    const durations = [2 * H, 4 * H, 6 * H, 10 * H];
    const p1: PartnerAggregate = {
      partner_id: 'P-1',
      resolved_cases: 4,
      duration_sum_ms: 22 * H,
      median_ms: 5 * H,
      p90_ms: quantileSorted(durations, 0.9),
      sla_counted: 3,
      sla_met: 2,
      open_cases: 4,
      overdue_tasks: 2,
    };
    const p2: PartnerAggregate = {
      partner_id: 'P-2',
      resolved_cases: 0,
      duration_sum_ms: 0,
      median_ms: null,
      p90_ms: null,
      sla_counted: 0,
      sla_met: 0,
      open_cases: 1,
      overdue_tasks: 0,
    };
    const p3: PartnerAggregate = {
      partner_id: 'P-3',
      resolved_cases: 1,
      duration_sum_ms: 3 * H,
      median_ms: 3 * H,
      p90_ms: 3 * H,
      sla_counted: 1,
      sla_met: 1,
      open_cases: 0,
      overdue_tasks: 0,
    };
    expect(p1.p90_ms).toBeCloseTo(8.8 * H, 3);
    expect(byId(await scorecardAggregates(db, w))).toEqual([p1, p2, p3]);
    expect(await scorecardAggregates(db, w, 'P-1')).toEqual([p1]);
    expect(await scorecardAggregates(db, w, 'P-3')).toEqual([p3]);
    expect(await scorecardAggregates(db, w, 'P-T')).toEqual([]);
    // A snapshot before the window's end: o5 (resolved after it) and r5 (resolved at E) are open then.
    const early = { ...w, asOf: E - 1 };
    expect(await scorecardAggregates(db, early, 'P-1')).toEqual([{ ...p1, open_cases: 5, overdue_tasks: 2 }]);
  });

  it('scorecardRows: resolved in the window, resolved after it but opened before the snapshot, still open', async () => {
    const { store } = await make(kind);
    const db = store.db;
    for (const c of CASES) await saveCase(db, c);
    const row = (c: CaseRecord) => [c.partnerId, c.partnerStatus, c.openedAt, c.resolvedAt, c.slaDueAt];
    const get = (id: string) => CASES.find((c) => c.id === id)!;
    const sorted = (rows: readonly unknown[][]) => [...rows].map((r) => JSON.stringify(r)).sort();
    const w = { start: S, end: E, asOf: E };
    expect(sorted(await scorecardRows(db, w))).toEqual(
      sorted(['r1', 'r2', 'r3', 'r4', 'r5', 'o5', 'o1', 'o2', 'o6', 'o4', 'p2', 'p3'].map((id) => row(get(id)))),
    );
    expect(sorted(await scorecardRows(db, w, 'P-2'))).toEqual(sorted([row(get('p2'))]));
    expect(await scorecardRows(db, w, 'P-T')).toEqual([]);
    // A snapshot at the window's start: resolved at or after the end and opened before S, or open and opened before S.
    expect(sorted(await scorecardRows(db, { start: S + 3 * H, end: S + 5 * H, asOf: S }))).toEqual(
      sorted([row(get('r4')), row(get('p3'))]),
    );
    // Resolved at the end and opened before the snapshot: r1 (opened 10 h before S).
    expect(sorted(await scorecardRows(db, { start: S - 1, end: S, asOf: S - 5 * H }))).toEqual(
      sorted([row(get('r0')), row(get('r1'))]),
    );
  });

  it('computeScorecards: test interchanges left out, the newest case names the partner, the trend from its first week on', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const now = S + 3 * WEEK + 5;
    await saveCase(db, rec('A', { partnerName: 'Old', slaDueAt: now })); // open, due now: not breached
    await saveCase(db, rec('Z', { partnerName: 'New', slaDueAt: now - 1 })); // open, breached; the newest id
    await saveCase(db, resolved('C', S + WEEK - 2 * H, S + WEEK, S + WEEK)); // first week kept, met
    await saveCase(db, resolved('D', S - 1, S + WEEK - 1, null)); // the week before: out of the trend
    await saveCase(db, resolved('E', S + WEEK, S + 2 * WEEK + 4 * H, S + WEEK)); // missed
    await saveCase(db, resolved('0T1', S, S + 2 * WEEK, null, { source: 'mailbox_test' }));
    await saveCase(db, rec('0T2', { source: 'mailbox_test', slaDueAt: S }));
    await saveCase(db, rec('0T3', { source: 'mailbox_test', partnerId: 'P-T' }));
    await saveCase(db, resolved('Q', S + 3 * WEEK - H, S + 3 * WEEK, null, { partnerId: 'P-0', partnerName: null }));
    await saveCase(db, rec('R', { partnerId: 'P-R', partnerName: undefined as unknown as null }));
    const r = await computeScorecards(db, now, 2);
    expect(r).toEqual({
      weekMs: WEEK,
      partners: [
        {
          partnerId: 'P-0',
          partnerName: null,
          open: 0,
          resolved: 1,
          slaTracked: 0,
          slaMet: 0,
          breachedOpen: 0,
          avgResolutionMs: H,
        },
        {
          partnerId: 'P-1',
          partnerName: 'New',
          open: 2,
          resolved: 3,
          slaTracked: 2,
          slaMet: 1,
          breachedOpen: 1,
          avgResolutionMs: (2 * H + WEEK + (WEEK + 4 * H)) / 3,
        },
        {
          partnerId: 'P-R',
          partnerName: null,
          open: 1,
          resolved: 0,
          slaTracked: 0,
          slaMet: 0,
          breachedOpen: 0,
          avgResolutionMs: null,
        },
      ],
      trend: [
        { partnerId: 'P-1', weekStart: S + WEEK, resolved: 1, avgResolutionMs: 2 * H },
        { partnerId: 'P-1', weekStart: S + 2 * WEEK, resolved: 1, avgResolutionMs: WEEK + 4 * H },
        { partnerId: 'P-0', weekStart: S + 3 * WEEK, resolved: 1, avgResolutionMs: H },
      ],
    });
  });
});
