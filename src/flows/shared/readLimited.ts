import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

export type LimitedRead = { ok: true; data: Buffer; sha256: string } | { ok: false; reason: string; tooLarge: boolean };

/** Read a stream into memory up to `maxBytes`, hashing as it goes; past the limit it is destroyed, not buffered. */
export async function readLimited(body: Readable, maxBytes: number): Promise<LimitedRead> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > maxBytes) {
        body.destroy();
        return {
          ok: false,
          reason: `file is larger than the ${maxBytes}-byte limit (documents.max_bytes)`,
          tooLarge: true,
        };
      }
      hash.update(b);
      chunks.push(b);
    }
  } catch (e) {
    // safeFetch's own size limit (connectors/http/safeFetch.ts BODY_TOO_LARGE) is final, not a network failure.
    if ((e as { code?: string }).code === 'EGB_TOO_LARGE')
      return { ok: false, reason: `${(e as Error).message} (documents.max_bytes)`, tooLarge: true };
    return { ok: false, reason: `download interrupted after ${size} bytes: ${(e as Error).message}`, tooLarge: false };
  }
  return { ok: true, data: Buffer.concat(chunks, size), sha256: hash.digest('hex') };
}
