import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encryption at rest for secrets kept in the store (AES-256-GCM). A sealed value is
 * `gb1.<keyId>.<iv>.<ciphertext+tag>` (base64url parts): a fresh random 96-bit IV per value, the
 * 128-bit GCM tag appended, and the secret's name bound as additional data so a value copied onto
 * another row does not decrypt. The key id (first 8 bytes of SHA-256 of the key, hex) says which key
 * sealed a value, so a rotation can run while values sealed with the previous key are still readable.
 */
export interface SecretBox {
  /** Id of the key new values are sealed with. */
  readonly currentKeyId: string;
  /** Ids of every key this box can open (current first). */
  readonly keyIds: readonly string[];
  seal(plaintext: string, name: string): string;
  /** Opens a sealed value; throws SecretBoxError when the key is unknown or the value was altered. */
  open(sealed: string, name: string): string;
  /** The key id a sealed value names, or null when it is not a sealed value. */
  keyIdOf(sealed: string): string | null;
}

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

const PREFIX = 'gb1';

/**
 * A 32-byte key from its text form: 64 hex digits or base64 / base64url of 32 bytes
 * (`gridbridge secrets generate-key` prints one). Anything else is refused with the reason, never the value.
 */
export function parseSecretKey(text: string): { ok: true; key: Buffer } | { ok: false; reason: string } {
  const t = text.trim();
  if (/^[0-9a-f]{64}$/i.test(t)) return { ok: true, key: Buffer.from(t, 'hex') };
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return { ok: true, key };
  }
  return {
    ok: false,
    reason: `expected a 256-bit key as 64 hex digits or 44 base64 characters (got ${t.length} characters)`,
  };
}

/** The id under which values sealed with `key` are recorded. */
export function secretKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** A box sealing with `current` and opening values sealed with `current` or any of `previous`. */
export function createSecretBox(current: Buffer, previous: readonly Buffer[] = []): SecretBox {
  if (current.length !== 32) throw new SecretBoxError('secret key must be 32 bytes');
  const keys = new Map<string, Buffer>();
  for (const k of [current, ...previous]) {
    if (k.length !== 32) throw new SecretBoxError('secret key must be 32 bytes');
    const id = secretKeyId(k);
    if (!keys.has(id)) keys.set(id, k);
  }
  const currentKeyId = secretKeyId(current);
  const keyIdOf = (sealed: string): string | null => {
    const parts = sealed.split('.');
    return parts.length === 4 && parts[0] === PREFIX && /^[0-9a-f]{16}$/.test(parts[1]!) ? parts[1]! : null;
  };
  return {
    currentKeyId,
    keyIds: [...keys.keys()],
    keyIdOf,
    seal(plaintext, name) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      cipher.setAAD(Buffer.from(name, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return [PREFIX, currentKeyId, iv.toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed, name) {
      const kid = keyIdOf(sealed);
      if (!kid) throw new SecretBoxError(`stored secret ${name} is not a sealed value`);
      const key = keys.get(kid);
      if (!key)
        throw new SecretBoxError(
          `stored secret ${name} was sealed with key ${kid}, which is not configured (set secrets.previous_keys while rotating)`,
        );
      const [, , ivText, bodyText] = sealed.split('.');
      const iv = Buffer.from(ivText!, 'base64url');
      const body = Buffer.from(bodyText!, 'base64url');
      if (iv.length !== 12 || body.length < 16) throw new SecretBoxError(`stored secret ${name} is truncated`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAAD(Buffer.from(name, 'utf8'));
        decipher.setAuthTag(body.subarray(body.length - 16));
        return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError(
          `stored secret ${name} does not authenticate under key ${kid} (altered, or sealed for another name)`,
        );
      }
    },
  };
}
