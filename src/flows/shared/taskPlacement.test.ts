import { describe, expect, it } from 'vitest';
import { decidePlacement, listOfDelivery } from './taskPlacement.ts';

const ours = new Set(['L-cases', 'L-acme']);

describe('a linked task moved between lists', () => {
  it.each([
    ['L-cases', 'L-cases', 'same'],
    ['L-cases', null, 'same'],
    ['L-cases', 'L-elsewhere', 'moved_out'],
    ['L-elsewhere', 'L-elsewhere', 'paused'],
    ['L-elsewhere', null, 'paused'],
    ['L-elsewhere', 'L-other', 'paused'],
    ['L-cases', 'L-acme', 'moved_within'],
    ['L-elsewhere', 'L-cases', 'moved_back'],
  ] as const)('linked in %s, now in %s: %s', (linked, now, expected) => {
    expect(decidePlacement(linked, now, ours)).toBe(expected);
  });

  it("reads the list from a move item first, else from any item's parent_id", () => {
    expect(
      listOfDelivery([
        { field: 'status', parent_id: 'L-a' },
        { field: 'section_moved', after: { id: 901 }, parent_id: 'L-a' },
      ]),
    ).toBe('901');
    expect(listOfDelivery([{ field: 'comment', parent_id: 'L-a' }])).toBe('L-a');
    expect(listOfDelivery([{ field: 'comment' }])).toBeNull();
  });
});
