import { describe, expect, it } from 'vitest';
import { parseEdi } from './parseEdi.ts';
import { comps, el } from './segment.ts';
import { edifactOracle, segmentsOf } from '../../../../test/helpers/ediOracle.ts';
import {
  EDIFACT_DEFAULTS,
  EdiWriteError,
  writeEdifact,
  writeX12,
  X12_DEFAULTS,
  x12Text,
  type EdifactInterchange,
  type X12Interchange,
} from './writeEdi.ts';

const at = new Date(Date.UTC(2026, 11, 6, 21, 5));

const x12 = (o: Partial<X12Interchange> = {}): X12Interchange => ({
  syntax: X12_DEFAULTS,
  sender: { qualifier: 'ZZ', id: 'ACMEBUYER' },
  receiver: { qualifier: '01', id: '123456789' },
  functionalId: 'CA',
  controls: { interchange: 42, group: 7, transactions: [5, 6] },
  test: false,
  at,
  transactions: [
    { setId: '865', segments: [['BCA', '00', 'AT', 'PO-1', '', '2', '20261201']] },
    {
      setId: '865',
      segments: [
        ['BCA', '00', 'RJ', 'PO-2'],
        ['N9', 'L1', 'NOTES'],
        ['MSG', 'ok'],
      ],
    },
  ],
  ...o,
});

describe('writeX12', () => {
  it('writes an interchange our parser reads back with its control numbers, parties and business numbers', async () => {
    const buf = writeX12(x12());
    const p = await parseEdi(buf);
    expect(p.errors).toEqual([]);
    expect(p.interchanges).toEqual([
      {
        control_number: '000000042',
        sender: { qualifier: 'ZZ', id: 'ACMEBUYER' },
        receiver: { qualifier: '01', id: '123456789' },
        usage: 'production',
        groups: [
          {
            control_number: '7',
            functional_id: 'CA',
            transactions: [
              { set_id: '865', control_number: '0005', business_reference: { type: 'purchase_order', value: 'PO-1' } },
              { set_id: '865', control_number: '0006', business_reference: { type: 'purchase_order', value: 'PO-2' } },
            ],
          },
        ],
      },
    ]);
    const text = buf.toString('latin1');
    expect(
      text.startsWith(
        'ISA*00*          *00*          *ZZ*ACMEBUYER      *01*123456789      *261206*2105*U*00401*000000042*0*P*:~',
      ),
    ).toBe(true);
    expect(text).toContain('SE*3*0005~');
    expect(text).toContain('SE*5*0006~');
    expect(text.endsWith('GE*2*7~IEA*1*000000042~')).toBe(true);
  });

  it('writes a test interchange, a repetition separator, other separators and a line break after each segment', async () => {
    const syntax = {
      ...X12_DEFAULTS,
      element: '|',
      component: '>',
      segment: '\\',
      repetition: '^',
      interchangeVersion: '00501',
      groupVersion: '005010',
      suffix: '\n',
    };
    const buf = writeX12(x12({ syntax, test: true }));
    const p = await parseEdi(buf);
    expect(p.errors).toEqual([]);
    expect(p.interchanges[0]!.usage).toBe('test');
    const segs = await segmentsOf(buf);
    expect(segs[0]!.elements[11]).toBe('^');
    expect(segs[0]!.elements[16]).toBe('>');
    expect(buf.toString().split('\n')).toHaveLength(13);
  });

  it('drops trailing empty elements and components, keeps inner ones', async () => {
    const buf = writeX12(
      x12({
        transactions: [
          {
            setId: '864',
            segments: [
              ['MIT', 'R1', '', ''], // any-message-ok: segment elements, not an error message
              ['REF', 'ZZ', '', ['a', 'b', '', '']],
            ],
          },
        ],
        controls: { interchange: 1, group: 1, transactions: [1] },
      }),
    );
    expect(buf.toString()).toContain('~MIT*R1~REF*ZZ**a:b~');
  });

  it.each([
    ['an element value', [['MSG', 'a*b']]],
    ['a component', [['REF', 'ZZ', ['a~b']]]],
  ] as const)('refuses %s holding a separator (the caller makes free text safe with x12Text)', (_w, segments) => {
    expect(() =>
      writeX12(
        x12({ transactions: [{ setId: '864', segments }], controls: { interchange: 1, group: 1, transactions: [1] } }),
      ),
    ).toThrow(EdiWriteError);
  });

  it.each([
    ['ISA13 zero', { interchange: 0, group: 1, transactions: [1] }],
    ['ISA13 ten digits', { interchange: 1_000_000_000, group: 1, transactions: [1] }],
    ['fewer ST02 numbers than sets', { interchange: 1, group: 1, transactions: [] }],
  ])('refuses %s', (_w, controls) => {
    expect(() => writeX12(x12({ controls, transactions: [{ setId: '864', segments: [] }] }))).toThrow(EdiWriteError);
  });

  it('refuses an id longer than its ISA field, and separators that are letters or repeated', () => {
    expect(() => writeX12(x12({ sender: { qualifier: 'ZZ', id: 'X'.repeat(16) } }))).toThrow(/ISA06/);
    expect(() => writeX12(x12({ syntax: { ...X12_DEFAULTS, component: '*' } }))).toThrow(EdiWriteError);
    expect(() => writeX12(x12({ syntax: { ...X12_DEFAULTS, segment: 'X' } }))).toThrow(EdiWriteError);
  });

  it('writes UTF-8 text that our parser decodes again', async () => {
    const note = x12Text('Partner’s note: 3*4 ~ done\nnext', X12_DEFAULTS);
    expect(note).toBe('Partner’s note 3 4 done next');
    const buf = writeX12(
      x12({
        transactions: [{ setId: '864', segments: [['MSG', note]] }],
        controls: { interchange: 1, group: 1, transactions: [1] },
      }),
    );
    const msg = (await segmentsOf(buf)).find((s) => s.tag === 'MSG')!;
    expect(el(msg, 1)).toBe(note);
  });
});

const edifact = (o: Partial<EdifactInterchange> = {}): EdifactInterchange => ({
  syntax: EDIFACT_DEFAULTS,
  sender: { qualifier: '14', id: '5790000000001' },
  receiver: { qualifier: 'ZZ', id: 'PARTNER' },
  controls: { interchange: 1234, group: 1, transactions: [9] },
  test: false,
  at,
  messages: [
    {
      type: 'ORDRSP',
      version: 'D',
      release: '96A',
      agency: 'UN',
      association: 'EAN008',
      segments: [
        ['BGM', ['231'], 'RSP-1', '29'],
        ['DTM', ['137', '20261206', '102']],
        ['FTX', 'AAI', '', '', ["Price 3+4? it's: ok", 'line 2']],
        ['RFF', ['ON', 'PO:7']],
      ],
    },
  ],
  ...o,
});

describe('writeEdifact', () => {
  it('writes an interchange our parser and the edifact package read back alike, released characters included', async () => {
    const buf = writeEdifact(edifact());
    expect(buf.toString('latin1')).toContain("FTX+AAI+++Price 3?+4?? it?'s?: ok:line 2'");
    const p = await parseEdi(buf);
    expect(p.errors).toEqual([]);
    expect(p.interchanges[0]).toMatchObject({
      control_number: '1234',
      sender: { qualifier: '14', id: '5790000000001' },
      receiver: { qualifier: 'ZZ', id: 'PARTNER' },
      usage: 'production',
    });
    expect(p.interchanges[0]!.groups[0]!.transactions).toEqual([
      { set_id: 'ORDRSP', control_number: '9', business_reference: { type: 'purchase_order', value: 'RSP-1' } },
    ]);
    const ftx = (await segmentsOf(buf)).find((s) => s.tag === 'FTX')!;
    expect(comps(ftx, 4)).toEqual(["Price 3+4? it's: ok", 'line 2']);
    const oracle = edifactOracle(buf);
    expect(oracle.map((s) => s.name)).toEqual(['UNB', 'UNH', 'BGM', 'DTM', 'FTX', 'RFF', 'UNT', 'UNZ']);
    expect(oracle[1]!.elements).toEqual([['9'], ['ORDRSP', 'D', '96A', 'UN', 'EAN008']]);
    expect(oracle[4]!.elements[3]).toEqual(["Price 3+4? it's: ok", 'line 2']);
    expect(oracle[5]!.elements).toEqual([['ON', 'PO:7']]);
    expect(oracle[6]!.elements).toEqual([['6'], ['9']]);
  });

  it('writes syntax version 4 dates (CCYYMMDD) and the test indicator, with other separators announced in UNA (the edifact package builds regular expressions from them unescaped: ^ or > would break it, not the file)', async () => {
    const syntax = {
      ...EDIFACT_DEFAULTS,
      element: '|',
      segment: '!',
      syntaxVersion: '4' as const,
      una: false,
      suffix: '\r\n',
    };
    const buf = writeEdifact(edifact({ syntax, test: true }));
    expect(
      buf
        .toString('latin1')
        .startsWith('UNA:|.?*!\r\nUNB|UNOC:4|5790000000001:14|PARTNER:ZZ|20261206:2105|1234||||||1!'),
    ).toBe(true);
    const p = await parseEdi(buf);
    expect(p.errors).toEqual([]);
    expect(p.interchanges[0]!.usage).toBe('test');
    expect(edifactOracle(buf)[0]!.elements[3]).toEqual(['20261206', '2105']);
  });

  it.each([
    ['UNOC', 'latin1', 'Müller’s', 'Müller s'],
    ['UNOW', 'utf8', 'Müller’s', 'Müller’s'],
    ['UNOA', 'latin1', 'Müller’s a+b', 'M LLER S A+B'],
  ] as const)(
    'writes %s text in its character set (out-of-set characters become spaces)',
    async (syntaxId, _enc, text, expected) => {
      const buf = writeEdifact(
        edifact({
          syntax: { ...EDIFACT_DEFAULTS, syntaxId },
          messages: [
            { type: 'APERAK', version: 'D', release: '96A', agency: 'UN', segments: [['FTX', 'AAO', '', '', [text]]] },
          ],
        }),
      );
      const ftx = (await segmentsOf(buf)).find((s) => s.tag === 'FTX')!;
      expect(comps(ftx, 4)).toEqual([expected]);
      expect(edifactOracle(buf)[2]!.elements[3]).toEqual([expected]);
    },
  );

  it('refuses a character set it does not write, and a UNH reference missing', () => {
    expect(() => writeEdifact(edifact({ syntax: { ...EDIFACT_DEFAULTS, syntaxId: 'UNOK' } }))).toThrow(/UNOK/);
    expect(() => writeEdifact(edifact({ controls: { interchange: 1, group: 1, transactions: [] } }))).toThrow(
      EdiWriteError,
    );
  });
});
