import { describe, expect, it } from 'vitest';
import { changedFields, decideFieldEdit, type EditDecision, type EditMemory, type EditPolicy } from './fieldEdits.ts';
import type { Side } from './editDirection.ts';

const toCu: EditPolicy = { owner: 'tradinggrid', direction: 'to_clickup' };
const both: EditPolicy = { owner: 'clickup', direction: 'both' };
const toTg: EditPolicy = { owner: 'clickup', direction: 'to_tradinggrid' };
const none: EditPolicy = { owner: 'clickup', direction: 'none' };
const h = (value: string, at: number) => ({ value, at });

describe('changedFields', () => {
  it.each<[string, Record<string, string>, Record<string, string>, string[]]>([
    ['nothing changed', { name: '"a"', priority: '3' }, { name: '"a"', priority: '3' }, []],
    ['the title changed the name only', { name: '"a"', priority: '3' }, { name: '"b"', priority: '3' }, ['name']],
    [
      'the value changed the field and the priority',
      { 'field:value': '10', priority: '4' },
      { 'field:value': '60000', priority: '2' },
      ['field:value', 'priority'],
    ],
    ['a field that appears counts', { name: '"a"' }, { name: '"a"', 'field:value': '5' }, ['field:value']],
    ['a field that goes counts', { name: '"a"', 'field:value': '5' }, { name: '"a"' }, ['field:value']],
  ])('%s', (_, before, after, want) => {
    expect(changedFields(before, after)).toEqual(want);
  });
});

describe('decideFieldEdit', () => {
  it.each<[string, { side: Side; value: string; at: number }, EditMemory, string | null, EditPolicy, EditDecision]>([
    [
      'a partner edit of a task field goes to ClickUp (no memory yet: the value before is the baseline)',
      { side: 'tradinggrid', value: 'new', at: 20 },
      {},
      'old',
      toCu,
      { action: 'copy', to: 'clickup', value: 'new', at: 20 },
    ],
    [
      'a partner edit goes to ClickUp when ClickUp holds what was agreed',
      { side: 'tradinggrid', value: 'new', at: 30 },
      { clickup: h('old', 10), tradinggrid: h('old', 10), agreed: h('old', 10) },
      null,
      toCu,
      { action: 'copy', to: 'clickup', value: 'new', at: 30 },
    ],
    [
      'the echo of our own ClickUp write costs nothing',
      { side: 'clickup', value: 'new', at: 31 },
      { clickup: h('new', 30), tradinggrid: h('new', 30), agreed: h('new', 30) },
      null,
      toCu,
      { action: 'ignore', reason: 'echo', remember: h('new', 31) },
    ],
    [
      'a redelivered partner edit is unchanged',
      { side: 'tradinggrid', value: 'new', at: 30 },
      { tradinggrid: h('new', 30) },
      null,
      toCu,
      { action: 'ignore', reason: 'unchanged' },
    ],
    [
      'an older partner edit than the one applied is stale',
      { side: 'tradinggrid', value: 'older', at: 25 },
      { tradinggrid: h('new', 30) },
      null,
      toCu,
      { action: 'ignore', reason: 'stale' },
    ],
    [
      'a ClickUp edit of a to_clickup field stays in ClickUp, remembered, with the reason',
      { side: 'clickup', value: 'renamed', at: 40 },
      { clickup: h('old', 10), tradinggrid: h('old', 10), agreed: h('old', 10) },
      null,
      toCu,
      {
        action: 'ignore',
        reason: 'direction',
        remember: h('renamed', 40),
        why: 'the mapping goes Trading Grid → ClickUp only (direction to_clickup): an edit in ClickUp stays there',
      },
    ],
    [
      'a ClickUp edit of a both field goes to Trading Grid',
      { side: 'clickup', value: '250', at: 40 },
      { clickup: h('100', 10), tradinggrid: h('100', 10), agreed: h('100', 10) },
      null,
      both,
      { action: 'copy', to: 'tradinggrid', value: '250', at: 40 },
    ],
    [
      'a ClickUp edit of a to_tradinggrid field goes to Trading Grid',
      { side: 'clickup', value: '250', at: 40 },
      {},
      '100',
      toTg,
      { action: 'copy', to: 'tradinggrid', value: '250', at: 40 },
    ],
    [
      'a partner edit of a to_tradinggrid field stays on the partner side',
      { side: 'tradinggrid', value: '300', at: 40 },
      {},
      '100',
      toTg,
      {
        action: 'ignore',
        reason: 'direction',
        remember: h('300', 40),
        why: 'the mapping goes ClickUp → Trading Grid only (direction to_tradinggrid): an edit in Trading Grid stays there',
      },
    ],
    [
      'direction none: nothing crosses',
      { side: 'clickup', value: 'x', at: 40 },
      {},
      'y',
      none,
      {
        action: 'ignore',
        reason: 'direction',
        remember: h('x', 40),
        why: 'the mapping syncs this field neither way (direction none)',
      },
    ],
    [
      'both moved, the partner edit is newer: it wins and overwrites the ClickUp edit',
      { side: 'tradinggrid', value: 'partner', at: 50 },
      { clickup: h('person', 40), tradinggrid: h('old', 10), agreed: h('old', 10) },
      null,
      toCu,
      { action: 'conflict_won', to: 'clickup', value: 'partner', at: 50, loserValue: 'person' },
    ],
    [
      'both moved, the ClickUp edit is newer: the partner edit arriving after it does not overwrite it',
      { side: 'tradinggrid', value: 'partner', at: 35 },
      { clickup: h('person', 40), tradinggrid: h('old', 10), agreed: h('old', 10) },
      null,
      toCu,
      { action: 'conflict_lost', winner: 'clickup', winnerValue: 'person', remember: h('partner', 35) },
    ],
    [
      'both moved at the same instant: the owner wins',
      { side: 'clickup', value: 'person', at: 40 },
      { tradinggrid: h('partner', 40), clickup: h('old', 10), agreed: h('old', 10) },
      null,
      { owner: 'tradinggrid', direction: 'both' },
      { action: 'conflict_lost', winner: 'tradinggrid', winnerValue: 'partner', remember: h('person', 40) },
    ],
    [
      'both moved, the newer ClickUp edit of a both field goes over the partner edit',
      { side: 'clickup', value: 'person', at: 60 },
      { tradinggrid: h('partner', 50), clickup: h('old', 10), agreed: h('old', 10) },
      null,
      both,
      { action: 'conflict_won', to: 'tradinggrid', value: 'person', at: 60, loserValue: 'partner' },
    ],
    [
      'both moved to the same value: nothing to write',
      { side: 'tradinggrid', value: 'same', at: 50 },
      { clickup: h('same', 40), agreed: h('old', 10) },
      null,
      toCu,
      { action: 'ignore', reason: 'unchanged', remember: h('same', 50) },
    ],
  ])('%s', (_, change, memory, baseline, policy, want) => {
    expect(decideFieldEdit(change, memory, baseline, policy)).toEqual(want);
  });
});
