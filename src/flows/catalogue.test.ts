import { describe, expect, it } from 'vitest';
import { jobSchemas, newJob, type Job, type JobKind } from './catalogue.ts';
import type { SlaJob } from './05-escalation/decisions/slaSweep.ts';

const task = {
  name: 'Dispute',
  markdown: 'x',
  priority: 3,
  dueAt: null,
  tags: ['dispute'],
  fields: { tg_case_id: 'C-1', value: 12.5, partner: null },
};

// Payloads as they are stored today, by the places that queue each kind (and older rows that carry the intent's `kind`).
const stored: Array<[JobKind, unknown]> = [
  ['clickup.create_task', { kind: 'clickup.create_task', caseId: 'C-1', listId: 'L-1', task }],
  ['clickup.create_task', { kind: 'clickup.create_task', caseId: 'C-1', listId: 'L-1', task, replaces: 'T-9' }],
  ['case.reintake', { caseId: 'C-1', source: 'community' }],
  ['tradinggrid.set_status', { caseId: 'C-1', status: 'received', at: 1, sharedBy: 'sync.status_on_task_created' }],
  ['tradinggrid.set_status', { caseId: 'C-1', status: 'escalated', at: 1, note: 'past due' }],
  ['clickup.set_status', { caseId: 'C-1', status: 'resolved', clickUpStatus: 'done', at: 1 }],
  ['tradinggrid.add_comment', { caseId: 'C-1', body: 'hi', author: 'ana', clickUpCommentId: '9', sharedBy: 'rule' }],
  ['clickup.add_comment', { caseId: 'C-1', commentId: 'cm-1' }],
  ['clickup.upload_document', { kind: 'clickup.upload_document', caseId: 'C-1', documentId: 'D-1' }],
  [
    'tradinggrid.upload_document',
    { caseId: 'C-1', attachmentId: 'a1', url: 'https://x/a1', title: 'f.pdf', contentType: null },
  ],
  ['metrics.push', { slot: 1 }],
  ['metrics.push', { slot: 0, period: '2026-11' }],
  [
    'metrics.push_partner',
    {
      partnerId: 'P-1',
      scorecard: { period: '2026-11', avg_resolution_hours: 0, open_cases: 1, overdue_tasks: 0, sla_met_pct: 100 },
    },
  ],
];

const plan = {
  entity: 'rollout',
  groupId: 'R-1',
  listId: 'L-1',
  keyField: 'gb key',
  fieldNames: {},
  parent: { existingTaskId: 'T-1', name: 'R', markdown: '', assignees: [], dueAt: null, tags: [], fields: {} },
  steps: [],
  onBuilt: { kind: 'rollout.sync_acks', payload: { rolloutId: 'R-1' } },
};
stored.push(['group.build', { plan, index: 0 }], ['group.finish', { plan }]);

const refused: Array<[JobKind, unknown, RegExp]> = [
  [
    'group.finish',
    { plan: { ...plan, onBuilt: { kind: 'rollout.publish', payload: { rolloutId: 'R-1' } } } },
    /onBuilt/,
  ],
  ['clickup.create_task', { caseId: 'C-1' }, /listId/],
  ['tradinggrid.set_status', { caseId: 'C-1', status: 'lost', at: 1 }, /status/],
  ['clickup.add_comment', { caseId: 'C-1', commentId: 7 }, /commentId/],
  ['metrics.push', {}, /slot/],
];

describe('the job catalogue', () => {
  it.each(stored)('a stored %s payload parses', (kind, payload) => {
    expect(jobSchemas[kind].safeParse(payload).success).toBe(true);
  });

  it.each(refused)('a %s payload missing or mistyping a field does not parse', (kind, payload, path) => {
    const r = jobSchemas[kind].safeParse(payload);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).join(' ')).toMatch(path);
  });

  it('newJob checks the payload against its kind at compile time', () => {
    // @ts-expect-error: a reintake needs the case's source
    const bad = newJob('case.reintake', { caseId: 'C-1' }, { key: 'k' });
    expect(bad.kind).toBe('case.reintake');
  });

  // Type tests: each `@ts-expect-error` fails tsc (and so `npm test`) when the line under it compiles.
  it('a job literal is checked against its kind: a wrong, missing or extra payload field does not compile', () => {
    const jobs: Job[] = [
      { kind: 'approval.close_task', key: 'k1', payload: { requestId: 'R-1' } },
      // @ts-expect-error: requestId is a string
      { kind: 'approval.close_task', key: 'k2', payload: { requestId: 7 } },
      // @ts-expect-error: a status the partner side does not have
      { kind: 'tradinggrid.set_status', key: 'k3', payload: { caseId: 'C-1', status: 'lost', at: 1 } },
      // @ts-expect-error: a field the payload does not have
      { kind: 'rollout.publish', key: 'k4', payload: { rolloutId: 'X', audience: 'all' } },
      // @ts-expect-error: a kind the catalogue does not have
      { kind: 'rollout.unpublish', key: 'k5', payload: { rolloutId: 'X' } },
    ];
    expect(jobs).toHaveLength(5);
  });

  it("a decision's jobs are checked too: one kind's payload under another kind does not compile", () => {
    const remind: SlaJob = {
      kind: 'sla.remind',
      key: 'sla.remind:C-1:50',
      queueKey: 'case:C-1',
      payload: { caseId: 'C-1', threshold: 50, covers: [50], share: 0.5, dueAt: 1 },
    };
    const due = { caseId: 'C-1', dueAt: 1 };
    // @ts-expect-error: a due date's payload under the remind kind
    const mixed: SlaJob = { kind: 'sla.remind', key: 'sla.remind:C-1:75', payload: due };
    // @ts-expect-error: flow 5 does not queue approvals
    const foreign: SlaJob = { kind: 'approval.close_task', key: 'k', payload: { requestId: 'R-1' } };
    expect([remind, mixed, foreign]).toHaveLength(3);
  });
});
