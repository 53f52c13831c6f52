import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../../core/calendar/businessCalendar.ts';
import type { CaseRecord } from '../../../core/case.ts';
import { routingRulesSchema } from './routing/routingRules.ts';
import { slaConfigSchema } from './sla/slaPolicy.ts';
import { decideSweepForCase, type SlaJob, type StoredSla, type SweepCaseInput } from './slaSweep.ts';

// The sweep's decisions checked whole: each job with its key, queue and payload, and the row to store, for
// the cases slaSweep.test.ts checks by key only, and for the inputs it leaves out (a resolved record, a due
// date written by an earlier sweep, an escalation level without its own SLA, a partner without a name).

const H = 3_600_000;
const ALL_DAY = ['00:00-24:00'];
const calendar = BusinessCalendar.fromConfig({
  time_zone: 'UTC',
  working_hours: { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY },
});
// Resolution 10 h: reminders at 5 h and 7.5 h, level 1 at 10 h (own SLA 2 h, partner status), level 2 at 20 h.
const sla = slaConfigSchema.parse({
  default: {
    response_hours: 4,
    resolution_hours: 10,
    reminder_at: [0.5, 0.75],
    escalation_levels: [
      { after: 1, set_partner_status: true, resolution_hours: 2 },
      { after: 2, priority: 1 },
    ],
  },
});
const routing = routingRulesSchema.parse([{ route_to: { manager: 'ops@example.com', list_id: 'L-ESC' } }]);
const OPENED = Date.UTC(2026, 2, 2, 8);
const record: CaseRecord = {
  id: 'C-1',
  source: 'community',
  partnerId: 'P-1',
  partnerName: 'Acme',
  partnerTier: 'standard',
  kind: 'dispute',
  title: 'Short shipment',
  description: '',
  transactionRef: null,
  value: null,
  partnerStatus: 'received',
  state: 'active',
  holdReason: null,
  slaDueAt: OPENED + 10 * H,
  openedAt: OPENED,
  resolvedAt: null,
  updatedAt: OPENED,
};
const input = (hours: number, o: Partial<SweepCaseInput> = {}): SweepCaseInput => ({
  record,
  history: [],
  stored: null,
  hasTask: true,
  sla,
  routing,
  calendar,
  now: new Date(OPENED + hours * H),
  slot: 7,
  ...o,
});
const stored = (s: Partial<StoredSla> = {}): StoredSla => ({
  state: 'on_track',
  dueAt: OPENED + 10 * H,
  reminders: [],
  escalationLevel: 0,
  ...s,
});
const q = 'case:C-1';
const ROUTE = { manager: 'ops@example.com', list_id: 'L-ESC' };
const WHY_DEFAULT = 'rules[0]: default, no earlier rule matched (0 checked)';

describe('decideSweepForCase, jobs and stored row checked whole', () => {
  it.each<[string, SweepCaseInput, SlaJob[], Record<string, unknown>]>([
    [
      'a reminder: its threshold, what it covers, the share and the due date',
      input(5, { stored: stored() }),
      [
        {
          kind: 'sla.remind',
          key: 'sla.remind:C-1:0.5',
          queueKey: q,
          payload: { caseId: 'C-1', threshold: 0.5, covers: [0.5], share: 0.5, dueAt: OPENED + 10 * H },
        },
      ],
      { state: 'on_track', policy: 'default', share: 0.5, reminders: [0.5] },
    ],
    [
      'a reminder sent late (the 75 % one recorded, the 50 % one not): the stored list stays in order',
      input(8, { stored: stored({ reminders: [0.75], state: 'at_risk' }) }),
      [
        {
          kind: 'sla.remind',
          key: 'sla.remind:C-1:0.5',
          queueKey: q,
          payload: { caseId: 'C-1', threshold: 0.5, covers: [0.5], share: 0.8, dueAt: OPENED + 10 * H },
        },
      ],
      { state: 'at_risk', policy: 'default', share: 0.8, reminders: [0.5, 0.75] },
    ],
    [
      'the breach: level 1 with its route, own due date and explanation, then the partner status',
      input(10, { stored: stored({ reminders: [0.5, 0.75], state: 'at_risk' }) }),
      [
        {
          kind: 'sla.escalate',
          key: 'sla.escalate:C-1:1',
          queueKey: q,
          payload: {
            caseId: 'C-1',
            level: 1,
            fromLevel: 0,
            routeTo: ROUTE,
            ruleIndex: 0,
            explanation: `SLA at 100 % of 10 business hours (level 1 at 100 %); ${WHY_DEFAULT}`,
            priority: 2,
            dueAt: OPENED + 12 * H,
            title: 'Short shipment',
            partner: 'Acme',
          },
        },
        {
          kind: 'tradinggrid.set_status',
          key: 'sla.partner_status:C-1:escalated:1',
          queueKey: q,
          payload: {
            caseId: 'C-1',
            status: 'escalated',
            at: OPENED + 10 * H,
            note: 'Escalated (level 1): the case is past its agreed resolution time and a manager is on it.',
          },
        },
      ],
      { state: 'breached', policy: 'default', share: 1, escalationLevel: 1 },
    ],
    [
      'level 2, which has no SLA of its own (due date null), for a partner without a name (its id)',
      input(20, {
        stored: stored({ reminders: [0.5, 0.75], state: 'breached', escalationLevel: 1 }),
        record: { ...record, partnerName: null, partnerStatus: 'escalated' },
      }),
      [
        {
          kind: 'sla.escalate',
          key: 'sla.escalate:C-1:2',
          queueKey: q,
          payload: {
            caseId: 'C-1',
            level: 2,
            fromLevel: 1,
            routeTo: ROUTE,
            ruleIndex: 0,
            explanation: `SLA at 200 % of 10 business hours (level 2 at 200 %); ${WHY_DEFAULT}`,
            priority: 1,
            dueAt: null,
            title: 'Short shipment',
            partner: 'P-1',
          },
        },
      ],
      { state: 'breached', policy: 'default', share: 2, escalationLevel: 2 },
    ],
    [
      'a due date moved by a pause: written once per sweep slot',
      input(7, {
        stored: stored({ reminders: [0.5] }),
        history: [
          { status: 'awaiting_documents', from: new Date(OPENED + 2 * H) },
          { status: 'in_review', from: new Date(OPENED + 5 * H) },
        ],
      }),
      [
        {
          kind: 'sla.due_date',
          key: 'sla.due_date:C-1:7',
          queueKey: q,
          payload: { caseId: 'C-1', dueAt: OPENED + 13 * H },
        },
      ],
      { state: 'on_track', policy: 'default', share: 0.4, dueAt: OPENED + 13 * H },
    ],
    [
      "the due date an earlier sweep wrote, not the intake's, is what the clock's is compared with",
      input(7, {
        stored: stored({ reminders: [0.5], dueAt: OPENED + 13 * H }),
        history: [
          { status: 'awaiting_documents', from: new Date(OPENED + 2 * H) },
          { status: 'in_review', from: new Date(OPENED + 5 * H) },
        ],
      }),
      [],
      { state: 'on_track', policy: 'default', share: 0.4 },
    ],
    [
      'first sweep of a case whose intake wrote no due date: the due date is written',
      input(1, { record: { ...record, slaDueAt: null } }),
      [
        {
          kind: 'sla.due_date',
          key: 'sla.due_date:C-1:7',
          queueKey: q,
          payload: { caseId: 'C-1', dueAt: OPENED + 10 * H },
        },
      ],
      { state: 'on_track', policy: 'default', share: 0.1, dueAt: OPENED + 10 * H },
    ],
    [
      'a late first sweep (nothing stored yet): one reminder covering both thresholds',
      input(8),
      [
        {
          kind: 'sla.remind',
          key: 'sla.remind:C-1:0.75',
          queueKey: q,
          payload: { caseId: 'C-1', threshold: 0.75, covers: [0.5, 0.75], share: 0.8, dueAt: OPENED + 10 * H },
        },
      ],
      { state: 'at_risk', policy: 'default', share: 0.8, reminders: [0.5, 0.75] },
    ],
    [
      "the configured pause statuses, not the clock's default, stop the clock (here in_review)",
      input(7, {
        stored: stored({ reminders: [0.5] }),
        sla: { ...sla, pause_statuses: ['in_review'] },
        history: [
          { status: 'in_review', from: new Date(OPENED + 2 * H) },
          { status: 'received', from: new Date(OPENED + 5 * H) },
        ],
      }),
      [
        {
          kind: 'sla.due_date',
          key: 'sla.due_date:C-1:7',
          queueKey: q,
          payload: { caseId: 'C-1', dueAt: OPENED + 13 * H },
        },
      ],
      { state: 'on_track', policy: 'default', share: 0.4, dueAt: OPENED + 13 * H },
    ],
    [
      'an EDI reference without a business document: no category, nothing chased',
      input(1, { record: { ...record, transactionRef: { standard: 'X12', setId: '810' } } }),
      [],
      { state: 'on_track', policy: 'default', share: 0.1 },
    ],
    [
      'a case resolved at 5 h (the record says so, the history does not): met, nothing chased at 8 h',
      input(8, { stored: stored(), record: { ...record, partnerStatus: 'resolved', resolvedAt: OPENED + 5 * H } }),
      [],
      { state: 'met', policy: 'default', share: 0.5 },
    ],
  ])('%s', (_name, i, jobs, update) => {
    const d = decideSweepForCase(i);
    expect(d.jobs).toEqual(jobs);
    expect(d.update).toEqual(update);
    expect(d.policySource).toBe('default');
  });

  it('an escalation is recorded with its level, manager, rule, explanation and due date', () => {
    const d = decideSweepForCase(input(20, { stored: stored({ reminders: [0.5, 0.75], state: 'at_risk' }) }));
    // A late sweep past both rungs: one escalation, to level 2, from level 0.
    expect(d.escalations).toEqual([
      {
        level: 2,
        manager: 'ops@example.com',
        ruleIndex: 0,
        explanation: `SLA at 200 % of 10 business hours (level 2 at 200 %); ${WHY_DEFAULT}`,
        dueAt: null,
      },
    ]);
    expect(d.jobs.map((j) => j.key)).toEqual(['sla.escalate:C-1:2', 'sla.partner_status:C-1:escalated:2']);
  });
});
