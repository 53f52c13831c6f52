import { describe, expect, it } from 'vitest';
import { decideEditDirection } from './editDirection.ts';
import { changedFields, decideFieldEdit, type EditDecision, type EditMemory, type EditPolicy } from './fieldEdits.ts';
import { decideFieldChange, type FieldChange, type FieldPolicy, type SideMemory, type Side } from './fieldSync.ts';
import { fieldDrift, mappingDrift, statusDrift, type Drift, type ListNow } from './mappingDrift.ts';

// Rows for the cases the first mutation run of flow 2's decisions found untested: concurrent edits under a
// direction that forbids the loser, ties, both sides moving to the same value, and the drift texts.

const h = (value: string, at: number) => ({ value, at });

describe('decideFieldChange: concurrent edits and directions', () => {
  const cuToCu: FieldPolicy = { owner: 'clickup', direction: 'to_clickup' };
  const m = (value: string, at: number): SideMemory => ({ value, at });
  it.each<[string, FieldChange, Partial<Record<Side, SideMemory>>, string | null, FieldPolicy, unknown]>([
    [
      'the owner may not be written: the later partner change still goes to ClickUp',
      { side: 'tradinggrid', value: 'tg', at: 40 },
      { clickup: m('cu', 35), tradinggrid: m('a', 10) },
      'a',
      cuToCu,
      { action: 'copy', to: 'clickup', value: 'tg', at: 40 },
    ],
    [
      'the same, at the same instant: the reporting side counts as later',
      { side: 'tradinggrid', value: 'tg', at: 35 },
      { clickup: m('cu', 35), tradinggrid: m('a', 10) },
      'a',
      cuToCu,
      { action: 'copy', to: 'clickup', value: 'tg', at: 35 },
    ],
    [
      'the same, an older partner change: nothing',
      { side: 'tradinggrid', value: 'tg', at: 30 },
      { clickup: m('cu', 35), tradinggrid: m('a', 10) },
      'a',
      cuToCu,
      { action: 'ignore', reason: 'direction' },
    ],
    [
      'the owner reporting later, toward a side it may not write: nothing',
      { side: 'clickup', value: 'cu', at: 40 },
      { clickup: m('a', 10), tradinggrid: m('tg', 30) },
      'a',
      cuToCu,
      { action: 'ignore', reason: 'direction' },
    ],
    [
      'direction none, both moved: nothing, and nothing remembered',
      { side: 'clickup', value: 'cu', at: 40 },
      { clickup: m('a', 10), tradinggrid: m('tg', 30) },
      'a',
      { owner: 'clickup', direction: 'none' },
      { action: 'ignore', reason: 'direction' },
    ],
    [
      'both sides moved to the same value: unchanged, remembered',
      { side: 'clickup', value: 'b', at: 30 },
      { clickup: m('a', 10), tradinggrid: m('b', 20) },
      'a',
      { owner: 'clickup', direction: 'both' },
      { action: 'ignore', reason: 'unchanged', remember: m('b', 30) },
    ],
    [
      'no agreed value yet: a change is copied, not a conflict',
      { side: 'clickup', value: 'b', at: 20 },
      { tradinggrid: m('a', 10) },
      null,
      { owner: 'tradinggrid', direction: 'both' },
      { action: 'copy', to: 'tradinggrid', value: 'b', at: 20 },
    ],
  ])('%s', (_name, change, memory, agreed, policy, expected) => {
    expect(decideFieldChange(change, memory, agreed, policy)).toStrictEqual(expected);
  });
});

describe('decideFieldEdit: conflicts, ties and directions', () => {
  const both = (owner: Side): EditPolicy => ({ owner, direction: 'both' });
  it.each<[string, { side: Side; value: string; at: number }, EditMemory, string | null, EditPolicy, EditDecision]>([
    [
      'both moved, the reporting side later: it wins',
      { side: 'clickup', value: 'cu', at: 40 },
      { clickup: h('a', 10), tradinggrid: h('tg', 30), agreed: h('a', 10) },
      null,
      both('tradinggrid'),
      { action: 'conflict_won', to: 'tradinggrid', value: 'cu', at: 40, loserValue: 'tg' },
    ],
    [
      'both moved, the other side later: it stays',
      { side: 'clickup', value: 'cu', at: 20 },
      { clickup: h('a', 10), tradinggrid: h('tg', 30), agreed: h('a', 10) },
      null,
      both('clickup'),
      { action: 'conflict_lost', winner: 'tradinggrid', winnerValue: 'tg', remember: h('cu', 20) },
    ],
    [
      'a tie goes to the owner (the reporting side)',
      { side: 'clickup', value: 'cu', at: 30 },
      { clickup: h('a', 10), tradinggrid: h('tg', 30), agreed: h('a', 10) },
      null,
      both('clickup'),
      { action: 'conflict_won', to: 'tradinggrid', value: 'cu', at: 30, loserValue: 'tg' },
    ],
    [
      'a tie goes to the owner (the other side)',
      { side: 'clickup', value: 'cu', at: 30 },
      { clickup: h('a', 10), tradinggrid: h('tg', 30), agreed: h('a', 10) },
      null,
      both('tradinggrid'),
      { action: 'conflict_lost', winner: 'tradinggrid', winnerValue: 'tg', remember: h('cu', 30) },
    ],
    [
      'won, but the direction forbids writing the loser: held here, with why',
      { side: 'clickup', value: 'cu', at: 40 },
      { clickup: h('a', 10), tradinggrid: h('tg', 30), agreed: h('a', 10) },
      null,
      { owner: 'clickup', direction: 'to_clickup' },
      {
        action: 'ignore',
        reason: 'direction',
        remember: h('cu', 40),
        why: 'the mapping goes Trading Grid → ClickUp only (direction to_clickup): an edit in ClickUp stays there',
      },
    ],
    [
      'no agreed value and no baseline: the other side holding something else is no conflict',
      { side: 'clickup', value: 'cu', at: 20 },
      { tradinggrid: h('tg', 30) },
      null,
      both('tradinggrid'),
      { action: 'copy', to: 'tradinggrid', value: 'cu', at: 20 },
    ],
  ])('%s', (_name, change, memory, baseline, policy, expected) => {
    expect(decideFieldEdit(change, memory, baseline, policy)).toStrictEqual(expected);
  });

  it('changedFields lists keys in order whatever the order they come in', () => {
    expect(changedFields({ b: '1', a: '1' }, { b: '2', a: '2' })).toEqual(['a', 'b']);
  });

  it('the sentence names both sides the right way round', () => {
    expect(decideEditDirection('to_tradinggrid', 'tradinggrid')).toStrictEqual({
      cross: false,
      reason:
        'the mapping goes ClickUp → Trading Grid only (direction to_tradinggrid): an edit in Trading Grid stays there',
    });
  });
});

describe('mappingDrift: fields and options, their texts, and which drift stops what', () => {
  const list = (o: Partial<ListNow> = {}): ListNow => ({
    listId: 'L1',
    statuses: ['open'],
    fields: [
      { name: 'Tags', type: 'labels', options: ['red', 'blue'] },
      { name: 'Value', type: 'number', options: [] },
    ],
    ...o,
  });
  const expected = {
    statuses: [],
    fields: [
      { name: ' tags ', mapping: 'clickup.fields.tags', options: ['green', ' RED '] },
      { name: 'Partner', mapping: 'clickup.fields.partner' },
      { name: 'Value', mapping: 'clickup.fields.value' },
    ],
  };

  it('a labels field has its options checked; names are compared trimmed and without case', () => {
    const d = mappingDrift(expected, list());
    expect(d).toStrictEqual([
      {
        listId: 'L1',
        what: 'option',
        name: 'green',
        field: ' tags ',
        mapping: 'clickup.fields.tags',
        reason:
          'field " tags " on list L1 has no option "green" (clickup.fields.tags expects it; renamed or deleted in ClickUp?); its options: red, blue. Rename it back, or fix clickup.fields.tags',
      },
      {
        listId: 'L1',
        what: 'field',
        name: 'Partner',
        mapping: 'clickup.fields.partner',
        reason:
          'list L1 has no custom field "Partner" (clickup.fields.partner expects it; renamed or deleted in ClickUp?); fields there: Tags, Value. Rename it back, or fix clickup.fields.partner',
      },
    ]);
  });

  it('a list without fields says "none"', () => {
    const [d] = mappingDrift({ statuses: [], fields: [expected.fields[1]!] }, list({ fields: [] }));
    expect(d!.reason).toBe(
      'list L1 has no custom field "Partner" (clickup.fields.partner expects it; renamed or deleted in ClickUp?); fields there: none. Rename it back, or fix clickup.fields.partner',
    );
  });

  it('a field without options listed in the mapping checks none', () => {
    expect(mappingDrift({ statuses: [], fields: [{ name: 'Tags', mapping: 'clickup.fields.tags' }] }, list())).toEqual(
      [],
    );
  });

  const drift: Drift[] = [
    { listId: 'L1', what: 'option', name: 'In Review', field: 'Stage', mapping: 'm1', reason: 'r1' },
    { listId: 'L2', what: 'field', name: 'Partner', mapping: 'm2', reason: 'r2' },
    { listId: 'L3', what: 'status', name: 'Blocked', mapping: 'm3', reason: 'r3' },
  ];
  it.each<[string, () => unknown, string | null]>([
    ['an option named like a status is not a status drift', () => statusDrift(drift, 'L1', 'in review'), null],
    ['a missing field on another list stops nothing here', () => fieldDrift(drift, 'L1', { x: 'other' }), null],
    [
      'a missing field stops every field write on its list',
      () => fieldDrift(drift, 'L2', { x: 'anything' })?.name,
      'Partner',
    ],
    ['an option written stops the write', () => fieldDrift(drift, 'L1', { stage: ' in review ' })?.name, 'In Review'],
    ['an option not written does not', () => fieldDrift(drift, 'L1', { stage: 'done' }), null],
    [
      'a status drift named like a value a task writes does not stop its fields',
      () => fieldDrift(drift, 'L3', { stage: 'blocked' }),
      null,
    ],
  ])('%s', (_name, f, want) => expect(f() ?? null).toEqual(want));
});
