import { describe, expect, it } from 'vitest';
import { isStatusOnlyUpdate } from './caseEvent.ts';

describe('a case.updated event', () => {
  it.each([
    [{ linked: true, status: 'in_review', changed: ['status'] }, true],
    [{ linked: true, status: 'in_review', changed: ['status', 'updated_at'] }, true],
    [{ linked: true, status: 'in_review', changed: undefined }, true],
    [{ linked: true, status: 'in_review', changed: ['status', 'title'] }, false],
    [{ linked: true, status: undefined, changed: ['status'] }, false],
    [{ linked: false, status: 'in_review', changed: ['status'] }, false],
    [{ linked: true, status: 'in_review', changed: [] }, true],
  ] as const)('%j is a status change for flow 2: %s', (e, expected) => {
    expect(isStatusOnlyUpdate(e)).toBe(expected);
  });
});
