import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decideFieldChange, type FieldChange, type FieldPolicy, type SideMemory, type Side } from './fieldSync.ts';

const cuOwns: FieldPolicy = { owner: 'clickup', direction: 'both' };
const m = (value: string, at: number): SideMemory => ({ value, at });

describe('decideFieldChange', () => {
  it.each<[string, FieldChange, Partial<Record<Side, SideMemory>>, string | null, FieldPolicy, unknown]>([
    [
      'a new ClickUp status goes to Trading Grid',
      { side: 'clickup', value: 'in_review', at: 20 },
      { clickup: m('received', 10), tradinggrid: m('received', 10) },
      'received',
      cuOwns,
      { action: 'copy', to: 'tradinggrid', value: 'in_review', at: 20 },
    ],
    [
      'the echo of what we wrote costs nothing',
      { side: 'tradinggrid', value: 'in_review', at: 25 },
      { clickup: m('in_review', 20), tradinggrid: m('in_review', 20) },
      'in_review',
      cuOwns,
      { action: 'ignore', reason: 'echo', remember: m('in_review', 25) },
    ],
    [
      'an older change than the one applied is ignored',
      { side: 'clickup', value: 'received', at: 15 },
      { clickup: m('in_review', 20), tradinggrid: m('in_review', 20) },
      'in_review',
      cuOwns,
      { action: 'ignore', reason: 'stale' },
    ],
    [
      'a repeat of the same change is unchanged',
      { side: 'clickup', value: 'in_review', at: 20 },
      { clickup: m('in_review', 20) },
      'in_review',
      cuOwns,
      { action: 'ignore', reason: 'unchanged' },
    ],
    [
      'a partner change flows to ClickUp when ClickUp did not move',
      { side: 'tradinggrid', value: 'awaiting_documents', at: 30 },
      { clickup: m('in_review', 20), tradinggrid: m('in_review', 20) },
      'in_review',
      cuOwns,
      { action: 'copy', to: 'clickup', value: 'awaiting_documents', at: 30 },
    ],
    [
      'both moved: the owner (ClickUp) wins over a later partner change',
      { side: 'tradinggrid', value: 'resolved', at: 40 },
      { clickup: m('escalated', 35), tradinggrid: m('in_review', 20) },
      'in_review',
      cuOwns,
      {
        action: 'resolve_conflict',
        winner: 'clickup',
        to: 'tradinggrid',
        value: 'escalated',
        at: 40,
        loserValue: 'resolved',
      },
    ],
    [
      'both moved: the owner reporting wins outright',
      { side: 'clickup', value: 'escalated', at: 35 },
      { clickup: m('in_review', 20), tradinggrid: m('resolved', 40) },
      'in_review',
      cuOwns,
      {
        action: 'resolve_conflict',
        winner: 'clickup',
        to: 'tradinggrid',
        value: 'escalated',
        at: 40,
        loserValue: 'resolved',
      },
    ],
    [
      'direction to_tradinggrid: partner changes stay on their side',
      { side: 'tradinggrid', value: 'resolved', at: 30 },
      { clickup: m('in_review', 20), tradinggrid: m('in_review', 20) },
      'in_review',
      { owner: 'clickup', direction: 'to_tradinggrid' },
      { action: 'ignore', reason: 'direction', remember: m('resolved', 30) },
    ],
    [
      'direction none: nothing moves',
      { side: 'clickup', value: 'resolved', at: 30 },
      { clickup: m('in_review', 20) },
      'in_review',
      { owner: 'clickup', direction: 'none' },
      { action: 'ignore', reason: 'direction', remember: m('resolved', 30) },
    ],
    [
      'first sight of a side (no memory) copies',
      { side: 'clickup', value: 'in_review', at: 5 },
      {},
      null,
      cuOwns,
      { action: 'copy', to: 'tradinggrid', value: 'in_review', at: 5 },
    ],
  ])('%s', (_name, change, memory, agreed, policy, expected) => {
    expect(decideFieldChange(change, memory, agreed, policy)).toEqual(expected);
  });

  /**
   * Model check: two sides, changes on both, deliveries duplicated and reordered. Applying each decision
   * the way the engine does (copy → write the other side and remember both) always converges.
   */
  it('random interleavings of changes, duplicates and reordering converge', () => {
    const values = ['received', 'in_review', 'awaiting_documents', 'escalated', 'resolved'];
    const step = fc.record({
      side: fc.constantFrom<Side>('clickup', 'tradinggrid'),
      value: fc.constantFrom(...values),
      dup: fc.boolean(),
      delay: fc.nat(3),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
        const sides: Record<Side, { value: string; at: number }> = {
          clickup: { value: 'received', at: 0 },
          tradinggrid: { value: 'received', at: 0 },
        };
        const memory: Partial<Record<Side, SideMemory>> = { clickup: m('received', 0), tradinggrid: m('received', 0) };
        let agreed: string | null = 'received';
        let clock = 0;
        const inbox: Array<{ due: number; change: FieldChange }> = [];
        let calls = 0;
        const deliver = (c: FieldChange, delay: number) => inbox.push({ due: clock + delay, change: c });
        const process = (c: FieldChange) => {
          const d = decideFieldChange(c, memory, agreed, cuOwns);
          if (d.action === 'ignore') {
            if (d.remember) memory[c.side] = d.remember;
            return;
          }
          calls++;
          clock++;
          sides[d.to] = { value: d.value, at: clock };
          memory[d.to] = m(d.value, clock);
          memory[c.side] = d.action === 'copy' ? m(c.value, c.at) : m(sides[c.side].value, sides[c.side].at);
          if (d.action === 'resolve_conflict') memory[d.winner] = m(d.value, sides[d.winner].at);
          agreed = d.value;
          // The write echoes back from the side we wrote.
          deliver({ side: d.to, value: d.value, at: clock }, 1);
        };
        for (const s of steps) {
          clock++;
          sides[s.side] = { value: s.value, at: clock };
          const change = { side: s.side, value: s.value, at: clock };
          deliver(change, s.delay);
          if (s.dup) deliver(change, s.delay + 2);
          // Deliver whatever is due, in due order (reordering comes from the delays).
          inbox.sort((a, b) => a.due - b.due);
          while (inbox.length && inbox[0]!.due <= clock) process(inbox.shift()!.change);
        }
        while (inbox.length) {
          inbox.sort((a, b) => a.due - b.due);
          process(inbox.shift()!.change);
        }
        // Converged, and never more writes than there were real changes plus conflicts resolved.
        return sides.clickup.value === sides.tradinggrid.value && calls <= steps.length * 2;
      }),
      { numRuns: 1000 },
    );
  });
});
