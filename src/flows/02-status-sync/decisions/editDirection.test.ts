import { describe, expect, it } from 'vitest';
import { decideEditDirection, mayWriteTo, type Direction, type Side } from './editDirection.ts';

describe('decideEditDirection: an edit crosses only the way its mapping goes', () => {
  const table: Array<[Direction, Side, Side | null]> = [
    ['both', 'clickup', 'tradinggrid'],
    ['both', 'tradinggrid', 'clickup'],
    ['to_clickup', 'tradinggrid', 'clickup'],
    ['to_clickup', 'clickup', null],
    ['to_tradinggrid', 'clickup', 'tradinggrid'],
    ['to_tradinggrid', 'tradinggrid', null],
    ['none', 'clickup', null],
    ['none', 'tradinggrid', null],
  ];
  it.each(table)('direction %s, edited in %s → written to %s', (direction, from, to) => {
    const v = decideEditDirection(direction, from);
    if (to === null) {
      expect(v.cross).toBe(false);
      expect(mayWriteTo(direction, from === 'clickup' ? 'tradinggrid' : 'clickup')).toBe(false);
    } else {
      expect(v).toEqual({ cross: true, to });
      expect(mayWriteTo(direction, to)).toBe(true);
    }
  });

  it('says why an edit stays on its side', () => {
    expect(decideEditDirection('to_clickup', 'clickup')).toEqual({
      cross: false,
      reason: 'the mapping goes Trading Grid → ClickUp only (direction to_clickup): an edit in ClickUp stays there',
    });
    expect(decideEditDirection('to_tradinggrid', 'tradinggrid')).toEqual({
      cross: false,
      reason:
        'the mapping goes ClickUp → Trading Grid only (direction to_tradinggrid): an edit in Trading Grid stays there',
    });
    expect(decideEditDirection('none', 'tradinggrid')).toEqual({
      cross: false,
      reason: 'the mapping syncs this field neither way (direction none)',
    });
  });
});
