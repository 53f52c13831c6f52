import { describe, expect, it } from 'vitest';
import type { SharingRules } from '../../../core/sharing/rules.ts';
import {
  approverComments,
  decideApprovalChange,
  decideApprovalIntake,
  isWithdrawn,
  observeOutcome,
  routeApproval,
  type ApprovalRecord,
  type ApprovalRule,
  type RequestFacts,
  type RequestSeen,
} from './approvals.ts';

// The survivors of flow 6's second mutation run, one row each: the withdrawn test, a repeated request on a record
// that is open or decided, the posted decision whole, the decision names as configured, the bridge's own comments.

const seen = (o: Partial<RequestSeen> & { withdrawn_at?: string } = {}): RequestSeen => ({
  id: 'REQ-1',
  partner_id: 'P',
  kind: 'pricing_exception',
  summary: 's',
  status: 'pending',
  ...o,
});
const req = (o: Partial<RequestFacts> = {}): RequestFacts => ({
  id: 'REQ-1',
  partnerId: 'P',
  partnerName: 'Acme',
  partnerTier: 'preferred',
  kind: 'pricing_exception',
  summary: 's',
  details: '',
  value: null,
  documents: [],
  status: 'pending',
  withdrawn: false,
  ...o,
});
const rec = (o: Partial<ApprovalRecord> = {}): ApprovalRecord => ({
  requestId: 'REQ-1',
  partnerId: 'P',
  partnerName: 'Acme',
  kind: 'pricing_exception',
  state: 'open',
  posted: [],
  rule: null,
  ...o,
});

describe('isWithdrawn', () => {
  it.each<[string, Partial<RequestSeen> & { withdrawn_at?: string }, boolean]>([
    ['pending, no decision', {}, false],
    ['pending with a partner decision', { decision: { decided_by: 'partner' } }, false],
    ['rejected by an approver', { status: 'rejected', decision: { decided_by: 'approver' } }, false],
    ['rejected, no decision record', { status: 'rejected', decision: null }, false],
    ['rejected, decision without a decider', { status: 'rejected', decision: {} }, false],
    ['rejected by the partner', { status: 'rejected', decision: { decided_by: 'partner' } }, true],
    ['approved by the partner', { status: 'approved', decision: { decided_by: 'partner' } }, true],
    ['withdrawn_at set', { withdrawn_at: '2026-01-01T00:00:00Z' }, true],
  ])('%s: %s', (_n, o, want) => {
    expect(isWithdrawn(seen(o))).toBe(want);
  });
});

describe('a request seen again', () => {
  const config = { listId: 'L', rules: [], defaultAssignees: [1], dueHours: 1 };
  it.each<[string, Partial<RequestFacts>, ApprovalRecord['state'], number]>([
    ['open, not withdrawn: nothing', {}, 'open', 0],
    ['open, withdrawn: the task is closed', { withdrawn: true }, 'open', 1],
    ['decided, withdrawn afterwards: nothing (the decision went)', { withdrawn: true }, 'decided', 0],
    ['withdrawn already: nothing', { withdrawn: true }, 'withdrawn', 0],
  ])('%s', (_n, o, state, jobs) => {
    const existing = rec({ state });
    const d = decideApprovalIntake({ request: req(o), existing, config, now: 0 });
    expect(d.jobs).toHaveLength(jobs);
    if (jobs === 0) expect(d.record).toBe(existing);
    else expect(d.record.state).toBe('withdrawn');
  });
});

describe('decideApprovalChange: the posted decision whole', () => {
  it('a first decision, then a revision naming the previous one', () => {
    const first = decideApprovalChange({ record: rec(), observed: 'approved', by: 'ana', now: 5 });
    expect(first).toStrictEqual({
      record: rec({ state: 'decided', posted: [{ revision: 0, outcome: 'approved', by: 'ana', at: 5 }] }),
      jobs: [
        {
          kind: 'approval.post_decision',
          key: 'approval.post_decision:REQ-1:0',
          queueKey: 'request:REQ-1',
          payload: { requestId: 'REQ-1', partnerId: 'P', revision: 0, outcome: 'approved', previous: null, by: 'ana' },
        },
      ],
    });
    const second = decideApprovalChange({ record: first!.record, observed: 'rejected', by: null, now: 9 });
    expect(second).toStrictEqual({
      record: rec({
        state: 'decided',
        posted: [
          { revision: 0, outcome: 'approved', by: 'ana', at: 5 },
          { revision: 1, outcome: 'rejected', by: null, at: 9 },
        ],
      }),
      jobs: [
        {
          kind: 'approval.post_decision',
          key: 'approval.post_decision:REQ-1:1',
          queueKey: 'request:REQ-1',
          payload: {
            requestId: 'REQ-1',
            partnerId: 'P',
            revision: 1,
            outcome: 'rejected',
            previous: 'approved',
            by: null,
          },
        },
      ],
    });
  });
});

describe('observeOutcome: names as configured', () => {
  const names = { approved: ' Approved ', rejected: 'REJECTED' };
  it.each<[string | null | undefined, { approved: string; rejected: string }, string | null]>([
    ['approved', names, 'approved'],
    ['  APPROVED', names, 'approved'],
    ['rejected ', names, 'rejected'],
    ['in review', names, null],
    ['rejected', { approved: 'ok', rejected: ' Rejected ' }, 'rejected'],
    [null, names, null],
    [undefined, names, null],
    ['', names, null],
    // A blank configured name never matches a missing value.
    ['', { approved: ' ', rejected: '' }, null],
    [null, { approved: 'Stryker was here!', rejected: 'x' }, null],
  ])('%j → %s', (value, n, want) => {
    expect(observeOutcome(value, n)).toBe(want);
  });
});

describe("approverComments: the bridge's own comments and the text sent", () => {
  const all: SharingRules = {
    approvals: {
      comments: { share: 'all', prefixes: [] },
      files: { ways: [], name_prefix: null, checkbox_field: 'x' },
      fields: [],
    },
  };
  it('skips comments the bridge wrote, joins the rest by line, keeps only real ids', () => {
    expect(
      approverComments(
        [
          { id: 'c1', text: '  gridbridge: decision posted', by: null },
          { id: 'c2', text: 'Fine by us. gridbridge:', by: 'ana' },
          { text: 'second line', by: null },
          { id: '', text: 'third', by: 'bo' },
        ],
        all,
      ),
    ).toStrictEqual({
      text: 'ana: Fine by us. gridbridge:\nsecond line\nbo: third',
      ids: ['c2'],
      rule: 'sharing.approvals.comments: all comments',
    });
  });
});

describe('routeApproval: a rule without bounds takes a request without value', () => {
  it.each<[string, ApprovalRule[], null, string | null]>([
    ['no bounds, no value', [{ assignees: [7], label: 'any' }], null, 'any'],
    ['a lower bound, no value: skipped', [{ assignees: [7], minValue: 10, label: 'min' }], null, null],
    ['an upper bound, no value: skipped', [{ assignees: [7], maxValue: 10, label: 'max' }], null, null],
  ])('%s', (_n, rules, value, rule) => {
    expect(routeApproval({ kind: 'pricing_exception', value, partnerTier: 'preferred' }, rules, [1]).rule).toBe(rule);
  });
});
