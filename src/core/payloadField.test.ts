import { describe, expect, it } from 'vitest';
import { stringField } from './payloadField.ts';

describe('stringField', () => {
  it.each([
    [{ caseId: 'C-1' }, 'C-1'],
    [{ caseId: 7 }, null],
    [{ other: 'C-1' }, null],
    [null, null],
    ['caseId', null],
    [undefined, null],
    [['C-1'], null],
  ] as const)('caseId of %j is %j', (value, expected) => {
    expect(stringField(value, 'caseId')).toBe(expected);
  });
});
