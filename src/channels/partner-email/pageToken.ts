import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Partner page links: `v1.<claims>.<signature>`, claims base64url JSON, signature HMAC-SHA256 over
 * "v1.<claims>" with the pages key. A token names one partner and one item and expires; the store keeps
 * a row per token (by `jti`) so the console can revoke it. No account, no cookie.
 */
export interface PageClaims {
  /** Token id (the partner_tokens row). */
  jti: string;
  partnerId: string;
  /** case | approval | rollout | scorecard */
  entity: string;
  entityId: string;
  /** Expiry, ms epoch. */
  exp: number;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function signPageToken(key: Buffer, c: PageClaims): string {
  const body = `v1.${b64(JSON.stringify({ j: c.jti, p: c.partnerId, e: c.entity, i: c.entityId, x: c.exp }))}`;
  return `${body}.${b64(createHmac('sha256', key).update(body).digest())}`;
}

export type TokenCheck =
  { ok: true; claims: PageClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/** Verify signature and expiry (the caller then checks the token row: revoked, partner). Constant time on the signature. */
export function verifyPageToken(key: Buffer, token: string, now: number): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1' || !/^[\w-]+$/.test(parts[1]!) || !/^[\w-]+$/.test(parts[2]!))
    return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', key).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  let raw: { j?: unknown; p?: unknown; e?: unknown; i?: unknown; x?: unknown };
  try {
    raw = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (
    typeof raw.j !== 'string' ||
    typeof raw.p !== 'string' ||
    typeof raw.e !== 'string' ||
    typeof raw.i !== 'string' ||
    typeof raw.x !== 'number'
  )
    return { ok: false, reason: 'malformed' };
  if (raw.x <= now) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { jti: raw.j, partnerId: raw.p, entity: raw.e, entityId: raw.i, exp: raw.x } };
}

/** A token id derived from what it is for, so a re-run of the same message's job hands out the same link. */
export function deterministicJti(messageKey: string): string {
  return createHash('sha256').update(`page-token:${messageKey}`).digest('base64url').slice(0, 22);
}
