import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { signPageToken, verifyPageToken } from './pageToken.ts';

const key = randomBytes(32);
const claims = { jti: 'abc', partnerId: 'P-MAIL', entity: 'case', entityId: 'C-1', exp: 10_000 };

describe('partner page tokens', () => {
  it('a token verifies with its key before it expires, and gives back its claims', () => {
    expect(verifyPageToken(key, signPageToken(key, claims), 9_999)).toEqual({ ok: true, claims });
  });

  const token = signPageToken(key, claims);
  const [v, body, sig] = token.split('.') as [string, string, string];
  const otherBody = Buffer.from(JSON.stringify({ j: 'abc', p: 'P-OTHER', e: 'case', i: 'C-1', x: 10_000 })).toString(
    'base64url',
  );
  it.each([
    ['expired', token, 10_000, 'expired'],
    ['claims altered (other partner) with the old signature', `${v}.${otherBody}.${sig}`, 0, 'bad_signature'],
    ['signature altered', `${v}.${body}.${sig.slice(0, -2)}AA`, 0, 'bad_signature'],
    ['signed with another key', signPageToken(randomBytes(32), claims), 0, 'bad_signature'],
    ['not a token', 'hello', 0, 'malformed'],
    ['wrong version', `v2.${body}.${sig}`, 0, 'malformed'],
  ])('%s is refused', (_what, t, now, reason) => {
    expect(verifyPageToken(key, t, now)).toEqual({ ok: false, reason });
  });
});
