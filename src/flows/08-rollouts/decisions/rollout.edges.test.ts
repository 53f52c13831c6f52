import { describe, expect, it } from 'vitest';
import {
  ackFigures,
  decideAck,
  decideRecipients,
  decideReminders,
  decideStepChange,
  gateStatus,
  parseAudience,
  type RolloutRecord,
} from './rollout.ts';

// The survivors of flow 8's first mutation run, one row each: the audience's fallbacks, the gate's figures with no
// recipients and its reasons word for word, the jobs whole (kinds, keys, queue, payloads), a reminder sent too
// recently, an audience without ids.

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
const H = 3_600_000;

describe('parseAudience: the fallback', () => {
  it.each<[string | null | undefined, string | undefined, object]>([
    [null, undefined, { all: true }],
    [undefined, undefined, { all: true }],
    ['   ', undefined, { all: true }],
    [null, 'tier:strategic', { tiers: ['strategic'] }],
    ['  ', 'P-1 P-2', { partner_ids: ['P-1', 'P-2'] }],
    ['ALL', 'tier:x', { all: true }],
    ['Tier: Strategic,,', undefined, { tiers: ['strategic'] }],
    ['P-1,P-2\nP-3', undefined, { partner_ids: ['P-1', 'P-2', 'P-3'] }],
  ])('%j (fallback %j) → %j', (text, fallback, want) => {
    expect(parseAudience(text, fallback)).toStrictEqual(want);
  });
});

describe('the gate in figures and words', () => {
  it.each([
    [[], {}, { count: 0, total: 0, pct: 100 }],
    [['A', 'B', 'C'], { A: 'x' }, { count: 1, total: 3, pct: 33.3 }],
    [['A', 'B', 'C'], { A: 'x', B: 'x', Z: 'x' }, { count: 2, total: 3, pct: 66.7 }],
  ])('ackFigures %j %j', (recipients, acks, want) => {
    expect(ackFigures({ recipients, acks })).toStrictEqual(want);
  });

  it('no recipients: the acknowledgements never block; the reasons word for word', () => {
    expect(gateStatus(rec({ recipients: [], stepsDone: ['training', 'docs'] }), g)).toStrictEqual({
      open: true,
      reasons: [],
    });
    expect(gateStatus(rec({ acks: { A: 'x' }, stepsDone: ['docs'] }), g)).toStrictEqual({
      open: false,
      reasons: ['1/4 partners acknowledged (25% < 75%)', 'internal tasks open: training'],
    });
    expect(gateStatus(rec({ acks: { A: 'x', B: 'x', C: 'x' } }), g)).toStrictEqual({
      open: false,
      reasons: ['internal tasks open: training, docs'],
    });
  });
});

describe('the jobs whole', () => {
  it('an acknowledgement that opens the gate: figures synced, then the gate opened', () => {
    const r = rec({ acks: { A: 'x', B: 'x' }, stepsDone: ['training', 'docs'] });
    expect(decideAck(r, 'C', '2026-01-01T00:00:00Z', g)).toStrictEqual({
      record: { ...r, acks: { A: 'x', B: 'x', C: '2026-01-01T00:00:00Z' }, gateOpen: true },
      jobs: [
        { kind: 'rollout.sync_acks', key: 'rollout.sync_acks:R:3', queueKey: 'rollout:R', payload: { rolloutId: 'R' } },
        { kind: 'rollout.open_gate', key: 'rollout.open_gate:R', queueKey: 'rollout:R', payload: { rolloutId: 'R' } },
      ],
    });
  });

  it('an acknowledgement with the gate open already: figures only', () => {
    const r = rec({ acks: { A: 'x', B: 'x', C: 'x' }, stepsDone: ['training', 'docs'], gateOpen: true });
    expect(decideAck(r, 'D', 'now', g)).toStrictEqual({
      record: { ...r, acks: { ...r.acks, D: 'now' } },
      jobs: [
        { kind: 'rollout.sync_acks', key: 'rollout.sync_acks:R:4', queueKey: 'rollout:R', payload: { rolloutId: 'R' } },
      ],
    });
  });

  it('the gate step finished too early is put back with the reasons; a last step opens the gate', () => {
    const r = rec({ acks: { A: 'x' } });
    expect(decideStepChange(r, 'go_live', true, g, 77)).toStrictEqual({
      record: r,
      jobs: [
        {
          kind: 'rollout.reblock',
          key: 'rollout.reblock:R:77',
          queueKey: 'rollout:R',
          payload: {
            rolloutId: 'R',
            reasons: ['1/4 partners acknowledged (25% < 75%)', 'internal tasks open: training, docs'],
          },
        },
      ],
    });
    const ready = rec({ acks: { A: 'x', B: 'x', C: 'x' }, stepsDone: ['training'] });
    expect(decideStepChange(ready, 'docs', true, g, 78)).toStrictEqual({
      record: { ...ready, stepsDone: ['training', 'docs'], gateOpen: true },
      jobs: [
        { kind: 'rollout.open_gate', key: 'rollout.open_gate:R', queueKey: 'rollout:R', payload: { rolloutId: 'R' } },
      ],
    });
  });
});

describe('reminders and recipients', () => {
  const o = { minHours: 24, max: 3 };
  const now = 100 * H;
  it.each<[string, RolloutRecord['reminders'][string] | undefined, boolean]>([
    ['never reminded', undefined, true],
    ['reminded an hour ago', { count: 1, lastAt: now - H }, false],
    ['reminded exactly minHours ago', { count: 1, lastAt: now - 24 * H }, true],
    ['reminded a ms short of minHours', { count: 1, lastAt: now - 24 * H + 1 }, false],
    ['reminded max times', { count: 3, lastAt: 0 }, false],
  ])('%s: reminded now %s', (_n, rem, want) => {
    const r = rec({ recipients: ['A'], reminders: rem ? { A: rem } : {} });
    expect(decideReminders(r, now, o)).toStrictEqual(want ? ['A'] : []);
  });

  it('an audience without ids adds nobody reached by mail; named ids are added once', () => {
    expect(decideRecipients({ all: true }, ['P-1'], [], () => true)).toStrictEqual({
      recipients: ['P-1'],
      byMail: ['P-1'],
    });
    expect(
      decideRecipients(
        { partner_ids: ['P-1', 'P-2', 'P-2'] },
        undefined,
        [{ id: 'P-1', tier: 'x' }],
        (id) => id !== 'P-3',
      ),
    ).toStrictEqual({ recipients: ['P-1', 'P-2'], byMail: ['P-1', 'P-2'] });
  });
});
