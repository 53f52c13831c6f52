import { describe, expect, it } from 'vitest';
import { signClickUpBody, verifyClickUpSignature } from './signature.ts';

const secret = 'WEBHOOKSECRET123';
const body = Buffer.from(
  JSON.stringify({ event: 'taskStatusUpdated', task_id: '86abc', webhook_id: 'w1', history_items: [] }),
);
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
    // Buffer.from(hex) drops a trailing odd digit: without the length check this would verify.
    ['one extra hex digit', body, good + '0', secret, false],
    ['surrounded by white space (a proxy that keeps it)', body, ` ${good}\t`, secret, true],
    ['an empty secret', body, signClickUpBody(body, ''), '', false],
  ] as const)('%s → %s', (_name, raw, header, key, expected) => {
    expect(verifyClickUpSignature(raw, header, key)).toBe(expected);
  });

  it('accepts a Uint8Array body', () => {
    expect(verifyClickUpSignature(new Uint8Array(body), good, secret)).toBe(true);
  });
});

describe('ClickUp signature known answers (not our code checked against itself)', () => {
  // ClickUp's "Webhook signature" page (https://developer.clickup.com/docs/webhooksignature) verifies
  // with key 'secret' over this exact body string (no white space). Its X-Signature header shown there
  // (f7bc83f430538424b13298e6aa6, 27 hex digits) is a placeholder, not the HMAC of that body; the
  // expected value below was computed with another implementation:
  //   printf '%s' '<body>' | openssl dgst -sha256 -hmac secret
  const docsBody = '{"webhook_id":"7689a169-a000-4985-8676-6902b96d6627","event":"taskCreated","task_id":"c0j"}';
  const docsSignature = '4830bf524f6e29a3e8da953936c6f21c1fea2b9669b825d3e1be293ef3416c8c';

  it('the docs example body under the key "secret"', () => {
    expect(signClickUpBody(docsBody, 'secret')).toBe(docsSignature);
    expect(verifyClickUpSignature(Buffer.from(docsBody), docsSignature, 'secret')).toBe(true);
  });

  it('the same JSON pretty-printed (as the docs display it) is other bytes and does not verify', () => {
    const pretty = Buffer.from(JSON.stringify(JSON.parse(docsBody), null, 4));
    expect(verifyClickUpSignature(pretty, docsSignature, 'secret')).toBe(false);
  });

  it('RFC 4231 test case 2 (HMAC-SHA256, key "Jefe")', () => {
    const data = Buffer.from('what do ya want for nothing?');
    const mac = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    expect(signClickUpBody(data, 'Jefe')).toBe(mac);
    expect(verifyClickUpSignature(data, mac, 'Jefe')).toBe(true);
  });
});
