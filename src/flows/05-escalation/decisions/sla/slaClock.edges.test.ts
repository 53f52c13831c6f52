import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../../../core/calendar/businessCalendar.ts';
import { at, wall } from '../../../../core/calendar/testing.ts';
import { computeSla, type SlaResult } from './computeSla.ts';
import { decideFaOverdue } from './faOverdue.ts';
import { selectSlaPolicy, slaConfigSchema, slaPolicySchema } from './slaPolicy.ts';

// The SLA clock, the FA-overdue watch and the policy schema at their edges: a target reached exactly at the end
// of a business period, a state exactly at its threshold, instants equal to now, a status before the opening, a
// resolution after now, the policy schema's accepted configurations and its messages word for word.

const TZ = 'Europe/Berlin';
const hours = ['08:00-12:00', '13:00-17:00'];
const calendar = BusinessCalendar.fromConfig({
  time_zone: TZ,
  working_hours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours },
});
// Response 4 business hours, resolution 16 (Monday 08:00 to Tuesday 17:00), at risk from 75 % (12 h).
const policy = slaPolicySchema.parse({ response_hours: 4, resolution_hours: 16 });
const t = (local: string) => at(TZ, local);
const MON = '2026-03-02';
const TUE = '2026-03-03';
const WED = '2026-03-04';

type Facts = {
  opened: string;
  history?: Array<[string, string]>;
  resolved?: string;
  responded?: string;
  now: string;
};

function clock(f: Facts): SlaResult {
  return computeSla(
    {
      openedAt: t(f.opened),
      statusHistory: (f.history ?? []).map(([status, from]) => ({ status, from: t(from) })),
      resolvedAt: f.resolved ? t(f.resolved) : null,
      firstResponseAt: f.responded ? t(f.responded) : null,
    },
    policy,
    calendar,
    t(f.now),
  );
}

describe('computeSla at its edges', () => {
  it.each<[string, Facts, Record<string, unknown>]>([
    [
      'the resolution target reached at the end of a working day, read after hours: due then, not now',
      { opened: `${MON} 08:00`, now: `${TUE} 18:00` },
      { state: 'breached', elapsed: 16, due: `${TUE} 17:00` },
    ],
    [
      'the response target reached at the start of the lunch break, read during it: due then',
      { opened: `${MON} 08:00`, now: `${MON} 12:30` },
      { responseDue: `${MON} 12:00`, response: 'breached', state: 'on_track' },
    ],
    [
      'a pause after the first hour moves the response due date by the pause',
      {
        opened: `${MON} 09:00`,
        history: [
          ['awaiting_documents', `${MON} 10:00`],
          ['in_review', `${MON} 14:00`],
        ],
        now: `${MON} 15:00`,
      },
      { responseDue: `${MON} 17:00`, response: 'pending', elapsed: 2, paused: 3 },
    ],
    [
      'resolved exactly at the target: met',
      { opened: `${MON} 08:00`, history: [['resolved', `${TUE} 17:00`]], now: `${WED} 10:00` },
      { state: 'met', elapsed: 16, stoppedAt: `${TUE} 17:00` },
    ],
    ['exactly 75 % run: at risk', { opened: `${MON} 08:00`, now: `${TUE} 12:00` }, { state: 'at_risk', elapsed: 12 }],
    [
      'answered exactly at the response due date: met',
      { opened: `${MON} 08:00`, responded: `${MON} 12:00`, now: `${MON} 15:00` },
      { responseDue: `${MON} 12:00`, response: 'met' },
    ],
    [
      'unanswered, now exactly the response due date: breached',
      { opened: `${MON} 08:00`, now: `${MON} 12:00` },
      { responseDue: `${MON} 12:00`, response: 'breached' },
    ],
    [
      'a status set at the opening instant is the status from the start (paused throughout)',
      { opened: `${MON} 09:00`, history: [['awaiting_documents', `${MON} 09:00`]], now: `${MON} 11:00` },
      { state: 'paused', elapsed: 0, paused: 2 },
    ],
    [
      'resolved exactly now (the record says so, not the history): stopped, met',
      { opened: `${MON} 09:00`, resolved: `${MON} 11:00`, now: `${MON} 11:00` },
      { state: 'met', elapsed: 2, stoppedAt: `${MON} 11:00` },
    ],
    [
      'a resolution recorded after now is not reached yet: the clock runs to now',
      { opened: `${MON} 09:00`, resolved: `${WED} 11:00`, now: `${MON} 11:00` },
      { state: 'on_track', elapsed: 2, stoppedAt: null },
    ],
    [
      'the response target reached after a pause, inside a later running segment: due by the time run before it',
      {
        opened: `${MON} 09:00`,
        history: [
          ['awaiting_documents', `${MON} 10:00`],
          ['in_review', `${MON} 14:00`],
        ],
        now: `${TUE} 10:00`,
      },
      { responseDue: `${MON} 17:00`, response: 'breached', elapsed: 6, paused: 3 },
    ],
    [
      'a resolution the history dates after now (a clock ahead) is not reached yet: the clock runs to now',
      { opened: `${MON} 09:00`, history: [['resolved', `${WED} 11:00`]], now: `${MON} 11:00` },
      { state: 'on_track', elapsed: 2, paused: 0, stoppedAt: null },
    ],
    [
      'reopened exactly now after a resolution: running again, the resolved hour paused',
      {
        opened: `${MON} 09:00`,
        history: [
          ['resolved', `${MON} 10:00`],
          ['in_review', `${MON} 11:00`],
        ],
        now: `${MON} 11:00`,
      },
      { state: 'on_track', elapsed: 1, paused: 1, stoppedAt: null },
    ],
  ])('%s', (_name, facts, expected) => {
    const r = clock(facts);
    const seen: Record<string, unknown> = {
      state: r.state,
      elapsed: r.elapsedBusinessHours,
      paused: r.pausedBusinessHours,
      due: wall(TZ, r.dueAt),
      responseDue: wall(TZ, r.responseDueAt),
      response: r.responseState,
      stoppedAt: r.stoppedAt === null ? null : wall(TZ, r.stoppedAt),
    };
    expect(Object.fromEntries(Object.keys(expected).map((k) => [k, seen[k]]))).toEqual(expected);
  });
});

describe('decideFaOverdue at its edges (window 4 business hours: sent Monday 09:00, due 14:00)', () => {
  it.each<[string, string | null, string, { overdue: boolean; late: number }]>([
    [
      'no acknowledgement, now exactly the due time: not overdue yet',
      null,
      `${MON} 14:00`,
      { overdue: false, late: 0 },
    ],
    ['no acknowledgement, two business hours past: overdue by 2 h', null, `${MON} 16:00`, { overdue: true, late: 2 }],
    ['acknowledged exactly at the due time: in time', `${MON} 14:00`, `${MON} 16:00`, { overdue: false, late: 0 }],
    ['acknowledged late, before now: the watch is closed', `${MON} 15:00`, `${MON} 16:00`, { overdue: false, late: 0 }],
    ['acknowledged late, exactly now: closed', `${MON} 16:00`, `${MON} 16:00`, { overdue: false, late: 0 }],
    [
      'an acknowledgement recorded after now is not there yet: overdue',
      `${MON} 16:00`,
      `${MON} 15:00`,
      { overdue: true, late: 1 },
    ],
  ])('%s', (_name, ack, now, expected) => {
    const d = decideFaOverdue(
      { sentAt: t(`${MON} 09:00`), acknowledgedAt: ack ? t(ack) : null, windowBusinessHours: 4 },
      calendar,
      t(now),
    );
    expect(wall(TZ, d.dueAt)).toBe(`${MON} 14:00`);
    expect({ overdue: d.overdue, late: d.lateBusinessHours }).toEqual(expected);
  });
});

describe('slaConfigSchema: what it accepts and its messages word for word', () => {
  const dflt = { response_hours: 8, resolution_hours: 40 };
  it.each<[string, unknown]>([
    ['overrides by kind alone, two kinds', { default: dflt, policies: [{ kind: 'dispute' }, { kind: 'fa_overdue' }] }],
    ['overrides by tier alone, two tiers', { default: dflt, policies: [{ tier: 'strategic' }, { tier: 'standard' }] }],
    ['reminders in any order, none twice', { default: { ...dflt, reminder_at: [0.75, 0.5, 1] } }],
    [
      'a ladder climbing by share and by hours',
      { default: { ...dflt, escalation_levels: [{ after: 0.5 }, { after_hours: 40 }, { after: 2 }] } },
    ],
  ])('accepts %s', (_name, input) => {
    const r = slaConfigSchema.safeParse(input);
    expect(r.error?.issues).toBeUndefined();
  });

  it.each<[string, unknown, string, string]>([
    [
      'a duplicate override by kind',
      { default: dflt, policies: [{ kind: 'dispute' }, { kind: 'dispute', resolution_hours: 5 }] },
      'policies.1',
      'duplicate policy for kind=dispute tier=any (also policies[0])',
    ],
    [
      'a duplicate override by tier',
      { default: dflt, policies: [{ tier: 'strategic' }, { tier: 'strategic' }] },
      'policies.1',
      'duplicate policy for kind=any tier=strategic (also policies[0])',
    ],
    [
      'resolved as a pause status',
      { default: dflt, pause_statuses: ['resolved'] },
      'pause_statuses',
      '`resolved` stops the clock already; it cannot be a pause status',
    ],
    [
      'a reminder listed twice, apart',
      { default: { ...dflt, reminder_at: [0.5, 0.75, 0.5] } },
      'default.reminder_at',
      'reminder_at lists a share twice',
    ],
    [
      'a level reached at the same share as the one before (after_hours: 40 of 40 h is 100 %)',
      { default: { ...dflt, escalation_levels: [{ after: 1 }, { after_hours: 40 }] } },
      'default.escalation_levels.1',
      'escalation levels must climb: level 2 is reached at 100 % of the resolution SLA, not after level 1 (100 %)',
    ],
    [
      'a level below the one before',
      { default: { ...dflt, escalation_levels: [{ after: 1 }, { after: 0.125 }] } },
      'default.escalation_levels.1',
      'escalation levels must climb: level 2 is reached at 12.5 % of the resolution SLA, not after level 1 (100 %)',
    ],
  ])('rejects %s', (_name, input, path, message) => {
    const r = slaConfigSchema.safeParse(input);
    expect(r.error?.issues.map((i) => ({ code: i.code, path: i.path.join('.'), message: i.message }))).toEqual([
      { code: 'custom', path, message },
    ]);
  });

  it('an override is merged over the default field by field', () => {
    const config = slaConfigSchema.parse({
      default: { ...dflt, reminder_at: [0.5], at_risk_at: 0.6, escalation_levels: [{ after: 1 }] },
      policies: [{ kind: 'dispute', resolution_hours: 20 }],
    });
    expect(selectSlaPolicy({ kind: 'dispute' }, config)).toEqual({
      policy: {
        response_hours: 8,
        resolution_hours: 20,
        reminder_at: [0.5],
        at_risk_at: 0.6,
        escalation_levels: [{ after: 1, set_partner_status: false, priority: 2 }],
      },
      source: 'policies[0] (kind=dispute, tier=any)',
    });
  });
});
