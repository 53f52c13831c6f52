import { describe, expect, it } from 'vitest';
import {
  ackFigures,
  buildRolloutPlan,
  decideAck,
  decideRecipients,
  decideReminders,
  decideStepChange,
  gateStatus,
  parseAudience,
  recordReminders,
  type Audience,
  type RolloutRecord,
} from './rollout.ts';

const g = { thresholdPct: 75, planKeys: ['training', 'docs', 'go_live'], gateStep: 'go_live' };
const rec = (o: Partial<RolloutRecord> = {}): RolloutRecord => ({
  rolloutId: 'R',
  taskId: 't',
  title: 'T',
  body: '',
  audience: { all: true },
  noticeId: 'N',
  recipients: ['A', 'B', 'C', 'D'],
  partnerNames: {},
  acks: {},
  reminders: {},
  stepsDone: [],
  gateOpen: false,
  ...o,
});

describe('parseAudience', () => {
  it.each([
    ['', { all: true }],
    ['all', { all: true }],
    ['tier:strategic, preferred', { tiers: ['strategic', 'preferred'] }],
    ['P-1, P-2', { partner_ids: ['P-1', 'P-2'] }],
  ])('%j → %j', (t, a) => expect(parseAudience(t)).toEqual(a));
});

describe('gate and acknowledgements', () => {
  it.each<[string, Partial<RolloutRecord>, boolean]>([
    ['nothing done: blocked', {}, false],
    ['threshold met but internal tasks open: blocked', { acks: { A: 'x', B: 'x', C: 'x' } }, false],
    [
      'internal tasks done but 2/4 acknowledged: blocked',
      { acks: { A: 'x', B: 'x' }, stepsDone: ['training', 'docs'] },
      false,
    ],
    ['3/4 (75%) and tasks done: open', { acks: { A: 'x', B: 'x', C: 'x' }, stepsDone: ['training', 'docs'] }, true],
  ])('%s', (_n, o, open) => expect(gateStatus(rec(o), g).open).toBe(open));

  it.each<[string, Partial<RolloutRecord>, string, string[] | null]>([
    ['a first acknowledgement updates the task', {}, 'A', ['rollout.sync_acks:R:1']],
    ['the same partner again is nothing', { acks: { A: 'x' } }, 'A', null],
    ['a partner outside the audience is nothing', {}, 'Z', null],
    [
      'the acknowledgement that reaches the threshold opens the gate when tasks are done',
      { acks: { A: 'x', B: 'x' }, stepsDone: ['training', 'docs'] },
      'C',
      ['rollout.sync_acks:R:3', 'rollout.open_gate:R'],
    ],
  ])('%s', (_n, o, p, keys) => {
    const d = decideAck(rec(o), p, 'now', g);
    expect(d ? d.jobs.map((j) => j.key) : null).toEqual(keys);
  });

  it.each<[string, Partial<RolloutRecord>, string, string[] | null]>([
    ['a finished training step is recorded', {}, 'training', []],
    ['go-live closed while blocked is put back', {}, 'go_live', ['rollout.reblock:R:5']],
    [
      'the last internal step opens the gate when acknowledged enough',
      { acks: { A: 'x', B: 'x', C: 'x' }, stepsDone: ['training'] },
      'docs',
      ['rollout.open_gate:R'],
    ],
    ['a step done before is nothing', { stepsDone: ['training'] }, 'training', null],
  ])('%s', (_n, o, step, keys) => {
    const d = decideStepChange(rec(o), step, true, g, 5);
    expect(d ? d.jobs.map((j) => j.key) : null).toEqual(keys);
  });

  it('figures count only recipients', () =>
    expect(ackFigures(rec({ acks: { A: 'x', Z: 'x' } }))).toEqual({ count: 1, total: 4, pct: 25 }));
});

describe('decideReminders', () => {
  const H = 3_600_000;
  it.each<[string, Partial<RolloutRecord>, number, string[]]>([
    ['everyone not acknowledged is reminded the first time', { acks: { A: 'x' } }, 0, ['B', 'C', 'D']],
    [
      'not again within the minimum interval',
      { acks: { A: 'x', B: 'x', C: 'x' }, reminders: { D: { count: 1, lastAt: 0 } } },
      10 * H,
      [],
    ],
    ['again after it', { acks: { A: 'x', B: 'x', C: 'x' }, reminders: { D: { count: 1, lastAt: 0 } } }, 20 * H, ['D']],
    [
      'never past the maximum',
      { acks: { A: 'x', B: 'x', C: 'x' }, reminders: { D: { count: 3, lastAt: 0 } } },
      100 * H,
      [],
    ],
    ['nothing before the notice is published', { noticeId: null }, 0, []],
  ])('%s', (_n, o, now, out) => expect(decideReminders(rec(o), now, { minHours: 20, max: 3 })).toEqual(out));
});

describe('decideRecipients', () => {
  const directory = [
    { id: 'S1', tier: 'strategic' },
    { id: 'P1', tier: 'preferred' },
    { id: 'O1', tier: 'other' },
  ];
  const byMail = (ids: string[]) => (id: string) => ids.includes(id);
  it.each<[string, Audience, string[] | undefined, string[], { recipients: string[]; byMail: string[] }]>([
    [
      'the notice names its recipients: they are the recipients',
      { all: true },
      ['S1', 'P1'],
      [],
      { recipients: ['S1', 'P1'], byMail: [] },
    ],
    [
      'no recipients in the answer: all of the directory',
      { all: true },
      undefined,
      [],
      { recipients: ['S1', 'P1', 'O1'], byMail: [] },
    ],
    [
      'no recipients in the answer: the tiers named',
      { tiers: ['strategic', 'preferred'] },
      undefined,
      [],
      { recipients: ['S1', 'P1'], byMail: [] },
    ],
    [
      'no recipients in the answer: the partner ids named and in the directory',
      { partner_ids: ['O1', 'X9'] },
      undefined,
      [],
      { recipients: ['O1'], byMail: [] },
    ],
    [
      'a named partner reached only by e-mail is a recipient though the community API does not know it',
      { partner_ids: ['S1', 'M1'] },
      ['S1'],
      ['M1'],
      { recipients: ['S1', 'M1'], byMail: ['M1'] },
    ],
    [
      'a named partner the community API does not know and not reached by e-mail is not',
      { partner_ids: ['S1', 'X9'] },
      ['S1'],
      [],
      { recipients: ['S1'], byMail: [] },
    ],
    [
      'recipients on the e-mail channel are sent the notice by mail',
      { all: true },
      ['S1', 'P1'],
      ['P1'],
      { recipients: ['S1', 'P1'], byMail: ['P1'] },
    ],
    [
      'a tier audience does not add e-mail partners outside it',
      { tiers: ['strategic'] },
      undefined,
      ['M1'],
      { recipients: ['S1'], byMail: [] },
    ],
  ])('%s', (_n, audience, fromNotice, mail, out) =>
    expect(decideRecipients(audience, fromNotice, directory, byMail(mail))).toEqual(out),
  );
});

describe('buildRolloutPlan', () => {
  const D = 86_400_000;
  const c = {
    listId: 'L',
    keyField: 'Key',
    gateStep: 'go_live',
    thresholdPct: 80,
    steps: [
      { key: 'training', name: 'Training', assignees: [7], due_days: 2, checklist: ['book room'], depends_on: [] },
      {
        key: 'go_live',
        name: 'Go-live readiness',
        assignees: [],
        due_days: 10,
        checklist: [],
        depends_on: ['training'],
      },
    ],
  };
  const plan = buildRolloutPlan({ rolloutId: 'R', taskId: 't1', title: 'New labels' }, 'N-1', c, 1000);
  it('adopts the rollout task as the parent and builds in its list', () =>
    expect([
      plan.entity,
      plan.groupId,
      plan.listId,
      plan.keyField,
      plan.parent.existingTaskId,
      plan.parent.name,
    ]).toEqual(['rollout', 'R', 'L', 'Key', 't1', 'New labels']));
  it.each<[string, string, Partial<(typeof plan.steps)[number]>]>([
    [
      'a step is named after the rollout, due its days later, with its checklist and assignees',
      'training',
      {
        name: 'Training: New labels',
        dueAt: 1000 + 2 * D,
        checklist: ['book room'],
        assignees: [7],
        dependsOn: [],
        markdown: 'Training for "New labels".',
      },
    ],
    [
      'the gate step says what it waits for',
      'go_live',
      {
        name: 'Go-live readiness: New labels',
        dueAt: 1000 + 10 * D,
        dependsOn: ['training'],
        markdown: 'Stays blocked until 80% of partners acknowledged notice N-1 and the other tasks are done.',
      },
    ],
  ])('%s', (_n, key, want) => expect(plan.steps.find((s) => s.key === key)).toMatchObject(want));
  it('once built, the acknowledgement figures are synced', () =>
    expect(plan.onBuilt).toEqual({ kind: 'rollout.sync_acks', payload: { rolloutId: 'R' } }));
});

describe('recordReminders', () => {
  it.each<[string, RolloutRecord['reminders'], string[], RolloutRecord['reminders']]>([
    ['a first reminder counts one', {}, ['A'], { A: { count: 1, lastAt: 50 } }],
    [
      'a further reminder counts up and moves the time',
      { A: { count: 2, lastAt: 1 } },
      ['A'],
      { A: { count: 3, lastAt: 50 } },
    ],
    [
      'partners not reminded now keep theirs',
      { B: { count: 1, lastAt: 1 } },
      ['A'],
      { A: { count: 1, lastAt: 50 }, B: { count: 1, lastAt: 1 } },
    ],
  ])('%s', (_n, before, partners, after) => expect(recordReminders(before, partners, 50)).toEqual(after));
});
