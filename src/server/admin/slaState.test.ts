import { describe, expect, it } from 'vitest';
import { managerOf, slaState, type SlaState } from './slaState.ts';

const H = 3_600_000;
describe('slaState', () => {
  it.each<[string, { openedAt: number; slaDueAt: number | null; resolvedAt: number | null }, number, SlaState]>([
    ['no due date', { openedAt: 0, slaDueAt: null, resolvedAt: null }, 5 * H, 'none'],
    ['early in the window', { openedAt: 0, slaDueAt: 100 * H, resolvedAt: null }, 10 * H, 'on_track'],
    ['exactly a quarter left', { openedAt: 0, slaDueAt: 100 * H, resolvedAt: null }, 75 * H, 'at_risk'],
    ['past due, open', { openedAt: 0, slaDueAt: 100 * H, resolvedAt: null }, 101 * H, 'breached'],
    ['resolved in time', { openedAt: 0, slaDueAt: 100 * H, resolvedAt: 99 * H }, 200 * H, 'met'],
    ['resolved late', { openedAt: 0, slaDueAt: 100 * H, resolvedAt: 120 * H }, 200 * H, 'missed'],
  ])('%s', (_n, c, now, want) => expect(slaState(c, now)).toBe(want));

  it('a case nobody routed yet is shown under "(not routed yet)"', () => {
    expect(managerOf({})).toBe('(not routed yet)');
    expect(managerOf({ escalation: { manager: 'Dana' } })).toBe('Dana');
  });
});
