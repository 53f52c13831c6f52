import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseEdi, type ParsedEdi } from './parseEdi.ts';
import { readEdi } from './readEdi.ts';
import { comps, el } from './segment.ts';

const FIXTURES = new URL('../../../../test/fixtures/edi/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));

function chunked(buf: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return Readable.from(parts);
}

const summary = (p: ParsedEdi) => ({
  standard: p.standard,
  interchanges: p.interchanges.map(
    (ic) =>
      `${ic.sender.qualifier}:${ic.sender.id}>${ic.receiver.qualifier}:${ic.receiver.id}#${ic.control_number}/${ic.usage}`,
  ),
  transactions: p.interchanges.flatMap((ic) =>
    ic.groups.flatMap((g) =>
      g.transactions.map(
        (t) => `${g.control_number}/${t.set_id}/${t.control_number}/${t.business_reference?.value ?? '-'}`,
      ),
    ),
  ),
  acks: p.acknowledgments.map(
    (a) =>
      `${a.kind}:${a.acknowledges.interchange_control_number ?? ''}/${a.acknowledges.group_control_number ?? ''}/${a.acknowledges.transaction_control_number ?? ''}=${a.normalized}(${a.errors.map((e) => e.code).join(',')})`,
  ),
});

describe('parseEdi on fixtures written from the standards', () => {
  it.each([
    ['997-accepted.x12', { acks: ['997:/1001/=accepted()', '997:/1001/0001=accepted()', '997:/1001/0002=accepted()'] }],
    ['997-rejected.x12', { acks: ['997:/2001/=rejected()', '997:/2001/0001=rejected(8,7,8,6,5)'] }],
    ['999-rejected.x12', { acks: ['999:/3001/=rejected()', '999:/3001/0001=rejected(8,1,I5)'] }],
    ['ta1-rejected.x12', { acks: ['TA1:000000777//=rejected(006)'], transactions: [] }],
    ['824-rejected.x12', { acks: ['824:/2001/0001=rejected(024,007)'] }],
    [
      'contrl.edi',
      {
        acks: [
          'CONTRL:INT0042//=partially_accepted()',
          'CONTRL:INT0042//M1=accepted()',
          'CONTRL:INT0042//M2=rejected(12,12)',
        ],
      },
    ],
    ['contrl-rejected.edi', { acks: ['CONTRL:INT0042//=rejected(23)'.replace('42', '43')] }],
    ['aperak.edi', { acks: ['APERAK://M1=rejected(14)'], transactions: ['null/APERAK/AP1/APK-55'] }],
    [
      '850-856-810.x12',
      { transactions: ['1001/850/0001/PO-4711', '601/856/0001/ASN-88', '602/810/0001/INV-9001'], acks: [] },
    ],
    ['214-at7.x12', { transactions: ['701/214/0001/SHIP-55', '701/214/0002/SHIP-56'] }],
    ['180-return.x12', { transactions: ['801/180/0001/RMA-3001'] }],
    [
      'two-groups-no-newlines.x12',
      {
        transactions: ['1/850/1001/PO-1', '2/850/2001/PO-2', '2/850/2002/PO-3'],
        interchanges: ['ZZ:ACMESUPPLY>ZZ:GRIDBRIDGE#000001101/test'],
      },
    ],
    ['unusual-separators.x12', { transactions: ['901/850/0001/PO 4712  ', '902/850/0001/PO-4713'] }],
    [
      'orders-desadv-groups.edi',
      {
        standard: 'edifact',
        interchanges: ['14:5790000000001>ZZ:GRIDBRIDGE#I1/production', '14:5790000000001>ZZ:GRIDBRIDGE#I2/test'],
        transactions: ['G1/ORDERS/1/PO-E100', 'G1/ORDERS/2/PO-E100', 'null/DESADV/1/DES-77'],
      },
    ],
  ])('%s is understood', async (name, expected) => {
    const parsed = await parseEdi(fixture(name));
    expect(parsed.errors).toEqual([]);
    expect(summary(parsed)).toMatchObject(expected);
  });

  it('reports acknowledgement errors with segment, position and element', async () => {
    const parsed = await parseEdi(fixture('997-rejected.x12'));
    expect(parsed.acknowledgments[1]!.errors[1]).toEqual({
      segment: 'N1',
      position: 8,
      element: 2,
      code: '7',
      description: 'Invalid code value',
    });
  });

  it('keeps significant spaces and resolves the EDIFACT release character', async () => {
    const values: string[] = [];
    await readEdi(fixture('aperak.edi'), {}, { onSegment: (s) => s.tag === 'RFF' && values.push(comps(s, 1)[1]!) });
    expect(values).toEqual(['M1', 'PO+5001']);
    const beg: string[] = [];
    await readEdi(fixture('unusual-separators.x12'), {}, { onSegment: (s) => s.tag === 'BEG' && beg.push(el(s, 3)) });
    expect(beg).toEqual(['PO 4712  ', 'PO-4713']);
  });

  it.each(['850-856-810.x12', 'orders-desadv-groups.edi', 'unusual-separators.x12', 'aperak.edi', 'contrl.edi'])(
    '%s gives the same result whatever the chunk borders',
    async (name) => {
      const whole = await parseEdi(fixture(name));
      for (const size of [1, 2, 3, 7, 64]) expect(await parseEdi(chunked(fixture(name), size))).toEqual(whole);
    },
  );

  it('gives each segment its byte offset and number in the whole file', async () => {
    const buf = fixture('850-856-810.x12');
    const seen: { tag: string; offset: number; index: number }[] = [];
    await readEdi(
      chunked(buf, 5),
      {},
      { onSegment: (s) => seen.push({ tag: s.tag, offset: s.offset, index: s.index }) },
    );
    expect(seen.length).toBeGreaterThan(20);
    seen.forEach((s, i) => {
      expect(buf.toString('latin1', s.offset, s.offset + s.tag.length)).toBe(s.tag);
      expect(s.index).toBe(i + 1);
    });
  });
});

describe('parseEdi refuses broken files with a position, and reports what it read around the problem', () => {
  it.each([
    ['truncated.x12', 20, 'segment terminator', ['1201/850/0001']],
    ['edifact-truncated.edi', 12, 'expected UNT for UNH 1, found end of file', []],
    ['bad-counts.x12', 10, 'expected SE01 segment count 8, found "7"', ['1301/850/0001']],
  ])('%s', async (name, segment, message, around) => {
    const parsed = await parseEdi(fixture(name));
    expect(parsed.complete).toBe(false);
    expect(
      parsed.interchanges.flatMap((ic) =>
        ic.groups.flatMap((g) => g.transactions.map((t) => `${g.control_number}/${t.set_id}/${t.control_number}`)),
      ),
    ).toEqual(around);
    expect(parsed.errors[0]).toMatchObject({ segment });
    expect(parsed.errors[0]!.message).toContain(message);
    expect(parsed.errors[0]!.position).toBeGreaterThan(0);
  });

  it.each([
    ['', 'empty file'],
    ['hello world', 'an interchange header (ISA, UNA or UNB)'],
    ['ISA*00*  *00', 'a complete ISA header'],
    [
      'ISA*00*          *00*          *ZZ*A              *ZZ*B              *240301*0930*U*00401*000000001*0*P*>~GS*PO~',
      'expected GE',
    ],
    ["UNB+UNOA:3+A+B+240301:0930+1'UNH+1+ORDERS:D:96A:UN'BGM+220+1'UNT+3+1'", 'expected UNZ'],
    ["UNB+UNOA:3+A+B+240301:0930+1'UNZ+1+2'", 'UNZ 0036 count 0'],
    ["UNA:+.? 'UNH+1'", 'expected UNB before UNH'],
    [
      'ISA*00*          *00*          *ZZ*A              *ZZ*B              *240301*0930*U*00401*000000001*0*P*>~ST*850*1~',
      'expected GS',
    ],
    [
      'ISA*00*          *00*          *ZZ*A              *ZZ*B              *240301*0930*U*00401*000000001*0*P*>~ab*1~',
      'a segment tag',
    ],
  ])('%j is reported', async (text, message) => {
    const parsed = await parseEdi(Buffer.from(text, 'latin1'));
    expect(parsed.errors.length).toBeGreaterThan(0);
    expect(parsed.errors.map((e) => e.message).join('\n')).toContain(message);
    for (const e of parsed.errors) expect(e.position).toBeTypeOf('number');
    expect(parsed.complete).toBe(false);
  });

  it('rejects when the input stream fails: an I/O error is not a verdict on the file', async () => {
    const failing = new Readable({
      read() {
        this.push(fixture('850-856-810.x12').subarray(0, 100));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(parseEdi(failing)).rejects.toThrow('connection reset');
  });
});
