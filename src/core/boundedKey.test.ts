import { describe, expect, it } from 'vitest';
import { boundedKey, MAX_KEY_BYTES } from './boundedKey.ts';

describe('boundedKey', () => {
  it('keeps short keys as they are', () => expect(boundedKey('tg.event:evt_1')).toBe('tg.event:evt_1'));
  it.each([[300], [3_000], [100_000]])('a %i-character key fits, is stable, and differs from its neighbours', (n) => {
    const k = 'x'.repeat(n);
    expect(Buffer.byteLength(boundedKey(k))).toBeLessThanOrEqual(MAX_KEY_BYTES);
    expect(boundedKey(k)).toBe(boundedKey(k));
    expect(boundedKey(k)).not.toBe(boundedKey(`${k}y`));
  });
  it('counts bytes, not characters (multi-byte text)', () => {
    const k = 'é'.repeat(200);
    expect(Buffer.byteLength(boundedKey(k))).toBeLessThanOrEqual(MAX_KEY_BYTES);
    expect(boundedKey(k)).not.toBe(k);
  });
});
