import { describe, expect, it } from 'vitest';
import { ackFigures, decideAck, decideReminders, decideStepChange, gateStatus, parseAudience, type RolloutRecord } from './rollout.ts';

const g = { thresholdPct: 75, planKeys: ['training', 'docs', 'go_live'], gateStep: 'go_live' };
const rec = (o: Partial<RolloutRecord> = {}): RolloutRecord => ({
  rolloutId: 'R', taskId: 't', title: 'T', body: '', audience: { all: true }, noticeId: 'N', recipients: ['A', 'B', 'C', 'D'], partnerNames: {},
  acks: {}, reminders: {}, stepsDone: [], gateOpen: false, ...o,
});

describe('parseAudience', () => {
  it.each([
    ['', { all: true }], ['all', { all: true }], ['tier:strategic, preferred', { tiers: ['strategic', 'preferred'] }], ['P-1, P-2', { partner_ids: ['P-1', 'P-2'] }],
  ])('%j → %j', (t, a) => expect(parseAudience(t)).toEqual(a));
});

describe('gate and acknowledgements', () => {
  it.each<[string, Partial<RolloutRecord>, boolean]>([
    ['nothing done: blocked', {}, false],
    ['threshold met but internal tasks open: blocked', { acks: { A: 'x', B: 'x', C: 'x' } }, false],
    ['internal tasks done but 2/4 acknowledged: blocked', { acks: { A: 'x', B: 'x' }, stepsDone: ['training', 'docs'] }, false],
    ['3/4 (75%) and tasks done: open', { acks: { A: 'x', B: 'x', C: 'x' }, stepsDone: ['training', 'docs'] }, true],
  ])('%s', (_n, o, open) => expect(gateStatus(rec(o), g).open).toBe(open));

  it.each<[string, Partial<RolloutRecord>, string, string[] | null]>([
    ['a first acknowledgement updates the task', {}, 'A', ['rollout.sync_acks:R:1']],
    ['the same partner again is nothing', { acks: { A: 'x' } }, 'A', null],
    ['a partner outside the audience is nothing', {}, 'Z', null],
    ['the acknowledgement that reaches the threshold opens the gate when tasks are done', { acks: { A: 'x', B: 'x' }, stepsDone: ['training', 'docs'] }, 'C', ['rollout.sync_acks:R:3', 'rollout.open_gate:R']],
  ])('%s', (_n, o, p, keys) => {
    const d = decideAck(rec(o), p, 'now', g);
    expect(d ? d.jobs.map((j) => j.key) : null).toEqual(keys);
  });

  it.each<[string, Partial<RolloutRecord>, string, string[] | null]>([
    ['a finished training step is recorded', {}, 'training', []],
    ['go-live closed while blocked is put back', {}, 'go_live', ['rollout.reblock:R:5']],
    ['the last internal step opens the gate when acknowledged enough', { acks: { A: 'x', B: 'x', C: 'x' }, stepsDone: ['training'] }, 'docs', ['rollout.open_gate:R']],
    ['a step done before is nothing', { stepsDone: ['training'] }, 'training', null],
  ])('%s', (_n, o, step, keys) => {
    const d = decideStepChange(rec(o), step, true, g, 5);
    expect(d ? d.jobs.map((j) => j.key) : null).toEqual(keys);
  });

  it('figures count only recipients', () => expect(ackFigures(rec({ acks: { A: 'x', Z: 'x' } }))).toEqual({ count: 1, total: 4, pct: 25 }));
});

describe('decideReminders', () => {
  const H = 3_600_000;
  it.each<[string, Partial<RolloutRecord>, number, string[]]>([
    ['everyone not acknowledged is reminded the first time', { acks: { A: 'x' } }, 0, ['B', 'C', 'D']],
    ['not again within the minimum interval', { acks: { A: 'x', B: 'x', C: 'x' }, reminders: { D: { count: 1, lastAt: 0 } } }, 10 * H, []],
    ['again after it', { acks: { A: 'x', B: 'x', C: 'x' }, reminders: { D: { count: 1, lastAt: 0 } } }, 20 * H, ['D']],
    ['never past the maximum', { acks: { A: 'x', B: 'x', C: 'x' }, reminders: { D: { count: 3, lastAt: 0 } } }, 100 * H, []],
    ['nothing before the notice is published', { noticeId: null }, 0, []],
  ])('%s', (_n, o, now, out) => expect(decideReminders(rec(o), now, { minHours: 20, max: 3 })).toEqual(out));
});
