import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { err, ok, type Result } from '../../core/result.ts';
import { mediaType } from '../../core/mediaType.ts';
import { safeFetch } from '../http/safeFetch.ts';
import { hostAllowed } from '../http/ssrfGuard.ts';
import { parseResponse } from './parse.ts';
import { taskAddress, type TaskRef } from './taskRef.ts';
import type { ResourceContext } from './tasks.ts';
import { invalidInput } from './transport.ts';
import { attachmentSchema, type ClickUpAttachment } from './types.ts';

export interface AttachmentUpload {
  filename: string;
  contentType: string;
  data: Buffer | Uint8Array;
}

export interface AttachmentDownload {
  contentType: string | undefined;
  contentLength: number | undefined;
  /** Must be consumed or destroyed by the caller. */
  body: Readable;
}

/** Hosts ClickUp serves attachment files from, besides the API host itself. */
/** ClickUp's file hosts (see config clickup.attachment_hosts): uploads on t{workspace}.p.clickup-attachments.com. */
export const DEFAULT_ATTACHMENT_HOSTS = [
  '*.clickup-attachments.com',
  'attachments.clickup.com',
  'attachments-public.clickup.com',
];

const quote = (s: string) => s.replace(/["\\\r\n]/g, (ch) => (ch === '"' ? '%22' : ch === '\\' ? '%5C' : ''));

/** One multipart/form-data body with a single file part, built in memory (attachments are bounded). */
export function multipartBody(field: string, file: AttachmentUpload): { boundary: string; body: Buffer } {
  const boundary = `----gridbridge${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${quote(file.filename)}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { boundary, body: Buffer.concat([head, Buffer.from(file.data), tail]) };
}

/** POST /v2/task/{task_id}/attachment as multipart/form-data, file in the field `attachment`. */
export async function uploadAttachment(
  c: ResourceContext,
  ref: TaskRef,
  file: AttachmentUpload,
): Promise<Result<ClickUpAttachment>> {
  const a = taskAddress(ref, c.teamId);
  if (typeof a === 'string') return invalidInput('uploadAttachment', a);
  if (!file.filename) return invalidInput('uploadAttachment', 'filename is empty');
  // Whatever the caller checked, nothing but a bare media type goes into the part's header (no CR/LF).
  const type = mediaType(file.contentType);
  if (type === null)
    return invalidInput(
      'uploadAttachment',
      `content type ${JSON.stringify(file.contentType)} is not a well-formed media type`,
    );
  file = { ...file, contentType: type };
  const { boundary, body } = multipartBody('attachment', file);
  const r = await c.t.request({
    method: 'POST',
    path: `${a.path}/attachment`,
    query: a.query,
    body,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(body.length) },
  });
  return parseResponse(attachmentSchema, `uploadAttachment(${file.filename})`, r);
}

/**
 * Streams an attachment URL. Only hosts we trust are fetched (the API host and `allowedHosts`), so a
 * crafted URL in a webhook cannot make us fetch an internal address; the token goes only to the API host.
 */
/** Limits on attachment fetches from hosts other than the API host, so a link in a task cannot make us fetch from inside our network (connectors/http/safeFetch.ts). */
export interface AttachmentFetchGuard {
  /** Sandboxes on 127.0.0.1 only (config clickup.allow_private_addresses); also lets http:// through unless allowHttp says no. */
  allowPrivateAddresses?: boolean;
  /** Plain http:// for attachment hosts; default: only with allowPrivateAddresses (sandboxes). */
  allowHttp?: boolean;
  /** Extra CA to trust for attachment hosts: tests serving ClickUp's host names with a test certificate only. */
  tlsCa?: string | Buffer;
  maxBytes?: number;
  contentTypes?: readonly string[];
  timeoutMs?: number;
  maxRedirects?: number;
  resolve?: Parameters<typeof safeFetch>[1]['resolve'];
}

export async function downloadAttachment(
  c: ResourceContext & { apiBase: URL; allowedHosts: readonly string[]; guard?: AttachmentFetchGuard },
  url: string,
): Promise<Result<AttachmentDownload>> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return invalidInput('downloadAttachment', `not a URL: ${url.slice(0, 100)}`);
  }
  const sameHost = u.host === c.apiBase.host;
  if (!sameHost && !hostAllowed(u.hostname, c.allowedHosts)) {
    return err({
      code: 'clickup:host_not_allowed',
      retryable: false,
      detail: `downloadAttachment: host ${u.hostname} is not an allowed attachment host`,
    });
  }
  if (
    u.protocol !== 'https:' &&
    !(sameHost && u.protocol === c.apiBase.protocol) &&
    !(c.guard?.allowHttp ?? c.guard?.allowPrivateAddresses)
  ) {
    return err({
      code: 'clickup:scheme_not_allowed',
      retryable: false,
      detail: `downloadAttachment: ${u.protocol} URLs are not fetched (https only)`,
    });
  }
  if (!sameHost) {
    // A host other than the configured API host: resolved address checked and pinned, redirects, size, time, type limited.
    const g = c.guard ?? {};
    const f = await safeFetch(u.toString(), {
      allowedHosts: c.allowedHosts,
      allowPrivateAddresses: g.allowPrivateAddresses,
      allowHttp: g.allowHttp ?? g.allowPrivateAddresses,
      maxBytes: g.maxBytes,
      contentTypes: g.contentTypes,
      timeoutMs: g.timeoutMs,
      maxRedirects: g.maxRedirects,
      resolve: g.resolve,
      tlsCa: g.tlsCa,
    });
    if (!f.ok) return f;
    return ok({ contentType: f.value.contentType, contentLength: f.value.contentLength, body: f.value.body });
  }
  const apiPath = c.apiBase.pathname.replace(/\/+$/, '');
  const metered = sameHost && apiPath !== '' && u.pathname.startsWith(apiPath + '/');
  const r = await c.t.stream(u, sameHost, metered);
  if (!r.ok) return r;
  const ct = r.value.headers['content-type'];
  const cl = r.value.headers['content-length'];
  return ok({
    contentType: Array.isArray(ct) ? ct[0] : ct,
    contentLength: cl !== undefined ? Number(Array.isArray(cl) ? cl[0] : cl) : undefined,
    body: r.value.body,
  });
}
