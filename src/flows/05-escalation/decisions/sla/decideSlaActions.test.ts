import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../../../core/calendar/businessCalendar.ts';
import { at, wall } from '../../../../core/calendar/testing.ts';
import { routingRulesSchema } from '../routing/routingRules.ts';
import { computeSla, type SlaResult } from './computeSla.ts';
import { decideSlaActions, type AlreadyDone, type SlaIntent, type SlaSweepCase } from './decideSlaActions.ts';
import { decideFaOverdue } from './faOverdue.ts';
import { selectSlaPolicy, slaConfigSchema, slaPolicySchema } from './slaPolicy.ts';

const TZ = 'Europe/Berlin';
const hours = ['08:00-12:00', '13:00-17:00'];
const calendar = BusinessCalendar.fromConfig({
  time_zone: TZ,
  working_hours: { mon: hours, tue: hours, wed: hours, thu: hours, fri: hours },
});
const routing = routingRulesSchema.parse([
  { match: { tier: ['strategic'] }, route_to: { manager: 'kam@example.com' } },
  { route_to: { manager: 'ops@example.com' } },
]);
const policy = slaPolicySchema.parse({
  response_hours: 4,
  resolution_hours: 16,
  reminder_at: [0.5, 0.75],
  escalation_levels: [
    { after: 1, set_partner_status: true, resolution_hours: 4, priority: 1 },
    { after_hours: 24, route_to: { manager: 'head-of-ops@example.com' } },
    { after: 2 },
  ],
});
const NOW = at(TZ, '2026-03-04 10:00');
const DUE = at(TZ, '2026-03-04 09:00');
const theCase: SlaSweepCase = { kind: 'dispute', tier: 'strategic', partnerStatus: 'in_review' };

function sla(share: number, extra: Partial<SlaResult> = {}): SlaResult {
  const state = share >= 1 ? 'breached' : share >= 0.75 ? 'at_risk' : 'on_track';
  return {
    dueAt: DUE,
    responseDueAt: DUE,
    responseState: 'met',
    elapsedBusinessHours: share * 16,
    pausedBusinessHours: 0,
    share,
    state,
    paused: false,
    stoppedAt: null,
    ...extra,
  };
}
const done = (d: Partial<AlreadyDone> = {}): AlreadyDone => ({
  reminders: [],
  escalationLevel: 0,
  dueAt: DUE,
  state: null,
  ...d,
});

describe('decideSlaActions', () => {
  it.each<[string, SlaResult, AlreadyDone, SlaSweepCase, SlaIntent[]]>([
    ['on track, everything recorded: nothing to do', sla(0.3), done({ state: 'on_track' }), theCase, []],
    [
      'first sweep records the state and writes the due date',
      sla(0.3),
      done({ dueAt: null }),
      theCase,
      [
        { kind: 'set_sla_state', state: 'on_track' },
        { kind: 'update_due_date', dueAt: DUE },
      ],
    ],
    [
      'a due date within a minute is left alone',
      sla(0.3),
      done({ state: 'on_track', dueAt: new Date(DUE.getTime() + 30_000) }),
      theCase,
      [],
    ],
    [
      'a moved due date (after a pause) is rewritten',
      sla(0.3),
      done({ state: 'on_track', dueAt: new Date(DUE.getTime() - 3_600_000) }),
      theCase,
      [{ kind: 'update_due_date', dueAt: DUE }],
    ],
    [
      'while paused the projected due date is not chased',
      sla(0.3, { paused: true, state: 'paused' }),
      done({ state: 'paused', dueAt: null }),
      theCase,
      [],
    ],
    [
      '50 % reached: first reminder',
      sla(0.6),
      done({ state: 'on_track' }),
      theCase,
      [{ kind: 'remind', threshold: 0.5, covers: [0.5], share: 0.6, dueAt: DUE }],
    ],
    [
      'a late sweep past two thresholds sends one reminder covering both',
      sla(0.8),
      done({ state: 'at_risk' }),
      theCase,
      [{ kind: 'remind', threshold: 0.75, covers: [0.5, 0.75], share: 0.8, dueAt: DUE }],
    ],
    [
      'a reminder is sent once per threshold',
      sla(0.8),
      done({ state: 'at_risk', reminders: [0.5, 0.75] }),
      theCase,
      [],
    ],
    [
      'breach: level 1 routed by the table, partner status escalated',
      sla(1),
      done({ state: 'breached', reminders: [0.5, 0.75] }),
      theCase,
      [
        {
          kind: 'escalate',
          level: 1,
          fromLevel: 0,
          routeTo: { manager: 'kam@example.com' },
          ruleIndex: 0,
          priority: 1,
          explanation: 'SLA at 100 % of 16 business hours (level 1 at 100 %); rules[0]: tier strategic in [strategic]',
          dueAt: at(TZ, '2026-03-04 15:00'),
        },
        { kind: 'set_partner_status', status: 'escalated' },
      ],
    ],
    [
      'partner status already escalated is not set again',
      sla(1),
      done({ state: 'breached', reminders: [0.5, 0.75] }),
      { ...theCase, partnerStatus: 'escalated' },
      [expect.objectContaining({ kind: 'escalate', level: 1 }) as SlaIntent],
    ],
    [
      'level 2 after 24 running hours goes to its own manager',
      sla(1.5),
      done({ state: 'breached', reminders: [0.5, 0.75], escalationLevel: 1 }),
      theCase,
      [
        {
          kind: 'escalate',
          level: 2,
          fromLevel: 1,
          routeTo: { manager: 'head-of-ops@example.com' },
          ruleIndex: null,
          priority: 2,
          explanation: '24 business hours running (level 2 after 24 h); escalation_levels[1].route_to',
          dueAt: null,
        },
      ],
    ],
    [
      'a sweep that missed levels jumps to the highest, once',
      sla(2.1),
      done({ state: 'breached', reminders: [0.5, 0.75] }),
      { ...theCase, tier: 'standard' },
      [
        expect.objectContaining({
          kind: 'escalate',
          level: 3,
          fromLevel: 0,
          routeTo: { manager: 'ops@example.com' },
          ruleIndex: 1,
        }) as SlaIntent,
        { kind: 'set_partner_status', status: 'escalated' },
      ],
    ],
    [
      'top of the ladder: nothing more',
      sla(3),
      done({ state: 'breached', reminders: [0.5, 0.75], escalationLevel: 3 }),
      theCase,
      [],
    ],
    [
      'resolved: only the final state',
      sla(0.9, { state: 'met', stoppedAt: NOW }),
      done({ state: 'at_risk', reminders: [0.5, 0.75] }),
      theCase,
      [{ kind: 'set_sla_state', state: 'met' }],
    ],
    [
      'resolved late, nothing chased yet: still only the final state (no reminder, due date or escalation)',
      sla(2.5, { state: 'breached', stoppedAt: NOW, dueAt: NOW }),
      done({ state: 'on_track' }),
      theCase,
      [{ kind: 'set_sla_state', state: 'breached' }],
    ],
  ])('%s', (_name, result, already, c, expected) => {
    expect(
      decideSlaActions({ case: c, sla: result, policy, alreadyDone: already, now: NOW, routing, calendar }),
    ).toEqual(expected);
  });

  it('a written due date exactly the tolerance away is left alone; a millisecond further it is rewritten', () => {
    const decide = (writtenMs: number) =>
      decideSlaActions({
        case: theCase,
        sla: sla(0.3),
        policy,
        alreadyDone: done({ state: 'on_track', dueAt: new Date(DUE.getTime() + writtenMs) }),
        now: NOW,
        routing,
        calendar,
        dueDateToleranceMs: 5_000,
      });
    expect(decide(5_000)).toStrictEqual([]);
    expect(decide(-5_000)).toStrictEqual([]);
    expect(decide(5_001)).toStrictEqual([{ kind: 'update_due_date', dueAt: DUE }]);
  });

  it('reminders configured out of order: the highest crossed threshold is the one reminded, covering all in order', () => {
    // The policy schema does not require reminder_at in ascending order.
    const unordered = slaPolicySchema.parse({ ...policy, reminder_at: [0.75, 0.5] });
    expect(
      decideSlaActions({
        case: theCase,
        sla: sla(0.8),
        policy: unordered,
        alreadyDone: done({ state: 'at_risk' }),
        now: NOW,
        routing,
        calendar,
      }),
    ).toStrictEqual([{ kind: 'remind', threshold: 0.75, covers: [0.5, 0.75], share: 0.8, dueAt: DUE }]);
  });
});

/** Applies what the lead's executor would record after carrying out the intents. */
function record(d: AlreadyDone, intents: SlaIntent[]): AlreadyDone {
  const next = { ...d, reminders: [...d.reminders] };
  for (const i of intents) {
    if (i.kind === 'set_sla_state') next.state = i.state;
    if (i.kind === 'update_due_date') next.dueAt = i.dueAt;
    if (i.kind === 'remind') next.reminders.push(...i.covers);
    if (i.kind === 'escalate') next.escalationLevel = i.level;
  }
  return next;
}

describe('hourly sweeps with an injected clock', () => {
  it('remind once per threshold, climb the ladder once per level, move the due date after a pause', () => {
    const opened = at(TZ, '2026-03-02 09:00');
    const history = [
      { status: 'awaiting_documents', from: at(TZ, '2026-03-02 14:00') },
      { status: 'in_review', from: at(TZ, '2026-03-03 14:00') },
    ];
    let state: AlreadyDone = { reminders: [], escalationLevel: 0, dueAt: null, state: null };
    const log: string[] = [];
    for (let h = 0; h <= 24 * 10; h++) {
      const now = new Date(opened.getTime() + h * 3_600_000);
      const visible = history.filter((x) => x.from <= now);
      const result = computeSla({ openedAt: opened, statusHistory: visible }, policy, calendar, now);
      const intents = decideSlaActions({
        case: theCase,
        sla: result,
        policy,
        alreadyDone: state,
        now,
        routing,
        calendar,
      });
      for (const i of intents) {
        if (i.kind === 'remind') log.push(`${wall(TZ, now)} remind ${i.threshold}`);
        if (i.kind === 'escalate') log.push(`${wall(TZ, now)} escalate ${i.level} → ${i.routeTo.manager}`);
        if (i.kind === 'update_due_date') log.push(`${wall(TZ, now)} due ${wall(TZ, i.dueAt)}`);
        if (i.kind === 'set_partner_status') log.push(`${wall(TZ, now)} partner ${i.status}`);
      }
      state = record(state, intents);
    }
    expect(log).toEqual([
      '2026-03-02 09:00 due 2026-03-04 09:00',
      // paused Mon 14:00 → Tue 14:00 (8 business hours): written once the clock runs again
      '2026-03-03 14:00 due 2026-03-05 09:00',
      '2026-03-04 09:00 remind 0.5',
      '2026-03-04 14:00 remind 0.75',
      '2026-03-05 09:00 escalate 1 → kam@example.com',
      '2026-03-05 09:00 partner escalated',
      '2026-03-06 09:00 escalate 2 → head-of-ops@example.com',
      '2026-03-09 09:00 escalate 3 → kam@example.com',
    ]);
  });
});

describe('FA overdue flows into the same engine', () => {
  it.each<[string, string, string | null, string, boolean, string]>([
    [
      'no acknowledgement within 4 business hours',
      '2026-03-06 15:00',
      null,
      '2026-03-09 11:00',
      true,
      '2026-03-09 10:00',
    ],
    [
      'still inside the window over the weekend',
      '2026-03-06 15:00',
      null,
      '2026-03-09 09:00',
      false,
      '2026-03-09 10:00',
    ],
    ['acknowledged in time', '2026-03-06 15:00', '2026-03-06 16:00', '2026-03-09 11:00', false, '2026-03-09 10:00'],
  ])('%s', (_name, sent, ack, now, overdue, due) => {
    const d = decideFaOverdue(
      { sentAt: at(TZ, sent), acknowledgedAt: ack ? at(TZ, ack) : null, windowBusinessHours: 4 },
      calendar,
      at(TZ, now),
    );
    expect(d.overdue).toBe(overdue);
    expect(wall(TZ, d.dueAt)).toBe(due);
  });

  it('an fa_overdue case gets its own policy and escalates to the EDI lead', () => {
    const config = slaConfigSchema.parse({
      default: { response_hours: 8, resolution_hours: 40 },
      policies: [
        {
          kind: 'fa_overdue',
          response_hours: 1,
          resolution_hours: 4,
          escalation_levels: [{ after: 1, route_to: { manager: 'edi-lead@example.com' } }],
        },
      ],
    });
    const fa = decideFaOverdue(
      { sentAt: at(TZ, '2026-03-06 15:00'), windowBusinessHours: 4 },
      calendar,
      at(TZ, '2026-03-09 11:00'),
    );
    const subject = { kind: 'edi_exception', exception: 'fa_overdue', tier: 'standard', partnerStatus: 'open' };
    const { policy: faPolicy } = selectSlaPolicy(subject, config);
    const now = at(TZ, '2026-03-09 15:00');
    const result = computeSla({ openedAt: fa.dueAt, statusHistory: [] }, faPolicy, calendar, now);
    expect(result.state).toBe('breached');
    const intents = decideSlaActions({
      case: subject,
      sla: result,
      policy: faPolicy,
      alreadyDone: { reminders: [], escalationLevel: 0 },
      now,
      routing,
      calendar,
    });
    expect(intents.map((i) => i.kind)).toEqual(['set_sla_state', 'update_due_date', 'remind', 'escalate']);
    expect(intents.find((i) => i.kind === 'escalate')).toMatchObject({ routeTo: { manager: 'edi-lead@example.com' } });
  });
});
