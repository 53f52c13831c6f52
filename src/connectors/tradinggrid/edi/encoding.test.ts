import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEdi } from './parseEdi.ts';

const FIXTURES = new URL('../../../../test/fixtures/edi/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));

/** The 824 fixture with TED02 replaced by `text` encoded as given. */
function x12With(text: string, encoding: BufferEncoding): Buffer {
  const [head, tail] = fixture('824-rejected.x12').toString('latin1').split('UNIT PRICE DOES NOT MATCH CONTRACT');
  return Buffer.concat([Buffer.from(head!, 'latin1'), Buffer.from(text, encoding), Buffer.from(tail!, 'latin1')]);
}

/** An APERAK whose FTX text is `bytes`, under syntax identifier `syntax`. */
function edifactWith(syntax: string, bytes: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      `UNB+${syntax}:3+5790000000001:14+GRIDBRIDGE:ZZ+240301:0930+A1'UNH+AP1+APERAK:D:96A:UN'BGM+305+APK-55+27'RFF+ACW:M1'ERC+14'FTX+AAO+++`,
      'latin1',
    ),
    bytes,
    Buffer.from(`'UNT+6+AP1'UNZ+1+A1'`, 'latin1'),
  ]);
}

const tedText = async (buf: Buffer, opts = {}) => {
  const p = await parseEdi(buf, opts);
  expect(p.errors).toEqual([]);
  return p.acknowledgments[0]!.errors[0]!.description;
};

describe('text is decoded in the character set of its interchange', () => {
  it('X12 is UTF-8 by default (a partner’s apostrophe U+2019 comes out whole), latin1 when configured, and bytes that are not UTF-8 fall back to latin1', async () => {
    expect(await tedText(x12With('Acme’s price – not agreed', 'utf8'))).toBe('Acme’s price – not agreed');
    expect(await tedText(x12With('Acme’s price', 'utf8'), { x12Encoding: 'latin1' })).toBe(
      Buffer.from('Acme’s price', 'utf8').toString('latin1'),
    );
    expect(await tedText(x12With('Müller GmbH', 'latin1'))).toBe('Müller GmbH');
  });

  it.each([
    ['UNOC', Buffer.from('Caf\xe9 cr\xe8me', 'latin1'), 'Café crème'],
    ['UNOD', Buffer.from([0xa3, 0xf3, 0x64, 0xbc]), 'Łódź'],
    ['UNOE', Buffer.from([0xbc, 0xde, 0xe1, 0xda, 0xd2, 0xd0]), 'Москва'],
    ['UNOW', Buffer.from('Acme’s price', 'utf8'), 'Acme’s price'],
    ['UNOY', Buffer.from('東京', 'utf8'), '東京'],
    ['UNOA', Buffer.from('Acme’s', 'utf8'), 'Acme’s'],
  ])('EDIFACT %s', async (syntax, bytes, text) => {
    expect(await tedText(edifactWith(syntax, bytes))).toBe(text);
  });

  it('a kept value of 13 characters or more keeps characters above U+00FF (a latin1 copy cut them)', async () => {
    const buf = Buffer.from(
      fixture('824-rejected.x12').toString('latin1').replace('BGN*00*AA-7788', 'BGN*00*ŁÓDŹ-ADVICE-0001'),
      'utf8',
    );
    const p = await parseEdi(buf);
    expect(p.errors).toEqual([]);
    expect(p.interchanges[0]!.groups[0]!.transactions[0]!.business_reference?.value).toBe('ŁÓDŹ-ADVICE-0001');
  });
});
