import { describe, expect, it } from 'vitest';
import { signClickUpBody, verifyClickUpSignature } from './signature.ts';

const secret = 'WEBHOOKSECRET123';
const body = Buffer.from(JSON.stringify({ event: 'taskStatusUpdated', task_id: '86abc', webhook_id: 'w1', history_items: [] }));
const good = signClickUpBody(body, secret);
const flipped = Buffer.from(body);
flipped[10] = flipped[10]! ^ 0x01;

describe('verifyClickUpSignature', () => {
  it.each([
    ['a genuine signature on the raw bytes', body, good, secret, true],
    ['the same signature in upper-case hex', body, good.toUpperCase(), secret, true],
    ['a bad signature', body, 'f'.repeat(64), secret, false],
    ['a missing header', body, undefined, secret, false],
    ['an empty header', body, '', secret, false],
    ['the wrong secret', body, good, 'other-secret', false],
    ['a body altered by one byte', flipped, good, secret, false],
    ['a truncated signature', body, good.slice(0, 63), secret, false],
    ['a signature that is not hex', body, 'z'.repeat(64), secret, false],
    ['an over-long signature', body, good + '00', secret, false],
    ['an empty secret', body, signClickUpBody(body, ''), '', false],
  ] as const)('%s → %s', (_name, raw, header, key, expected) => {
    expect(verifyClickUpSignature(raw, header, key)).toBe(expected);
  });

  it('accepts a Uint8Array body', () => {
    expect(verifyClickUpSignature(new Uint8Array(body), good, secret)).toBe(true);
  });
});
