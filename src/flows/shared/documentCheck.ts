import type { Readable } from 'node:stream';
import { mediaType } from '../../core/mediaType.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import { readLimited } from './readLimited.ts';

export interface DocumentLimits {
  /** documents.max_bytes */
  max_bytes: number;
  /** documents.content_types (empty: any well-formed type) */
  content_types: readonly string[];
}

export type CheckedDocument =
  { ok: true; data: Buffer; sha256: string; contentType: string } | { ok: false; outcome: JobOutcome };

/**
 * A file's content type as it may be passed on: well-formed (core/mediaType.ts: bare, lower case, no CR/LF or other
 * header tricks) and on the `documents.content_types` allow-list (compared without case; empty: any). Refusals are
 * final (`fail`). Used by checkDocument and by the ClickUp → Trading Grid upload, which reads its bytes itself.
 */
export function checkContentType(
  label: string,
  raw: string | undefined | null,
  allowed: readonly string[],
): { ok: true; contentType: string } | { ok: false; outcome: JobOutcome } {
  const type = mediaType(raw);
  if (type === null)
    return {
      ok: false,
      outcome: {
        status: 'fail',
        error: `${label}: content type ${JSON.stringify(raw ?? null)} is not a well-formed media type`,
      },
    };
  if (allowed.length > 0 && !allowed.map((t) => t.toLowerCase()).includes(type))
    return {
      ok: false,
      outcome: { status: 'fail', error: `${label} has content type ${type}, not in documents.content_types` },
    };
  return { ok: true, contentType: type };
}

/**
 * The one check every file the bridge passes on goes through (flow 3 uploads, approval documents, files
 * e-mailed to partners): a well-formed content type (no CR/LF or other header tricks) on the
 * `documents.content_types` allow-list, at most `documents.max_bytes` (read as a stream and stopped at
 * the limit, never buffered past it), and, when the sender stated one, the sha256 of the bytes read.
 * On refusal the body is destroyed and the outcome says why: a bad type or size is final (`fail`), an
 * interrupted read or a hash that disagrees is retried (the download may have been cut).
 */
export async function checkDocument(
  body: Readable,
  doc: { label: string; contentType: string | undefined; sha256?: string },
  limits: DocumentLimits,
): Promise<CheckedDocument> {
  const checkedType = checkContentType(doc.label, doc.contentType, limits.content_types);
  if (!checkedType.ok) {
    body.destroy();
    return checkedType;
  }
  const type = checkedType.contentType;
  const read = await readLimited(body, limits.max_bytes);
  if (!read.ok)
    return {
      ok: false,
      outcome: read.tooLarge
        ? { status: 'fail', error: `${doc.label}: ${read.reason}` }
        : { status: 'retry', error: read.reason },
    };
  if (doc.sha256 !== undefined && read.sha256 !== doc.sha256.toLowerCase()) {
    return {
      ok: false,
      outcome: {
        status: 'retry',
        error: `${doc.label}: downloaded bytes hash to ${read.sha256}, metadata says ${doc.sha256}`,
      },
    };
  }
  return { ok: true, data: read.data, sha256: read.sha256, contentType: type };
}
