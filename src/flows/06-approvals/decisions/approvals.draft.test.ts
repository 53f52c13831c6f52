import { describe, expect, it } from 'vitest';
import {
  decideApprovalIntake,
  decideWithdrawal,
  routeApproval,
  type ApprovalRecord,
  type RequestFacts,
} from './approvals.ts';

// The approval task checked whole, and the routing rule's defaults and bounds: the first mutation run of flow 6's
// decisions found the task text and these edges unchecked.

const req = (o: Partial<RequestFacts> = {}): RequestFacts => ({
  id: 'REQ-1',
  partnerId: 'P-ACME',
  partnerName: 'Acme Retail',
  partnerTier: 'preferred',
  kind: 'pricing_exception',
  summary: 'Hold Q3 price',
  details: '  Please hold the price.  ',
  value: { amount: 1234.5, currency: 'USD' },
  documents: ['quote.pdf', 'terms.pdf'],
  status: 'pending',
  withdrawn: false,
  ...o,
});
const DECIDE =
  'Decide by moving the task to approved or rejected (or the Decision field). The decision goes to the partner; a comment goes with it only when it is marked for the partner (sharing.approvals.comments, e.g. starting with "@partner"); all other comments stay internal.';

describe('the approval task', () => {
  it('every line, when the request has them all', () => {
    const d = decideApprovalIntake({
      request: req(),
      existing: null,
      config: { listId: 'L', rules: [{ assignees: [], label: 'all' }], defaultAssignees: [9], dueHours: 2 },
      now: 1_000,
    });
    expect(d).toStrictEqual({
      record: {
        requestId: 'REQ-1',
        partnerId: 'P-ACME',
        partnerName: 'Acme Retail',
        kind: 'pricing_exception',
        state: 'open',
        posted: [],
        rule: 'all',
      },
      jobs: [
        {
          kind: 'approval.create_task',
          key: 'approval.create_task:REQ-1',
          queueKey: 'request:REQ-1',
          payload: {
            requestId: 'REQ-1',
            listId: 'L',
            task: {
              name: '[Acme Retail] Approve pricing exception: Hold Q3 price',
              markdown: [
                'Please hold the price.',
                '',
                '| | |',
                '|---|---|',
                '| Partner | Acme Retail (P-ACME), preferred |',
                '| Request | pricing exception |',
                '| Value | 1234.50 USD |',
                '| Trading Grid request | REQ-1 |',
                '| Documents | quote.pdf, terms.pdf |',
                '| Routed by | all |',
                '',
                DECIDE,
              ].join('\n'),
              // A rule with no assignees of its own takes the defaults.
              assignees: [9],
              priority: 3,
              dueAt: 1_000 + 2 * 3_600_000,
              fields: { partner: 'Acme Retail', request_id: 'REQ-1', request_type: 'pricing exception', value: 1234.5 },
            },
          },
        },
      ],
    });
  });

  it('only the lines it has', () => {
    const d = decideApprovalIntake({
      request: req({ details: ' ', partnerTier: null, value: null, documents: [] }),
      existing: null,
      config: { listId: 'L', rules: [], defaultAssignees: [9], dueHours: 2 },
      now: 0,
    });
    const task = (d.jobs[0]!.payload as { task: { markdown: string; fields: Record<string, unknown> } }).task;
    expect(task.markdown).toBe(
      [
        '_No details given by the partner._',
        '',
        '| | |',
        '|---|---|',
        '| Partner | Acme Retail (P-ACME) |',
        '| Request | pricing exception |',
        '| Trading Grid request | REQ-1 |',
        '',
        DECIDE,
      ].join('\n'),
    );
    expect(task.fields.value).toBeNull();
  });

  it('a request already withdrawn when first seen is recorded withdrawn, with no task', () =>
    expect(
      decideApprovalIntake({
        request: req({ withdrawn: true }),
        existing: null,
        config: { listId: 'L', rules: [], defaultAssignees: [9], dueHours: 2 },
        now: 0,
      }),
    ).toStrictEqual({
      record: {
        requestId: 'REQ-1',
        partnerId: 'P-ACME',
        partnerName: 'Acme Retail',
        kind: 'pricing_exception',
        state: 'withdrawn',
        posted: [],
        rule: null,
      },
      jobs: [],
    }));
});

describe('decideWithdrawal', () => {
  const rec: ApprovalRecord = {
    requestId: 'REQ-1',
    partnerId: 'P',
    partnerName: 'A',
    kind: 'pricing_exception',
    state: 'open',
    posted: [],
    rule: null,
  };
  it('closes the task once', () => {
    expect(decideWithdrawal(rec)).toStrictEqual({
      record: { ...rec, state: 'withdrawn' },
      jobs: [
        {
          kind: 'approval.close_task',
          key: 'approval.close_task:REQ-1',
          queueKey: 'request:REQ-1',
          payload: { requestId: 'REQ-1' },
        },
      ],
    });
    expect(decideWithdrawal({ ...rec, state: 'withdrawn' })).toStrictEqual({
      record: { ...rec, state: 'withdrawn' },
      jobs: [],
    });
  });
});

describe('routeApproval defaults and bounds', () => {
  it.each<[string, Parameters<typeof routeApproval>[1], Partial<RequestFacts>, unknown]>([
    [
      'an unnamed rule is named by its place',
      [{ kinds: ['shipment_change'], assignees: [1] }, { assignees: [2] }],
      {},
      { assignees: [2], priority: 3, rule: 'rule 2' },
    ],
    [
      'a tier rule skips a partner without tier',
      [{ tiers: ['preferred'], assignees: [1] }],
      { partnerTier: null },
      { assignees: [7], priority: 3, rule: null },
    ],
    [
      'a minimum skips a request without value',
      [{ minValue: 0, assignees: [1] }],
      { value: null },
      { assignees: [7], priority: 3, rule: null },
    ],
    [
      'a minimum skips a smaller value',
      [{ minValue: 2_000, assignees: [1] }],
      {},
      { assignees: [7], priority: 3, rule: null },
    ],
    [
      'a maximum skips a request without value',
      [{ maxValue: 10, assignees: [1] }],
      { value: null },
      { assignees: [7], priority: 3, rule: null },
    ],
    ['a maximum is exclusive', [{ maxValue: 1234.5, assignees: [1] }], {}, { assignees: [7], priority: 3, rule: null }],
    [
      'a rule with its own priority',
      [{ assignees: [1], priority: 1 }],
      {},
      { assignees: [1], priority: 1, rule: 'rule 1' },
    ],
  ])('%s', (_n, rules, o, want) => expect(routeApproval(req(o), rules, [7])).toStrictEqual(want));
});
