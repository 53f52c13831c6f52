/** Reading request bodies for the Trading Grid sandbox: JSON objects, document uploads (multipart or base64 JSON). */
import type { IncomingMessage } from 'node:http';
import { multipartBoundary, parseMultipart } from '../shared/multipart.ts';
import { readBody } from '../shared/router.ts';
import { SandboxError, type DocumentInput } from './state.ts';

export const JSON_LIMIT = 1 << 20;
export const UPLOAD_LIMIT = 100 << 20;

export function parseJson(buf: Buffer): Record<string, unknown> {
  if (buf.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new SandboxError(400, 'invalid_json', `body is not JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new SandboxError(400, 'invalid_json', 'body must be a JSON object');
  return v as Record<string, unknown>;
}

export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Document upload body: multipart (`file` + `name`/`kind` fields) or JSON with `content_base64`. */
export async function readDocumentUpload(req: IncomingMessage): Promise<DocumentInput> {
  const ct = headerOf(req, 'content-type');
  const boundary = multipartBoundary(ct);
  const raw = await readBody(req, UPLOAD_LIMIT);
  if (boundary) {
    let parts;
    try {
      parts = parseMultipart(raw, boundary);
    } catch (e) {
      throw new SandboxError(400, 'invalid_multipart', (e as Error).message);
    }
    const file = parts.find((p) => p.filename !== undefined) ?? parts.find((p) => p.name === 'file');
    if (!file) throw new SandboxError(400, 'invalid_multipart', 'multipart body has no file part');
    const field = (n: string) => parts.find((p) => p.name === n && p !== file)?.data.toString('utf8');
    return {
      name: field('name') ?? file.filename ?? 'document',
      kind: (field('kind') ?? 'other') as DocumentInput['kind'],
      contentType: field('content_type') ?? file.contentType ?? 'application/octet-stream',
      content: Buffer.from(file.data),
    };
  }
  const b = parseJson(raw);
  if (typeof b.content_base64 !== 'string')
    throw new SandboxError(
      400,
      'invalid_upload',
      'send multipart/form-data with a file part, or JSON with content_base64',
    );
  return {
    name: String(b.name ?? 'document'),
    kind: (b.kind ?? 'other') as DocumentInput['kind'],
    contentType: String(b.content_type ?? 'application/octet-stream'),
    content: Buffer.from(b.content_base64, 'base64'),
  };
}

export function docsFromJson(v: unknown): DocumentInput[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((d: Record<string, unknown>) => ({
    name: String(d.name ?? 'document'),
    kind: (d.kind ?? 'other') as DocumentInput['kind'],
    contentType: String(d.content_type ?? d.contentType ?? 'application/octet-stream'),
    content:
      typeof d.content_base64 === 'string'
        ? Buffer.from(d.content_base64, 'base64')
        : Buffer.from(String(d.content ?? ''), 'utf8'),
  }));
}
