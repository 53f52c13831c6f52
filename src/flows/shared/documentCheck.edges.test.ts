import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { mediaType } from '../../core/mediaType.ts';
import { checkDocument, type DocumentLimits } from './documentCheck.ts';
import { readLimited } from './readLimited.ts';

// The check every file passed on goes through (flow 3 both ways, approval documents, partner e-mail), at its edges,
// with in-memory streams only: each refusal whole, the body destroyed on refusal, sizes at the limit, chunked reads.

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const chunks = (...parts: string[]) => Readable.from(parts.map((p) => Buffer.from(p)));
/** A stream that yields `first` and then fails with `error`. */
const failing = (first: string, error: Error) =>
  Readable.from(
    (async function* () {
      yield Buffer.from(first);
      throw error;
    })(),
  );

describe('mediaType: what may go into a header we write', () => {
  it.each([
    ['text/plain', 'text/plain'],
    ['TEXT/Plain', 'text/plain'],
    ['text/plain;', 'text/plain'],
    ['text/plain ; charset=utf-8', 'text/plain'],
    ['\ttext/plain\t', 'text/plain'],
    ["application/x.a!#$%&'*+^_`|~-1", "application/x.a!#$%&'*+^_`|~-1"],
    ['a/b', 'a/b'],
    [`a/${'b'.repeat(253)}`, `a/${'b'.repeat(253)}`],
  ])('%j → %j', (raw, want) => {
    expect(mediaType(raw)).toBe(want);
  });

  it.each([
    ['a length over 255', `a/${'b'.repeat(254)}`],
    ['NUL', 'text/plain\u0000'],
    ['backspace', 'text/plain\u0008'],
    ['line feed', 'text/\nplain'],
    ['vertical tab', 'text/plain\u000b'],
    ['unit separator', '\u001ftext/plain'],
    ['DEL', 'text/plain\u007f'],
    ['a quote', 'text/pl"ain'],
    ['a comma', 'text/plain,text/html'],
    ['a parenthesis', 'te(xt/plain'],
    ['a space inside', 'text /plain'],
    ['a text before', 'x text/plain'],
    ['no type', '/plain'],
    ['two slashes', 'text//plain'],
    ['null', null],
    ['undefined', undefined],
    ['only parameters', '; charset=utf-8'],
  ])('refuses %s', (_n, raw) => {
    expect(mediaType(raw)).toBeNull();
  });
});

describe('checkDocument: each outcome whole', () => {
  const limits = (over: Partial<DocumentLimits> = {}): DocumentLimits => ({
    max_bytes: 10,
    content_types: ['application/pdf', 'Text/Plain'],
    ...over,
  });

  it.each<[string, string | undefined, DocumentLimits, object]>([
    [
      'no content type',
      undefined,
      limits(),
      { status: 'fail', error: 'doc 1: content type null is not a well-formed media type' },
    ],
    [
      'a malformed type, quoted as received',
      'text/plain\r\nX: 1',
      limits(),
      { status: 'fail', error: 'doc 1: content type "text/plain\\r\\nX: 1" is not a well-formed media type' },
    ],
    [
      'a type not allowed',
      'text/html; charset=utf-8',
      limits(),
      { status: 'fail', error: 'doc 1 has content type text/html, not in documents.content_types' },
    ],
  ])('refuses %s before reading, and destroys the body', async (_n, contentType, l, outcome) => {
    const body = chunks('hello');
    expect(await checkDocument(body, { label: 'doc 1', contentType }, l)).toStrictEqual({ ok: false, outcome });
    expect(body.destroyed).toBe(true);
  });

  it.each<[string, string, DocumentLimits]>([
    ['an allow-list entry written in capitals', 'text/plain', limits()],
    ['a type in capitals', 'APPLICATION/PDF', limits()],
    ['an empty allow-list: any well-formed type', 'image/x-anything', limits({ content_types: [] })],
  ])('passes %s', async (_n, contentType, l) => {
    const r = await checkDocument(chunks('he', 'llo'), { label: 'doc', contentType }, l);
    expect(r).toStrictEqual({
      ok: true,
      data: Buffer.from('hello'),
      sha256: sha('hello'),
      contentType: contentType.toLowerCase(),
    });
  });

  it.each([
    ['exactly max_bytes, in two chunks', ['01234', '56789'], { ok: true }],
    [
      'one byte over, in the last chunk',
      ['01234', '567890'],
      {
        ok: false,
        outcome: { status: 'fail', error: 'doc: file is larger than the 10-byte limit (documents.max_bytes)' },
      },
    ],
  ])('%s', async (_n, parts, want) => {
    const body = chunks(...parts);
    const r = await checkDocument(body, { label: 'doc', contentType: 'application/pdf' }, limits());
    expect(r).toMatchObject(want);
    if (!r.ok) expect(body.destroyed).toBe(true);
  });

  it.each<[string, string | undefined, object]>([
    ['the stated hash', sha('hello'), { ok: true }],
    ['the stated hash in capitals', sha('hello').toUpperCase(), { ok: true }],
    ['no stated hash', undefined, { ok: true }],
    [
      'another hash: retried (the download may have been cut)',
      sha('hell'),
      {
        ok: false,
        outcome: {
          status: 'retry',
          error: `doc: downloaded bytes hash to ${sha('hello')}, metadata says ${sha('hell')}`,
        },
      },
    ],
  ])('%s', async (_n, sha256, want) => {
    const r = await checkDocument(
      chunks('hello'),
      { label: 'doc', contentType: 'text/plain', ...(sha256 === undefined ? {} : { sha256 }) },
      limits(),
    );
    expect(r).toMatchObject(want);
  });

  it('a read cut short is retried with what was read; a size refused by the fetch is final', async () => {
    expect(
      await checkDocument(
        failing('abc', new Error('socket hang up')),
        { label: 'doc', contentType: 'text/plain' },
        limits(),
      ),
    ).toStrictEqual({
      ok: false,
      outcome: { status: 'retry', error: 'download interrupted after 3 bytes: socket hang up' },
    });
    const tooLarge = Object.assign(new Error('body over 10 bytes'), { code: 'EGB_TOO_LARGE' });
    expect(
      await checkDocument(failing('abc', tooLarge), { label: 'doc', contentType: 'text/plain' }, limits()),
    ).toStrictEqual({ ok: false, outcome: { status: 'fail', error: 'doc: body over 10 bytes (documents.max_bytes)' } });
  });
});

describe('readLimited', () => {
  it.each([
    ['empty', [], 0, { ok: true, data: Buffer.alloc(0), sha256: sha('') }],
    ['empty with a limit of 0', [], 0, { ok: true, data: Buffer.alloc(0), sha256: sha('') }],
    ['three chunks', ['a', 'bc', 'd'], 4, { ok: true, data: Buffer.from('abcd'), sha256: sha('abcd') }],
    [
      'over in the first chunk',
      ['abcde'],
      4,
      { ok: false, reason: 'file is larger than the 4-byte limit (documents.max_bytes)', tooLarge: true },
    ],
  ])('%s', async (_n, parts, max, want) => {
    expect(await readLimited(chunks(...parts), max)).toStrictEqual(want);
  });

  it('an error without a code, or with another one, is an interrupted download', async () => {
    const other = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    expect(await readLimited(failing('ab', other), 10)).toStrictEqual({
      ok: false,
      reason: 'download interrupted after 2 bytes: reset',
      tooLarge: false,
    });
  });
});
