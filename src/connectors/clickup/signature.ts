import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX = /^[0-9a-f]+$/i;

/**
 * True when `signatureHeader` (ClickUp's X-Signature) is the hex HMAC-SHA256 of exactly these raw
 * bytes under `secret`. Checked on the bytes received, before any JSON parsing, in constant time.
 */
export function verifyClickUpSignature(
  rawBody: Buffer | Uint8Array,
  signatureHeader: string | undefined,
  secret: string,
): boolean {
  if (!signatureHeader || !secret) return false;
  const given = signatureHeader.trim();
  if (given.length !== 64 || !HEX.test(given)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const actual = Buffer.from(given, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Hex HMAC-SHA256 of the raw body, as ClickUp puts in X-Signature (used by the sandbox and tests). */
export function signClickUpBody(rawBody: Buffer | Uint8Array | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}
