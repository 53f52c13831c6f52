import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../../../core/calendar/businessCalendar.ts';
import type { CaseRecord } from '../../../core/case.ts';
import { routingRulesSchema } from './routing/routingRules.ts';
import { caseCategoriesSchema } from './routing/caseCategories.ts';
import { slaConfigSchema } from './sla/slaPolicy.ts';
import { decideSweepForCase, type StoredSla, type SweepCaseInput } from './slaSweep.ts';

const H = 3_600_000;
const ALL_DAY = ['00:00-24:00'];
const calendar = BusinessCalendar.fromConfig({
  time_zone: 'UTC',
  working_hours: { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY },
});
const sla = slaConfigSchema.parse({
  default: {
    response_hours: 4,
    resolution_hours: 10,
    reminder_at: [0.5, 0.75],
    escalation_levels: [{ after: 1, set_partner_status: true, resolution_hours: 2 }, { after: 2 }],
  },
});
const routing = routingRulesSchema.parse([
  { match: { tier: ['strategic'] }, route_to: { manager: 'kam@example.com' } },
  { route_to: { manager: 'ops@example.com', list_id: 'L-ESC' } },
]);
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
  slot: 42,
  ...o,
});
const stored = (s: Partial<StoredSla> = {}): StoredSla => ({
  state: 'on_track',
  dueAt: OPENED + 10 * H,
  reminders: [],
  escalationLevel: 0,
  ...s,
});

describe('decideSweepForCase: SLA decisions become keyed jobs and the record of what was enqueued', () => {
  it.each<[string, SweepCaseInput, string[], Record<string, unknown>]>([
    ['first sweep, due date as written at intake: state only', input(1), [], { state: 'on_track', policy: 'default' }],
    [
      '50 %: one reminder keyed by its threshold',
      input(5, { stored: stored() }),
      ['sla.remind:C-1:0.5'],
      { reminders: [0.5] },
    ],
    ['reminded already: nothing', input(6, { stored: stored({ reminders: [0.5] }) }), [], {}],
    [
      'a late first sweep past both thresholds: one reminder covering both',
      input(8, { stored: stored() }),
      ['sla.remind:C-1:0.75'],
      { state: 'at_risk', reminders: [0.5, 0.75] },
    ],
    [
      'breach: escalation level 1 and the partner status, keyed by level',
      input(10, { stored: stored({ reminders: [0.5, 0.75], state: 'at_risk' }) }),
      ['sla.escalate:C-1:1', 'sla.partner_status:C-1:escalated:1'],
      { state: 'breached', escalationLevel: 1 },
    ],
    [
      'level 1 done: level 2 at 200 %, no second partner status',
      input(20, {
        stored: stored({ reminders: [0.5, 0.75], state: 'breached', escalationLevel: 1 }),
        record: { ...record, partnerStatus: 'escalated' },
      }),
      ['sla.escalate:C-1:2'],
      { escalationLevel: 2 },
    ],
    [
      'no ClickUp task yet: only the state, decided again later',
      input(10, { hasTask: false }),
      [],
      { state: 'breached', escalationLevel: undefined, reminders: undefined },
    ],
    [
      'a pause moved the due date: one write per sweep slot',
      input(7, {
        stored: stored({ reminders: [0.5] }),
        history: [
          { status: 'awaiting_documents', from: new Date(OPENED + 2 * H) },
          { status: 'in_review', from: new Date(OPENED + 5 * H) },
        ],
      }),
      ['sla.due_date:C-1:42'],
      { dueAt: OPENED + 13 * H },
    ],
    [
      'while paused: no due date chased, no reminder',
      input(9, {
        stored: stored({ reminders: [0.5] }),
        history: [{ status: 'awaiting_documents', from: new Date(OPENED + 6 * H) }],
      }),
      [],
      { state: 'paused' },
    ],
  ])('%s', (_name, i, keys, update) => {
    const d = decideSweepForCase(i);
    expect(d.jobs.map((j) => j.key)).toEqual(keys);
    expect(d.update).toMatchObject(Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined)));
    for (const [k, v] of Object.entries(update)) if (v === undefined) expect(d.update).not.toHaveProperty(k);
    for (const j of d.jobs) expect(j.queueKey).toBe('case:C-1');
  });

  it('an escalation carries its route, explanation, own due date and the partner status via the case sync job', () => {
    const d = decideSweepForCase(input(10, { stored: stored({ reminders: [0.5, 0.75] }) }));
    const [esc, status] = d.jobs;
    expect(esc).toMatchObject({
      kind: 'sla.escalate',
      payload: {
        level: 1,
        fromLevel: 0,
        routeTo: { manager: 'ops@example.com', list_id: 'L-ESC' },
        ruleIndex: 1,
        priority: 2,
        dueAt: OPENED + 12 * H,
        partner: 'Acme',
        title: 'Short shipment',
      },
    });
    expect(status).toMatchObject({
      kind: 'tradinggrid.set_status',
      payload: { caseId: 'C-1', status: 'escalated', at: OPENED + 10 * H },
    });
    expect(d.escalations).toEqual([
      {
        level: 1,
        manager: 'ops@example.com',
        ruleIndex: 1,
        explanation: expect.stringContaining('rules[1]: default'),
        dueAt: OPENED + 12 * H,
      },
    ]);
  });

  it('an EDI exception keeps the policy of its exception (the one its intake due date came from)', () => {
    const withFa = slaConfigSchema.parse({
      default: { response_hours: 4, resolution_hours: 10 },
      policies: [{ kind: 'fa_overdue', resolution_hours: 2 }],
    });
    const fa: CaseRecord = { ...record, kind: 'edi_exception', exception: 'fa_overdue', slaDueAt: OPENED + 2 * H };
    const d = decideSweepForCase(input(1, { record: fa, sla: withFa }));
    expect(d.policySource).toBe('policies[0] (kind=fa_overdue, tier=any)');
    expect(d.sla.dueAt.getTime()).toBe(OPENED + 2 * H);
    expect(d.jobs).toEqual([]);
  });

  it('a strategic partner routes by the first rule', () => {
    const d = decideSweepForCase(
      input(10, { record: { ...record, partnerTier: 'strategic' }, stored: stored({ reminders: [0.5, 0.75] }) }),
    );
    expect(d.escalations[0]).toMatchObject({ manager: 'kam@example.com', ruleIndex: 0 });
  });
});

describe('decideSweepForCase: a routing rule on category', () => {
  const byCategory = routingRulesSchema.parse([
    { match: { category: ['billing'] }, route_to: { manager: 'finance@example.com' } },
    { route_to: { manager: 'ops@example.com' } },
  ]);
  const categories = caseCategoriesSchema.parse([
    { name: 'billing', match: { kind: ['dispute'], document_type: ['invoice'] } },
  ]);
  const invoiceDispute: CaseRecord = {
    ...record,
    transactionRef: { business: { type: 'invoice', value: 'INV-9' } },
  };
  it.each<[string, Partial<SweepCaseInput>, string]>([
    ['the case is in the category the config names', { record: invoiceDispute, categories }, 'finance@example.com'],
    [
      'another document type is not',
      { record: { ...invoiceDispute, transactionRef: null }, categories },
      'ops@example.com',
    ],
    ['no categories configured: the rule never matches', { record: invoiceDispute }, 'ops@example.com'],
  ])('%s', (_name, o, manager) => {
    const d = decideSweepForCase(input(10, { stored: stored(), routing: byCategory, ...o }));
    expect(d.escalations[0]?.manager).toBe(manager);
  });
});
