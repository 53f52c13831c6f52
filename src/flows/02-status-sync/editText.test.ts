import { describe, expect, it } from 'vitest';
import { partnerTextOf, titleOfTaskName } from './fieldEdits.ts';

describe('the case title in a task name', () => {
  it.each([
    ['[Globex Logistics] Dispute: Short shipment', 'Short shipment'],
    ['[TEST] [Globex Logistics] Edi exception: 810 rejected', '810 rejected'],
    ['[Globex Logistics] Dispute: Claim: carrier damage', 'Claim: carrier damage'],
    ['Short shipment, renamed by hand', 'Short shipment, renamed by hand'],
    ['  [P-9] Dispute:   spaced  ', 'spaced'],
  ])('%s → %s', (name, title) => {
    expect(titleOfTaskName(name)).toBe(title);
  });
});

describe('the partner text of a task description', () => {
  it.each([
    ['Two pallets missing.\n\n| | |\n|---|---|\n| Partner | Globex (P-GLOBEX) |', 'Two pallets missing.'],
    ['Line one\nline two\n\n| | |\n| Value | 1.00 USD |', 'Line one\nline two'],
    ['A person removed the table', 'A person removed the table'],
  ])('%j', (text, expected) => {
    expect(partnerTextOf(text)).toBe(expected);
  });

  it.each([
    '_No description given by the partner._\n\n| | |',
    'No description given by the partner.\n\n| | |',
    '| | |\n| Partner | x |',
  ])('nothing written above the table: %j', (text) => {
    expect(partnerTextOf(text)).toHaveLength(0);
  });
});
