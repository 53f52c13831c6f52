import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, parseSecretKey, secretKeyId, SecretBoxError } from '../../src/store/secretBox.ts';

const k1 = randomBytes(32);
const k2 = randomBytes(32);

describe('secret box (AES-256-GCM)', () => {
  it('seals and opens a value, and the sealed text does not contain the plaintext', () => {
    const box = createSecretBox(k1);
    const sealed = box.seal('whsec_super-secret-value', 'clickup.webhook.secret');
    expect(sealed).not.toContain('super-secret');
    expect(sealed.startsWith(`gb1.${secretKeyId(k1)}.`)).toBe(true);
    expect(box.open(sealed, 'clickup.webhook.secret')).toBe('whsec_super-secret-value');
  });

  it('uses a fresh 96-bit IV per value: sealing the same value twice gives different texts', () => {
    const box = createSecretBox(k1);
    const a = box.seal('same', 'n');
    const b = box.seal('same', 'n');
    expect(a).not.toBe(b);
    expect(Buffer.from(a.split('.')[2]!, 'base64url')).toHaveLength(12);
  });

  it('refuses an altered ciphertext, a value moved to another name, and a value sealed with an unknown key', () => {
    const box = createSecretBox(k1);
    const sealed = box.seal('value', 'a');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    const altered = [parts[0], parts[1], parts[2], body.toString('base64url')].join('.');
    expect(() => box.open(altered, 'a')).toThrow(SecretBoxError);
    expect(() => box.open(sealed, 'b')).toThrow(/does not authenticate/);
    expect(() => createSecretBox(k2).open(sealed, 'a')).toThrow(/not configured/);
    expect(() => box.open('plain text', 'a')).toThrow(/not a sealed value/);
  });

  it('opens values sealed with a previous key while sealing new ones with the current key (rotation window)', () => {
    const old = createSecretBox(k1).seal('v', 'n');
    const rotating = createSecretBox(k2, [k1]);
    expect(rotating.open(old, 'n')).toBe('v');
    expect(rotating.keyIdOf(rotating.seal('v', 'n'))).toBe(secretKeyId(k2));
    expect(rotating.keyIds).toEqual([secretKeyId(k2), secretKeyId(k1)]);
  });

  it.each([
    ['64 hex digits', k1.toString('hex'), true],
    ['base64', k1.toString('base64'), true],
    ['base64url', k1.toString('base64url'), true],
    ['with a trailing newline', `${k1.toString('base64')}\n`, true],
    ['too short', 'abcd', false],
    ['a passphrase', 'correct horse battery staple', false],
    ['16 bytes of hex', randomBytes(16).toString('hex'), false],
  ])('parses a key given as %s: %s', (_name, text, valid) => {
    const r = parseSecretKey(text);
    expect(r.ok).toBe(valid);
    if (!r.ok) expect(r.reason).not.toContain(text.trim());
  });
});
