import { describe, expect, it } from 'vitest';
import { fieldDrift, listsDue, mappingDrift, statusDrift, type ExpectedNames, type ListNow } from './mappingDrift.ts';

const expected: ExpectedNames = {
  statuses: [
    { name: 'in review', mapping: 'clickup.status_map["in review"]' },
    { name: 'In Review', mapping: 'clickup.status_to_clickup.in_review' },
    { name: 'resolved', mapping: 'clickup.status_map["resolved"]' },
  ],
  fields: [
    { name: 'Issue type', mapping: 'clickup.fields.issue_type', options: ['dispute', 'shipment exception'] },
    { name: 'Transaction reference', mapping: 'clickup.fields.transaction_ref' },
  ],
};
const fits: ListNow = {
  listId: 'L1',
  statuses: ['open', 'In review', 'resolved'],
  fields: [
    { name: 'issue type', type: 'drop_down', options: ['Dispute', 'shipment exception', 'other'] },
    { name: 'Transaction reference', type: 'short_text', options: [] },
  ],
};

describe('mappingDrift: what the mapping names that the list lacks now', () => {
  it.each<[string, Partial<ListNow>, Array<[string, string]>]>([
    ['the list fits (names compared without regard to case)', {}, []],
    [
      'a status renamed (named twice in the config, reported once)',
      { statuses: ['open', 'reviewing', 'resolved'] },
      [['status', 'in review']],
    ],
    [
      'a drop-down option renamed',
      { fields: [{ ...fits.fields[0]!, options: ['commercial dispute', 'shipment exception'] }, fits.fields[1]!] },
      [['option', 'dispute']],
    ],
    ['a field renamed or deleted', { fields: [fits.fields[0]!] }, [['field', 'Transaction reference']]],
    [
      'a field that is no drop-down any more has no options to check',
      { fields: [{ name: 'Issue type', type: 'short_text', options: [] }, fits.fields[1]!] },
      [],
    ],
  ])('%s', (_name, change, found) => {
    expect(mappingDrift(expected, { ...fits, ...change }).map((d) => [d.what, d.name])).toEqual(found);
  });

  it('says which name, which list, which config key and what is there now', () => {
    const [d] = mappingDrift(expected, { ...fits, statuses: ['open', 'reviewing', 'resolved'] });
    expect(d!.reason).toBe(
      'list L1 has no status "in review" (clickup.status_map["in review"] expects it; renamed or deleted in ClickUp?); its statuses: open, reviewing, resolved. Rename it back, or fix clickup.status_map["in review"]',
    );
  });
});

describe('which drift stops a write', () => {
  const drift = [
    ...mappingDrift(expected, { ...fits, listId: 'L1', statuses: ['open', 'resolved'] }),
    ...mappingDrift(expected, {
      ...fits,
      listId: 'L2',
      fields: [{ ...fits.fields[0]!, options: ['commercial dispute', 'shipment exception'] }, fits.fields[1]!],
    }),
  ];
  it.each<[string, () => unknown, string | null]>([
    ['a status missing on its list', () => statusDrift(drift, 'L1', 'In Review')?.name, 'in review'],
    ['another status on that list', () => statusDrift(drift, 'L1', 'resolved')?.name ?? null, null],
    ['the same status on another list', () => statusDrift(drift, 'L2', 'in review')?.name ?? null, null],
    ['a task writing the missing option', () => fieldDrift(drift, 'L2', { issue_type: 'dispute' })?.name, 'dispute'],
    [
      'a task writing another option',
      () => fieldDrift(drift, 'L2', { issue_type: 'shipment exception' }) ?? null,
      null,
    ],
  ])('%s', (_name, f, expectedName) => {
    expect(f()).toEqual(expectedName);
  });
});

describe('listsDue: which lists the scheduled check reads', () => {
  const every = 10 * 60_000;
  const now = 100 * 60_000;
  const lists = ['cases', 'approvals', 'rollouts'];
  it.each([
    ['the first check of a process reads every list', { cases: now, approvals: now, rollouts: now }, [], true, lists],
    [
      'healthy lists read within the interval are skipped',
      { cases: now - 60_000, approvals: now - 1, rollouts: now - every + 1 },
      [],
      false,
      [],
    ],
    [
      'a list read exactly one interval ago is due',
      { cases: now - every, approvals: now, rollouts: now },
      [],
      false,
      ['cases'],
    ],
    ['a list never read is due', { cases: now, approvals: now }, [], false, ['rollouts']],
    [
      'a list with findings is read at every check',
      { cases: now, approvals: now, rollouts: now },
      ['approvals'],
      false,
      ['approvals'],
    ],
  ] as const)('%s', (_name, checked, driftLists, first, want) => {
    const drift = driftLists.map((listId) => ({ listId }));
    expect(listsDue(lists, { checked, drift }, now, every, first)).toEqual(want);
  });

  it('an interval of 0 reads every list at every check', () => {
    expect(
      listsDue(lists, { checked: { cases: now, approvals: now, rollouts: now }, drift: [] }, now, 0, false),
    ).toEqual(lists);
  });
});
