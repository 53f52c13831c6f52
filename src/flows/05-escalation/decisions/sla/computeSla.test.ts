import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../../../core/calendar/businessCalendar.ts';
import { at, wall } from '../../../../core/calendar/testing.ts';
import { computeSla, type SlaState } from './computeSla.ts';
import { slaPolicySchema } from './slaPolicy.ts';

const TZ = 'Europe/Berlin';
const hours = ['08:00-12:00', '13:00-17:00'];
const calendar = BusinessCalendar.fromConfig({
  time_zone: TZ,
  working_hours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours },
  holidays: { country: 'DE', state: 'BY' },
});
// Response 4 business hours, resolution 16 (two working days), at risk from 75 %.
const policy = slaPolicySchema.parse({ response_hours: 4, resolution_hours: 16 });
const t = (local: string) => at(TZ, local);
const MON = '2026-03-02';

type Row = [
  string,
  { opened: string; history?: Array<[string, string]>; now: string },
  { state: SlaState; elapsed: number; due: string; paused?: number },
];

describe('computeSla (Berlin 08–12 + 13–17, response 4 h, resolution 16 h)', () => {
  it.each<Row>([
    [
      'fresh case, on track',
      { opened: `${MON} 09:00`, now: `${MON} 13:00` },
      { state: 'on_track', elapsed: 3, due: '2026-03-04 09:00' },
    ],
    [
      '75 % used: at risk',
      { opened: `${MON} 09:00`, now: '2026-03-03 15:00' },
      { state: 'at_risk', elapsed: 13, due: '2026-03-04 09:00' },
    ],
    [
      'past due: breached',
      { opened: `${MON} 09:00`, now: '2026-03-04 10:00' },
      { state: 'breached', elapsed: 17, due: '2026-03-04 09:00' },
    ],
    [
      'a finished pause shifts the due date by its business hours (8 h)',
      {
        opened: `${MON} 09:00`,
        history: [
          ['awaiting_documents', `${MON} 14:00`],
          ['in_review', '2026-03-03 14:00'],
        ],
        now: '2026-03-03 16:00',
      },
      { state: 'on_track', elapsed: 6, due: '2026-03-05 09:00', paused: 8 },
    ],
    [
      'while paused: state paused, due date projected as if the partner answered now',
      { opened: `${MON} 09:00`, history: [['awaiting_documents', `${MON} 14:00`]], now: '2026-03-04 10:00' },
      { state: 'paused', elapsed: 4, due: '2026-03-05 15:00', paused: 13 },
    ],
    [
      'a pause after the breach does not un-breach',
      { opened: `${MON} 09:00`, history: [['awaiting_documents', '2026-03-04 10:00']], now: '2026-03-05 12:00' },
      { state: 'breached', elapsed: 17, due: '2026-03-04 09:00', paused: 10 },
    ],
    [
      'resolved in time: met, clock stopped',
      {
        opened: `${MON} 09:00`,
        history: [
          ['in_review', `${MON} 10:00`],
          ['resolved', '2026-03-03 11:00'],
        ],
        now: '2026-03-06 12:00',
      },
      { state: 'met', elapsed: 10, due: '2026-03-04 09:00' },
    ],
    [
      'resolved late: breached',
      { opened: `${MON} 09:00`, history: [['resolved', '2026-03-04 11:00']], now: '2026-03-06 12:00' },
      { state: 'breached', elapsed: 18, due: '2026-03-04 09:00' },
    ],
    [
      'reopened: the clock resumes where it stopped',
      {
        opened: `${MON} 09:00`,
        history: [
          ['resolved', '2026-03-03 11:00'],
          ['in_review', '2026-03-05 08:00'],
        ],
        now: '2026-03-05 12:00',
      },
      { state: 'at_risk', elapsed: 14, due: '2026-03-05 15:00', paused: 13 },
    ],
    [
      'opened on a Saturday starts on Monday morning',
      { opened: '2026-03-07 10:00', now: `2026-03-09 09:00` },
      { state: 'on_track', elapsed: 1, due: '2026-03-10 17:00' },
    ],
    [
      'history given out of order is sorted',
      {
        opened: `${MON} 09:00`,
        history: [
          ['in_review', '2026-03-03 14:00'],
          ['awaiting_documents', `${MON} 14:00`],
        ],
        now: '2026-03-03 16:00',
      },
      { state: 'on_track', elapsed: 6, due: '2026-03-05 09:00', paused: 8 },
    ],
    [
      'over Good Friday and Easter Monday',
      { opened: '2026-04-02 09:00', now: '2026-04-07 09:00' },
      { state: 'on_track', elapsed: 8, due: '2026-04-08 09:00' },
    ],
    [
      'over the spring-forward weekend',
      { opened: '2026-03-27 09:00', now: '2026-03-30 09:00' },
      { state: 'on_track', elapsed: 8, due: '2026-03-31 09:00' },
    ],
  ])('%s', (_name, input, expected) => {
    const r = computeSla(
      {
        openedAt: t(input.opened),
        statusHistory: (input.history ?? []).map(([status, from]) => ({ status, from: t(from) })),
      },
      policy,
      calendar,
      t(input.now),
    );
    expect(r.state).toBe(expected.state);
    expect(r.elapsedBusinessHours).toBeCloseTo(expected.elapsed, 9);
    expect(r.share).toBeCloseTo(expected.elapsed / 16, 9);
    expect(wall(TZ, r.dueAt)).toBe(expected.due);
    expect(r.pausedBusinessHours).toBeCloseTo(expected.paused ?? 0, 9);
  });

  it('a status change exactly at now counts: resolved at now is met', () => {
    const r = computeSla(
      { openedAt: t(`${MON} 09:00`), statusHistory: [{ status: 'resolved', from: t(`${MON} 11:00`) }] },
      policy,
      calendar,
      t(`${MON} 11:00`),
    );
    expect(r.state).toBe('met');
    expect(r.stoppedAt).toEqual(t(`${MON} 11:00`));
  });

  it('resolvedAt without a history entry stops the clock', () => {
    const r = computeSla(
      { openedAt: t(`${MON} 09:00`), statusHistory: [], resolvedAt: t(`${MON} 11:00`) },
      policy,
      calendar,
      t('2026-03-10 11:00'),
    );
    expect(r).toMatchObject({ state: 'met', elapsedBusinessHours: 2, stoppedAt: t(`${MON} 11:00`) });
  });

  it.each<[string, string | null, string, string]>([
    ['answered in time', `${MON} 10:00`, `${MON} 15:00`, 'met'],
    ['answered late', `${MON} 16:00`, `${MON} 16:30`, 'breached'],
    ['unanswered, not yet due', null, `${MON} 13:30`, 'pending'],
    ['unanswered past due', null, `${MON} 15:00`, 'breached'],
  ])('response SLA: %s', (_name, responded, now, state) => {
    const r = computeSla(
      { openedAt: t(`${MON} 09:00`), statusHistory: [], firstResponseAt: responded ? t(responded) : null },
      policy,
      calendar,
      t(now),
    );
    expect(wall(TZ, r.responseDueAt)).toBe(`${MON} 14:00`);
    expect(r.responseState).toBe(state);
  });
});

describe('computeSla properties (random histories, random now)', () => {
  const base = Date.UTC(2026, 2, 2, 8);
  const arbFacts = fc.record({
    opened: fc.integer({ min: 0, max: 20 * 24 * 60 }),
    changes: fc.array(fc.record({ after: fc.integer({ min: 1, max: 5 * 24 * 60 }), pause: fc.boolean() }), {
      maxLength: 6,
    }),
    nowAfter: fc.integer({ min: 0, max: 40 * 24 * 60 }),
  });
  const build = (f: { opened: number; changes: Array<{ after: number; pause: boolean }>; nowAfter: number }) => {
    const openedAt = base + f.opened * 60_000;
    let t = openedAt;
    const statusHistory = f.changes.map((c) => ({
      status: c.pause ? 'awaiting_documents' : 'in_review',
      from: new Date((t += c.after * 60_000)),
    }));
    return { facts: { openedAt: new Date(openedAt), statusHistory }, now: new Date(openedAt + f.nowAfter * 60_000) };
  };

  it('running plus paused business time is all business time since opening', () => {
    fc.assert(
      fc.property(arbFacts, (f) => {
        const { facts, now } = build(f);
        const r = computeSla(facts, policy, calendar, now);
        expect(r.elapsedBusinessHours + r.pausedBusinessHours).toBeCloseTo(
          calendar.businessHoursBetween(facts.openedAt, now),
          6,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('a due date already passed is where the running clock reached the target', () => {
    fc.assert(
      fc.property(arbFacts, (f) => {
        const { facts, now } = build(f);
        const r = computeSla(facts, policy, calendar, now);
        if (r.dueAt.getTime() > now.getTime()) return;
        expect(r.state).toBe('breached');
        expect(computeSla(facts, policy, calendar, r.dueAt).elapsedBusinessHours).toBeCloseTo(
          policy.resolution_hours,
          6,
        );
      }),
      { numRuns: 300 },
    );
  });
});
