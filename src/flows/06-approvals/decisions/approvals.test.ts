import { describe, expect, it } from 'vitest';
import {
  approverComments,
  decideApprovalChange,
  decideApprovalFiles,
  decideApprovalIntake,
  isWithdrawn,
  observeOutcome,
  requestFactsOf,
  requestValue,
  routeApproval,
  type ApprovalRecord,
  type ApprovalRule,
  type RequestFacts,
  type RequestSeen,
} from './approvals.ts';

const rules: ApprovalRule[] = [
  { kinds: ['pricing_exception'], minValue: 10_000, assignees: [5], priority: 2, label: 'big pricing' },
  { kinds: ['pricing_exception'], tiers: ['strategic'], assignees: [4], label: 'strategic pricing' },
  {
    kinds: ['shipment_change', 'document_correction'],
    maxValue: 1_000,
    assignees: [2],
    priority: 4,
    label: 'small changes',
  },
];

const req = (o: Partial<RequestFacts> = {}): RequestFacts => ({
  id: 'REQ-1',
  partnerId: 'P-ACME',
  partnerName: 'Acme Retail',
  partnerTier: 'preferred',
  kind: 'pricing_exception',
  summary: 'Hold Q3 price',
  details: '',
  value: null,
  documents: [],
  status: 'pending',
  withdrawn: false,
  ...o,
});

const rec = (o: Partial<ApprovalRecord> = {}): ApprovalRecord => ({
  requestId: 'REQ-1',
  partnerId: 'P-ACME',
  partnerName: 'Acme Retail',
  kind: 'pricing_exception',
  state: 'open',
  posted: [],
  rule: null,
  ...o,
});

describe('routeApproval', () => {
  it.each<[string, Partial<RequestFacts>, number[], string | null]>([
    ['a big pricing exception goes to the manager', { value: { amount: 25_000, currency: 'USD' } }, [5], 'big pricing'],
    ['exactly the minimum counts as big', { value: { amount: 10_000, currency: 'USD' } }, [5], 'big pricing'],
    [
      'a small one from a strategic partner goes to the account owner',
      { value: { amount: 500, currency: 'USD' }, partnerTier: 'strategic' },
      [4],
      'strategic pricing',
    ],
    [
      'a small one from a preferred partner falls to the default',
      { value: { amount: 500, currency: 'USD' } },
      [1],
      null,
    ],
    [
      'a shipment change below the maximum goes to ops',
      { kind: 'shipment_change', value: { amount: 999, currency: 'USD' } },
      [2],
      'small changes',
    ],
    ['at the maximum it does not', { kind: 'shipment_change', value: { amount: 1_000, currency: 'USD' } }, [1], null],
    ['a value range never matches a request without a value', { kind: 'document_correction' }, [1], null],
  ])('%s', (_n, o, assignees, rule) => {
    const r = routeApproval(req(o), rules, [1]);
    expect(r.assignees).toEqual(assignees);
    expect(r.rule).toBe(rule);
  });
});

describe('decideApprovalIntake', () => {
  const config = { listId: 'L', rules, defaultAssignees: [1], dueHours: 48 };
  it('a new request asks for one task with its fields, approver and due date', () => {
    const d = decideApprovalIntake({
      request: req({ value: { amount: 20_000, currency: 'USD' }, documents: ['quote.pdf'] }),
      existing: null,
      config,
      now: 1000,
    });
    expect(d.jobs).toHaveLength(1);
    const p = d.jobs[0]!.payload as any;
    expect(d.jobs[0]!.key).toBe('approval.create_task:REQ-1');
    expect(p.task.assignees).toEqual([5]);
    expect(p.task.dueAt).toBe(1000 + 48 * 3_600_000);
    expect(p.task.fields).toMatchObject({
      partner: 'Acme Retail',
      request_id: 'REQ-1',
      request_type: 'pricing exception',
      value: 20_000,
    });
    expect(p.task.markdown).toContain('quote.pdf');
  });
  it.each<[string, ApprovalRecord | null, Partial<RequestFacts>, string[], string]>([
    ['a repeated event for a known request asks for nothing', rec(), {}, [], 'open'],
    ['a known open request now withdrawn is closed', rec(), { withdrawn: true }, ['approval.close_task'], 'withdrawn'],
    ['a request already withdrawn when first seen gets no task', null, { withdrawn: true }, [], 'withdrawn'],
  ])('%s', (_n, existing, o, kinds, state) => {
    const d = decideApprovalIntake({ request: req(o), existing, config, now: 1 });
    expect(d.jobs.map((j) => j.kind)).toEqual(kinds);
    expect(d.record.state).toBe(state);
  });
});

describe('decideApprovalChange', () => {
  const approved = { revision: 0, outcome: 'approved' as const, by: 'Dora', at: 1 };
  it.each<[string, ApprovalRecord, 'approved' | 'rejected' | null, string | null]>([
    ['the first decision is posted as revision 0', rec(), 'approved', 'approval.post_decision:REQ-1:0'],
    [
      'the same decision again (a repeat or our echo) posts nothing',
      rec({ state: 'decided', posted: [approved] }),
      'approved',
      null,
    ],
    [
      'a changed decision is posted as revision 1',
      rec({ state: 'decided', posted: [approved] }),
      'rejected',
      'approval.post_decision:REQ-1:1',
    ],
    [
      'changed back, it is revision 2',
      rec({ state: 'decided', posted: [approved, { ...approved, revision: 1, outcome: 'rejected' }] }),
      'approved',
      'approval.post_decision:REQ-1:2',
    ],
    ['back to pending after a decision posts nothing', rec({ state: 'decided', posted: [approved] }), null, null],
    ['a withdrawn request is never decided', rec({ state: 'withdrawn' }), 'approved', null],
  ])('%s', (_n, record, observed, key) => {
    const d = decideApprovalChange({ record, observed, by: 'Dora', now: 5 });
    expect(d?.jobs[0]?.key ?? null).toBe(key);
    if (d) expect((d.jobs[0]!.payload as any).previous).toBe(record.posted.at(-1)?.outcome ?? null);
  });
});

describe('observeOutcome and approverComments', () => {
  it.each([
    ['approved', 'approved'],
    ['Approved ', 'approved'],
    ['rejected', 'rejected'],
    ['pending', null],
    [null, null],
    ['', null],
  ] as const)('%j reads as %j', (v, out) =>
    expect(observeOutcome(v, { approved: 'approved', rejected: 'rejected' })).toBe(out),
  );
  it("only comments the rule marks go with the decision; internal ones and the bridge's own notes never", () => {
    const rules = {
      approvals: {
        comments: { share: 'prefix' as const, prefixes: ['@partner'] },
        files: { ways: [], name_prefix: null, checkbox_field: 'Share with partner' },
        fields: [],
      },
    };
    const all = [
      { id: '1', text: '@partner Fine for Q3 only.', by: 'Dora' },
      { id: '2', text: 'Margin is thin, do not tell them', by: 'Eve' },
      { id: '3', text: 'gridbridge: decision posted', by: 'Bot' },
      { id: '4', text: ' ', by: null },
    ];
    expect(approverComments(all, rules)).toEqual({
      text: 'Dora: Fine for Q3 only.',
      ids: ['1'],
      rule: 'sharing.approvals.comments: starts with "@partner"',
    });
    // A flow with no rule shares nothing, not even a marked comment.
    expect(approverComments(all, {}).text).toBe('');
  });
});

describe('files on an approval task when the decision goes out', () => {
  const files = [
    { id: 'a1', name: 'internal-cost-model.pdf' },
    { id: 'a2', name: 'partner-price-letter.pdf' },
    { id: 'a3', name: 'pricing exception - quote.pdf' },
  ];
  const partnerOwn = new Set(['pricing exception - quote.pdf']);
  const withFiles = (ways: Array<'all' | 'name_prefix' | 'checkbox'>) => ({
    approvals: {
      comments: { share: 'prefix' as const, prefixes: ['@partner'] },
      files: { ways, name_prefix: 'partner-', checkbox_field: 'Share with partner' },
      fields: [],
    },
  });
  it.each([
    ['no rule (the default): none goes', {}, null, [], ['a1', 'a2']],
    ['name prefix: only the marked one', withFiles(['name_prefix']), null, ['a2'], ['a1']],
    ['checkbox ticked: all the person attached', withFiles(['checkbox']), true, ['a1', 'a2'], []],
    ['checkbox not ticked: none', withFiles(['checkbox']), false, [], ['a1', 'a2']],
    ["all: every file a person attached, never the partner's own back", withFiles(['all']), null, ['a1', 'a2'], []],
  ] as const)('%s', (_name, rules, checkbox, shared, kept) => {
    const d = decideApprovalFiles(rules, files, { checkbox, partnerOwn });
    expect(d.shared.map((f) => f.id)).toEqual(shared);
    expect(d.kept.map((f) => f.id)).toEqual(kept);
  });
});

describe('request facts', () => {
  const seen = (o: Partial<RequestSeen> & Record<string, unknown> = {}): RequestSeen => ({
    id: 'REQ-1',
    partner_id: 'P-ACME',
    kind: 'pricing_exception',
    summary: 'Hold Q3 price',
    status: 'pending',
    ...o,
  });

  it.each<[string, RequestSeen, boolean]>([
    ['pending: not withdrawn', seen(), false],
    ['rejected by us: not withdrawn', seen({ status: 'rejected', decision: { decided_by: 'ops@x' } }), false],
    ['rejected by the partner: withdrawn', seen({ status: 'rejected', decision: { decided_by: 'partner' } }), true],
    ['a withdrawn_at, even while pending: withdrawn', seen({ withdrawn_at: '2026-01-01T00:00:00Z' }), true],
  ])('%s', (_n, r, out) => expect(isWithdrawn(r)).toBe(out));

  it.each<[string, unknown, { amount: number; currency: string } | null]>([
    ['a bare number is US dollars', 1200, { amount: 1200, currency: 'USD' }],
    ['an amount with its currency', { amount: 5, currency: 'EUR' }, { amount: 5, currency: 'EUR' }],
    ['an amount without a currency is US dollars', { amount: 5 }, { amount: 5, currency: 'USD' }],
    ['no amount is no value', { currency: 'EUR' }, null],
    ['null is no value', null, null],
  ])('%s', (_n, v, out) => expect(requestValue(v)).toEqual(out));

  it.each<[string, { name: string; tier: 'strategic' } | null, string | undefined, Partial<RequestFacts>]>([
    [
      "the config's name wins over the partner's",
      { name: 'ACME Inc', tier: 'strategic' },
      'Acme Retail',
      { partnerName: 'Acme Retail', partnerTier: 'strategic' },
    ],
    [
      "the partner's name when the config has none",
      { name: 'ACME Inc', tier: 'strategic' },
      undefined,
      { partnerName: 'ACME Inc', partnerTier: 'strategic' },
    ],
    [
      'a partner that could not be read: its id and no tier',
      null,
      undefined,
      { partnerName: 'P-ACME', partnerTier: null },
    ],
  ])('%s', (_n, partner, mapped, want) =>
    expect(requestFactsOf(seen({ details: null }), partner, mapped)).toEqual({
      ...req({ details: '', partnerTier: null }),
      ...want,
    }),
  );
});
