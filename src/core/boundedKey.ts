import { createHash } from 'node:crypto';

/** Longest id or key stored as is; a B-tree entry in PostgreSQL must stay under ~2.7 kB, and ids are compared often. */
export const MAX_KEY_BYTES = 256;

/**
 * An id or key the store can index whatever its length: short ones unchanged, long ones a readable
 * head plus the sha256 of the whole (deterministic, so a redelivery maps to the same key).
 */
export function boundedKey(s: string, max = MAX_KEY_BYTES): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  const digest = createHash('sha256').update(s, 'utf8').digest('hex');
  // The head is cut on characters, not bytes, then trimmed until it fits with the digest.
  let head = s.slice(0, 64);
  while (Buffer.byteLength(head, 'utf8') > 64) head = head.slice(0, -1);
  return `${head}…sha256:${digest}`;
}
