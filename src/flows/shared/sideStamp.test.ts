import { describe, expect, it } from 'vitest';
import { sideStamp } from './sideStamp.ts';

describe('sideStamp', () => {
  it.each([
    ['ClickUp epoch ms as a string', '1795671531316', 1795671531316],
    ['Trading Grid ISO time', '2026-11-26T05:38:51.400Z', Date.parse('2026-11-26T05:38:51.400Z')],
    ['a number', 1795671531400, 1795671531400],
    ['missing', undefined, 42],
    ['null', null, 42],
    ['garbage', 'yesterday', 42],
    ['zero', '0', 42],
  ] as const)('%s', (_name, value, want) => {
    expect(sideStamp(value, 42)).toBe(want);
  });
});
