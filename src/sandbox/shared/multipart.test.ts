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
    const mp = buildMultipart(
      { name: 'x "y".bin', kind: 'other' },
      { field: 'file', filename: 'x "y".bin', contentType: 'application/octet-stream', data: data() },
    );
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

  // Known answers: bodies not built by our own code. RFC 7578 §4 (https://www.rfc-editor.org/rfc/rfc7578#section-4)
  // defines the format; undici's FormData is an independent encoder and decoder (WHATWG fetch).
  it('parses a body written by hand to RFC 7578', () => {
    const body = Buffer.from(
      '--AaB03x\r\n' +
        'Content-Disposition: form-data; name="kind"\r\n\r\n' +
        'proof_of_delivery\r\n' +
        '--AaB03x\r\n' +
        'Content-Disposition: form-data; name="file"; filename="pod 1.pdf"\r\n' +
        'Content-Type: application/pdf\r\n\r\n' +
        '%PDF-1.4\r\n--AaB0 not a boundary\r\n' +
        '\r\n--AaB03x--\r\n',
      'latin1',
    );
    const parts = parseMultipart(body, multipartBoundary('multipart/form-data; boundary=AaB03x')!);
    expect(parts.map((p) => ({ ...p, data: p.data.toString('latin1') }))).toEqual([
      { name: 'kind', filename: undefined, contentType: undefined, data: 'proof_of_delivery' },
      {
        name: 'file',
        filename: 'pod 1.pdf',
        contentType: 'application/pdf',
        data: '%PDF-1.4\r\n--AaB0 not a boundary\r\n',
      },
    ]);
  });

  it("parses what undici's FormData encodes, binary bytes and a quoted file name included", async () => {
    const { FormData, Response } = await import('undici');
    const fd = new FormData();
    fd.append('name', 'Zoë "quoted".bin');
    const bin = Buffer.from([0, 1, 13, 10, 45, 45, 200, 255]);
    fd.append('file', new Blob([bin], { type: 'application/octet-stream' }), 'Zoë "quoted".bin');
    const res = new Response(fd);
    const raw = Buffer.from(await res.arrayBuffer());
    const parts = parseMultipart(raw, multipartBoundary(res.headers.get('content-type') ?? undefined)!);
    expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ['name', undefined, undefined],
      ['file', 'Zoë "quoted".bin', 'application/octet-stream'],
    ]);
    expect(parts[0]!.data.toString('utf8')).toBe('Zoë "quoted".bin');
    expect([...parts[1]!.data]).toEqual([...bin]);
  });

  it.each([
    ['a Buffer', () => Buffer.from([0, 13, 10, 45, 45, 255])],
    ['a stream', () => Readable.from([Buffer.from([0, 13, 10]), Buffer.from([45, 45, 255])])],
  ])("what the driver builds from %s is read by undici's decoder as the same fields and bytes", async (_n, data) => {
    const { Response } = await import('undici');
    const mp = buildMultipart(
      { name: 'Zoë "y".bin', kind: 'other' },
      { field: 'file', filename: 'Zoë "y".bin', contentType: 'application/octet-stream', data: data() },
    );
    const fd = await new Response(await bytes(mp.body), { headers: { 'content-type': mp.contentType } }).formData();
    expect(fd.get('name')).toBe('Zoë "y".bin');
    expect(fd.get('kind')).toBe('other');
    const file = fd.get('file') as File;
    expect(file.name).toBe('Zoë "y".bin');
    expect(file.type).toBe('application/octet-stream');
    expect([...new Uint8Array(await file.arrayBuffer())]).toEqual([0, 13, 10, 45, 45, 255]);
  });

  it.each([
    ['multipart/form-data with no boundary parameter', 'multipart/form-data'],
    ['another type that carries a boundary', 'text/plain; boundary=abc'],
    ['a type that only contains multipart/form-data', 'text/x-not-multipart/form-data; boundary=abc'],
  ])('no boundary from %s', (_n, ct) => {
    expect(multipartBoundary(ct)).toBeUndefined();
  });

  it('reads parameters in any case, unquoted and backslash-escaped, percent-decodes only the WHATWG escapes, header names with white space, and ignores a line without a colon', () => {
    const body = Buffer.from(
      '--b\r\n' +
        'Content-Disposition: form-data; NAME=plain\r\n\r\n' +
        'v1\r\n--b\r\n' +
        'X-Junk-Line-Without-Colon\r\n' +
        'Content-Type : text/csv\r\n' +
        'Content-TypeX\r\n' +
        'Content-Disposition: form-data; Name="f"; FileName="a\\"b %0Ac%22 100%25.csv"\r\n\r\n' +
        'x,y\r\n--b--\r\n',
    );
    expect(parseMultipart(body, 'b').map((p) => [p.name, p.filename, p.contentType, p.data.toString()])).toEqual([
      ['plain', undefined, undefined, 'v1'],
      ['f', 'a"b \nc" 100%25.csv', 'text/csv', 'x,y'],
    ]);
  });

  it.each([
    ['a boundary followed by one dash', '--b-x\r\n', 'multipart: expected CRLF after boundary at byte 3'],
    [
      'a boundary followed by a character, then a dash',
      '--bx-\r\n',
      'multipart: expected CRLF after boundary at byte 3',
    ],
    ['a boundary followed by CR alone', '--b\rX', 'multipart: expected CRLF after boundary at byte 3'],
    ['a boundary followed by LF alone', '--bX\n', 'multipart: expected CRLF after boundary at byte 3'],
    ['no boundary line', 'hello', 'multipart body has no boundary line'],
    [
      'a truncated body',
      '--b\r\nContent-Disposition: form-data; name="f"\r\n\r\nabc',
      'multipart: body ends before the closing boundary (truncated upload?)',
    ],
    [
      'unterminated headers',
      '--b\r\nContent-Disposition: form-data',
      'multipart: part headers not terminated at byte 5',
    ],
    [
      'a part without a name',
      '--b\r\nContent-Type: text/plain\r\n\r\nabc\r\n--b--',
      'multipart: part without a name in Content-Disposition',
    ],
  ])('rejects %s with the exact reason', (_n, body, msg) => {
    expect(() => parseMultipart(Buffer.from(body), 'b')).toThrow(new Error(msg));
  });

  it('the driver writes the part headers exactly: quotes percent-encoded, backslashes escaped, line breaks blanked', async () => {
    const mp = buildMultipart(
      { 'kind "x"': 'other' },
      {
        field: 'file',
        filename: 'a"b\\c\r\nd.pdf',
        contentType: 'application/pdf\r\nX-Evil: 1',
        data: Buffer.from('%PDF'),
      },
    );
    const boundary = multipartBoundary(mp.contentType)!;
    expect(boundary).toMatch(/^----gridbridge[0-9a-f]{24}$/);
    expect((await bytes(mp.body)).toString('latin1').split(boundary).join('B')).toBe(
      '--B\r\nContent-Disposition: form-data; name="kind %22x%22"\r\n\r\nother\r\n' +
        '--B\r\nContent-Disposition: form-data; name="file"; filename="a%22b\\\\c  d.pdf"\r\nContent-Type: application/pdfX-Evil: 1\r\n\r\n%PDF\r\n--B--\r\n',
    );
  });

  it('the driver streams string chunks as their bytes', async () => {
    const mp = buildMultipart(
      {},
      {
        field: 'file',
        filename: 'x.txt',
        contentType: 'text/plain',
        data: Readable.from(['héllo ', 'wörld'], { objectMode: true }),
      },
    );
    const parts = parseMultipart(await bytes(mp.body), multipartBoundary(mp.contentType)!);
    expect(parts[0]!.data.toString('utf8')).toBe('héllo wörld');
  });
});
