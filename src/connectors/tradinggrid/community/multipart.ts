import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export interface MultipartBody {
  contentType: string;
  /** A Buffer when everything is in memory (resendable), a Readable when a stream is piped through. */
  body: Buffer | Readable;
}

function quote(v: string): string {
  return v.replace(/[\r\n"\\]/g, (c) => (c === '"' ? '%22' : c === '\\' ? '\\\\' : ' '));
}

/**
 * multipart/form-data with plain text fields and one file part, built by hand so a Readable file
 * is streamed through without being held in memory.
 */
export function buildMultipart(
  fields: Record<string, string>,
  file: { field: string; filename: string; contentType: string; data: Buffer | Readable },
): MultipartBody {
  const boundary = `----gridbridge${randomBytes(12).toString('hex')}`;
  let head = '';
  for (const [k, v] of Object.entries(fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${quote(k)}"\r\n\r\n${v}\r\n`;
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.filename)}"\r\nContent-Type: ${file.contentType.replace(/[\r\n]/g, '')}\r\n\r\n`;
  const headBuf = Buffer.from(head);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const contentType = `multipart/form-data; boundary=${boundary}`;
  if (Buffer.isBuffer(file.data)) return { contentType, body: Buffer.concat([headBuf, file.data, tail]) };
  const stream = file.data;
  async function* parts(): AsyncGenerator<Uint8Array> {
    yield headBuf;
    for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    yield tail;
  }
  return { contentType, body: Readable.from(parts(), { objectMode: false }) };
}
