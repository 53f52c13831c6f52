import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildMultipart } from '../../connectors/tradinggrid/community/multipart.ts';
import { multipartBoundary, parseMultipart } from './multipart.ts';

async function bytes(b: Buffer | Readable): Promise<Buffer> {
  if (Buffer.isBuffer(b)) return b;
  const chunks: Buffer[] = [];
  for await (const c of b) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('multipart', () => {
  it.each([
    ['multipart/form-data; boundary=abc', 'abc'],
    ['multipart/form-data; boundary="a b;c"', 'a b;c'],
    ['Multipart/Form-Data; charset=utf-8; boundary=xyz', 'xyz'],
    ['application/json', undefined],
    [undefined, undefined],
  ])('boundary of %s is %s', (ct, b) => {
    expect(multipartBoundary(ct)).toBe(b);
  });

  it.each([
    ['a Buffer', () => Buffer.from([0, 13, 10, 45, 45, 255])],
    ['a stream', () => Readable.from([Buffer.from([0, 13, 10]), Buffer.from([45, 45, 255])])],
  ])('what the driver builds from %s parses back to the same fields and bytes', async (_n, data) => {
    const mp = buildMultipart({ name: 'x "y".bin', kind: 'other' }, { field: 'file', filename: 'x "y".bin', contentType: 'application/octet-stream', data: data() });
    const parts = parseMultipart(await bytes(mp.body), multipartBoundary(mp.contentType)!);
    expect(parts.map((p) => p.name)).toEqual(['name', 'kind', 'file']);
    expect(parts[2]!.filename).toBe('x "y".bin'); // percent-encoded quotes decode back (WHATWG form encoding)
    expect(parts[2]!.contentType).toBe('application/octet-stream');
    expect([...parts[2]!.data]).toEqual([0, 13, 10, 45, 45, 255]);
  });

  it.each([
    ['no boundary line', 'hello', 'no boundary line'],
    ['a truncated body', '--b\r\nContent-Disposition: form-data; name="f"\r\n\r\nabc', 'truncated'],
    ['unterminated headers', '--b\r\nContent-Disposition: form-data', 'not terminated'],
    ['a part without a name', '--b\r\nContent-Type: text/plain\r\n\r\nabc\r\n--b--', 'without a name'],
  ])('rejects %s', (_n, body, msg) => {
    expect(() => parseMultipart(Buffer.from(body), 'b')).toThrow(msg);
  });
});
