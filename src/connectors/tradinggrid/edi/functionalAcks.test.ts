import { describe, expect, it } from 'vitest';
import { parseEdi } from './parseEdi.ts';
import { edifactOracle, segmentsOf } from '../../../../test/helpers/ediOracle.ts';
import { EDIFACT_DEFAULTS, writeEdifact, writeX12, X12_DEFAULTS } from './writeEdi.ts';
import {
  contrlFor,
  x12FunctionalAck,
  x12Ta1,
  X12_999_CONVENTION,
  type ReceivedGroup,
  type ReceivedInterchange,
} from './functionalAcks.ts';
import type { Acknowledgment } from './acknowledgments.ts';

const at = new Date(Date.UTC(2026, 11, 7, 1, 2));

const x12Ic = (o: Partial<ReceivedInterchange> = {}): ReceivedInterchange => ({
  standard: 'x12',
  control: '000000905',
  sender: { qualifier: 'ZZ', id: 'ACMESUPPLY' },
  receiver: { qualifier: 'ZZ', id: 'GRIDBRIDGE' },
  date: '261206',
  time: '1200',
  version: '00401',
  ackRequested: false,
  usage: 'production',
  groups: [],
  errors: [],
  ...o,
});

const edifactIc = (o: Partial<ReceivedInterchange> = {}): ReceivedInterchange => ({
  ...x12Ic(),
  standard: 'edifact',
  control: 'ICR77',
  sender: { qualifier: '14', id: '5790000000001' },
  receiver: { qualifier: 'ZZ', id: 'GRIDBRIDGE' },
  version: 'UNOC:3',
  ...o,
});

/** The acknowledgements as our reader reports them, reduced to what the builder decided. */
function reading(acks: Acknowledgment[]) {
  return acks.map((a) => ({
    kind: a.kind,
    acknowledges: a.acknowledges,
    normalized: a.normalized,
    errors: a.errors.map((e) =>
      Object.fromEntries(
        Object.entries({
          code: e.code,
          segment: e.segment,
          position: e.position,
          element: e.element,
          component: e.component,
          repetition: e.repetition,
        }).filter(([, v]) => v !== undefined),
      ),
    ),
  }));
}

async function writeAndRead(kind: '997' | '999', groups: ReceivedGroup[], ta1?: ReceivedInterchange) {
  const file = writeX12({
    syntax: {
      ...X12_DEFAULTS,
      ...(kind === '999' ? { interchangeVersion: '00501', groupVersion: X12_999_CONVENTION, repetition: '^' } : {}),
    },
    sender: { qualifier: 'ZZ', id: 'GRIDBRIDGE' },
    receiver: { qualifier: 'ZZ', id: 'ACMESUPPLY' },
    functionalId: 'FA',
    controls: { interchange: 3, group: 3, transactions: groups.map((_, i) => i + 1) },
    test: false,
    at,
    ...(ta1 ? { interchangeSegments: [x12Ta1(ta1)] } : {}),
    transactions: groups.map((g) => x12FunctionalAck(kind, g, X12_DEFAULTS)),
  });
  const parsed = await parseEdi(file);
  expect(parsed.errors).toEqual([]);
  return { file, parsed, acks: reading(parsed.acknowledgments) };
}

const po = (control: string, extra: Partial<ReceivedGroup['transactions'][number]> = {}) => ({
  setId: '850',
  control,
  ...extra,
});

describe('997: the codes per outcome, read back by our reader', () => {
  const cases: Array<{
    name: string;
    group: ReceivedGroup;
    ak5: string[];
    ak9: string[];
    expected: ReturnType<typeof reading>;
  }> = [
    {
      name: 'every transaction accepted: AK5 A, AK9 A with the counts',
      group: { functionalId: 'PO', control: '905', version: '004010', transactions: [po('0001'), po('0002')] },
      ak5: ['A', 'A'],
      ak9: ['A', '2', '2', '2'],
      expected: [
        { kind: '997', acknowledges: { group_control_number: '905' }, normalized: 'accepted', errors: [] },
        {
          kind: '997',
          acknowledges: { group_control_number: '905', transaction_control_number: '0001' },
          normalized: 'accepted',
          errors: [],
        },
        {
          kind: '997',
          acknowledges: { group_control_number: '905', transaction_control_number: '0002' },
          normalized: 'accepted',
          errors: [],
        },
      ],
    },
    {
      name: 'one rejected for an element (AK3 8, AK4 with its component), one accepted: AK5 R 5, AK9 P',
      group: {
        functionalId: 'PO',
        control: '906',
        version: '004010',
        transactions: [
          po('0001', {
            segments: [{ tag: 'PO1', position: 4, elements: [{ position: 7, component: 2, code: '7', value: 'X*Y' }] }],
          }),
          po('0002'),
        ],
      },
      ak5: ['R:5', 'A'],
      ak9: ['P', '2', '2', '1'],
      expected: [
        {
          kind: '997',
          acknowledges: { group_control_number: '906' },
          normalized: 'partially_accepted',
          errors: [],
        },
        {
          kind: '997',
          acknowledges: { group_control_number: '906', transaction_control_number: '0001' },
          normalized: 'rejected',
          errors: [
            { code: '8', segment: 'PO1', position: 4 },
            { code: '7', segment: 'PO1', position: 4, element: 7, component: 2 },
            { code: '5' },
          ],
        },
        {
          kind: '997',
          acknowledges: { group_control_number: '906', transaction_control_number: '0002' },
          normalized: 'accepted',
          errors: [],
        },
      ],
    },
    {
      name: 'errors noted but accepted: AK5 E, AK9 E',
      group: {
        functionalId: 'IN',
        control: '907',
        version: '004010',
        transactions: [
          { setId: '810', control: '0001', segments: [{ tag: 'N1', position: 3, code: '2' }], rejected: false },
        ],
      },
      ak5: ['E:5'],
      ak9: ['E', '1', '1', '1'],
      expected: [
        { kind: '997', acknowledges: { group_control_number: '907' }, normalized: 'accepted_with_errors', errors: [] },
        {
          kind: '997',
          acknowledges: { group_control_number: '907', transaction_control_number: '0001' },
          normalized: 'accepted_with_errors',
          errors: [{ code: '2', segment: 'N1', position: 3 }, { code: '5' }],
        },
      ],
    },
    {
      name: 'a count that does not match (transaction code 4) and a group count error (5): rejected',
      group: {
        functionalId: 'SH',
        control: '908',
        version: '004010',
        count: 2,
        codes: ['5'],
        transactions: [{ setId: '856', control: '0001', codes: ['4'] }],
      },
      ak5: ['R:4'],
      ak9: ['R', '2', '1', '0', '5'],
      expected: [
        { kind: '997', acknowledges: { group_control_number: '908' }, normalized: 'rejected', errors: [{ code: '5' }] },
        {
          kind: '997',
          acknowledges: { group_control_number: '908', transaction_control_number: '0001' },
          normalized: 'rejected',
          errors: [{ code: '4' }],
        },
      ],
    },
    {
      name: 'a very large group: listed and unlisted transactions counted in AK9',
      group: { functionalId: 'PO', control: '909', version: '004010', transactions: [po('0001')], unlisted: 20_000 },
      ak5: ['A'],
      ak9: ['A', '20001', '20001', '20001'],
      expected: [
        { kind: '997', acknowledges: { group_control_number: '909' }, normalized: 'accepted', errors: [] },
        {
          kind: '997',
          acknowledges: { group_control_number: '909', transaction_control_number: '0001' },
          normalized: 'accepted',
          errors: [],
        },
      ],
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const { file, acks } = await writeAndRead('997', [c.group]);
      const segs = await segmentsOf(file);
      expect(segs.filter((s) => s.tag === 'AK5').map((s) => s.elements.slice(1).join(':'))).toEqual(c.ak5);
      expect(segs.find((s) => s.tag === 'AK9')!.elements.slice(1)).toEqual(c.ak9);
      expect(acks).toEqual(c.expected);
    });
});

describe('999', () => {
  it('IK3 / IK4 / IK5 with the implementation reference, in a 005010X231A1 group', async () => {
    const group: ReceivedGroup = {
      functionalId: 'HC',
      control: '12',
      version: '005010X222A1',
      transactions: [
        {
          setId: '837',
          control: '0001',
          convention: '005010X222A1',
          segments: [
            { tag: 'NM1', position: 9, loop: '2010', code: 'I4' },
            {
              tag: 'CLM',
              position: 20,
              loop: '2300',
              elements: [{ position: 5, component: 1, repetition: 2, reference: '1331', code: 'I12', value: '99' }],
            },
          ],
          codes: ['I5'],
        },
      ],
    };
    const { file, acks } = await writeAndRead('999', [group]);
    const segs = await segmentsOf(file);
    expect(segs.find((s) => s.tag === 'ST')!.elements.slice(1, 2)).toEqual(['999']);
    expect(segs.find((s) => s.tag === 'GS')!.elements[8]).toBe('005010X231A1');
    expect(segs.find((s) => s.tag === 'AK1')!.elements.slice(1)).toEqual(['HC', '12', '005010X222A1']);
    expect(segs.find((s) => s.tag === 'AK2')!.elements.slice(1)).toEqual(['837', '0001', '005010X222A1']);
    expect(segs.filter((s) => s.tag === 'IK3').map((s) => s.elements.slice(1))).toEqual([
      ['NM1', '9', '2010', 'I4'],
      ['CLM', '20', '2300', '8'],
    ]);
    expect(segs.find((s) => s.tag === 'IK4')!.elements.slice(1)).toEqual(['5:1:2', '1331', 'I12', '99']);
    expect(segs.find((s) => s.tag === 'IK5')!.elements.slice(1)).toEqual(['R', 'I5']);
    expect(acks).toEqual([
      { kind: '999', acknowledges: { group_control_number: '12' }, normalized: 'rejected', errors: [] },
      {
        kind: '999',
        acknowledges: { group_control_number: '12', transaction_control_number: '0001' },
        normalized: 'rejected',
        errors: [
          { code: 'I4', segment: 'NM1', position: 9 },
          { code: '8', segment: 'CLM', position: 20 },
          { code: 'I12', segment: 'CLM', position: 20, element: 5, component: 1, repetition: 2 },
          { code: 'I5' },
        ],
      },
    ]);
  });
});

describe('TA1', () => {
  const cases: Array<{ name: string; ic: ReceivedInterchange; ta1: string[]; normalized: string; errors: string[] }> = [
    {
      name: 'accepted: A 000',
      ic: x12Ic(),
      ta1: ['000000905', '261206', '1200', 'A', '000'],
      normalized: 'accepted',
      errors: [],
    },
    {
      name: 'trailer control number differs: R 001',
      ic: x12Ic({ errors: [{ code: '001' }] }),
      ta1: ['000000905', '261206', '1200', 'R', '001'],
      normalized: 'rejected',
      errors: ['001'],
    },
    {
      name: 'noted, not rejected (a missing final terminator accepted): E 023',
      ic: x12Ic({ control: '77', errors: [{ code: '023', rejected: false }] }),
      ta1: ['000000077', '261206', '1200', 'E', '023'],
      normalized: 'accepted_with_errors',
      errors: ['023'],
    },
  ];
  for (const c of cases)
    it(c.name, async () => {
      const file = writeX12({
        syntax: X12_DEFAULTS,
        sender: c.ic.receiver,
        receiver: c.ic.sender,
        functionalId: 'FA',
        controls: { interchange: 9, group: 1, transactions: [] },
        test: false,
        at,
        interchangeSegments: [x12Ta1(c.ic)],
        transactions: [],
      });
      expect(file.toString()).toMatch(/^ISA\*.*~TA1\*[^~]*~IEA\*0\*000000009~$/);
      const parsed = await parseEdi(file);
      expect(parsed.errors).toEqual([]);
      const ta1 = (await segmentsOf(file)).find((s) => s.tag === 'TA1')!;
      expect(ta1.elements.slice(1)).toEqual(c.ta1);
      expect(reading(parsed.acknowledgments)).toEqual([
        {
          kind: 'TA1',
          acknowledges: { interchange_control_number: c.ta1[0] },
          normalized: c.normalized,
          errors: c.errors.map((code) => ({ code })),
        },
      ]);
    });

  it('rides with a 997 in one interchange, before the group', async () => {
    const { parsed } = await writeAndRead(
      '997',
      [{ functionalId: 'PO', control: '1', version: '004010', transactions: [po('0001')] }],
      x12Ic({ ackRequested: true }),
    );
    expect(parsed.acknowledgments.map((a) => `${a.kind} ${a.normalized}`)).toEqual([
      'TA1 accepted',
      '997 accepted',
      '997 accepted',
    ]);
  });
});

describe('CONTRL', () => {
  async function contrl(ic: ReceivedInterchange, syntaxVersion: '1' | '2' | '3' | '4') {
    const file = writeEdifact({
      syntax: { ...EDIFACT_DEFAULTS, syntaxVersion },
      sender: ic.receiver,
      receiver: ic.sender,
      controls: { interchange: 4, group: 1, transactions: [1] },
      test: false,
      at,
      messages: [contrlFor(ic)],
    });
    const parsed = await parseEdi(file);
    expect(parsed.errors).toEqual([]);
    return { file, acks: reading(parsed.acknowledgments), oracle: edifactOracle(file) };
  }
  const msg = { version: 'D', release: '96A', agency: 'UN' };

  it('accepted: UCI with action 7 and nothing below it; UNH CONTRL:D:3:UN for syntax version 3', async () => {
    const ic = edifactIc({
      ackRequested: true,
      groups: [
        {
          functionalId: null,
          control: null,
          version: null,
          transactions: [{ setId: 'ORDERS', control: 'M1', messageId: msg }],
        },
      ],
    });
    const { acks, oracle } = await contrl(ic, '3');
    expect(oracle.find((s) => s.name === 'UNH')!.elements).toEqual([['1'], ['CONTRL', 'D', '3', 'UN']]);
    expect(oracle.find((s) => s.name === 'UCI')!.elements).toEqual([
      ['ICR77'],
      ['5790000000001', '14'],
      ['GRIDBRIDGE', 'ZZ'],
      ['7'],
    ]);
    expect(oracle.some((s) => s.name === 'UCM')).toBe(false);
    expect(acks).toEqual([
      { kind: 'CONTRL', acknowledges: { interchange_control_number: 'ICR77' }, normalized: 'accepted', errors: [] },
    ]);
  });

  it('a message rejected (UCM 4) with its segment and element (UCS, UCD with the occurrence in version 4): partially accepted', async () => {
    const ic = edifactIc({
      version: 'UNOC:4',
      groups: [
        {
          functionalId: null,
          control: null,
          version: null,
          transactions: [
            {
              setId: 'INVOIC',
              control: 'M2',
              messageId: { ...msg, association: 'EAN008' },
              segments: [
                { tag: 'QTY', position: 12, elements: [{ position: 1, component: 2, repetition: 1, code: '12' }] },
              ],
            },
            { setId: 'INVOIC', control: 'M3', messageId: msg },
          ],
        },
      ],
    });
    const { acks, oracle } = await contrl(ic, '4');
    expect(oracle.find((s) => s.name === 'UNH')!.elements[1]).toEqual(['CONTRL', '4', '1', 'UN']);
    expect(oracle.filter((s) => s.name === 'UCM').map((s) => s.elements)).toEqual([
      [['M2'], ['INVOIC', 'D', '96A', 'UN', 'EAN008'], ['4']],
    ]);
    expect(oracle.find((s) => s.name === 'UCS')!.elements).toEqual([['12']]);
    expect(oracle.find((s) => s.name === 'UCD')!.elements).toEqual([['12'], ['1', '2', '1']]);
    expect(acks).toEqual([
      {
        kind: 'CONTRL',
        acknowledges: { interchange_control_number: 'ICR77' },
        normalized: 'partially_accepted',
        errors: [],
      },
      {
        kind: 'CONTRL',
        acknowledges: { interchange_control_number: 'ICR77', transaction_control_number: 'M2' },
        normalized: 'rejected',
        errors: [{ code: '12', position: 12, element: 1, component: 2, repetition: 1 }],
      },
    ]);
  });

  it('syntax version 3: UCD names element and component only', async () => {
    const ic = edifactIc({
      groups: [
        {
          functionalId: null,
          control: null,
          version: null,
          transactions: [
            {
              setId: 'DESADV',
              control: '7',
              messageId: msg,
              rejected: false,
              segments: [
                {
                  tag: 'DTM',
                  position: 3,
                  code: '13',
                  elements: [{ position: 1, component: 3, repetition: 2, code: '40' }],
                },
              ],
            },
          ],
        },
      ],
    });
    const { acks, oracle } = await contrl(ic, '3');
    expect(oracle.find((s) => s.name === 'UCD')!.elements).toEqual([['40'], ['1', '3']]);
    expect(acks[1]).toEqual({
      kind: 'CONTRL',
      acknowledges: { interchange_control_number: 'ICR77', transaction_control_number: '7' },
      normalized: 'accepted_with_errors',
      errors: [
        { code: '13', position: 3 },
        { code: '40', position: 3, element: 1, component: 3 },
      ],
    });
  });

  it('a group in error (UCF 4) under UNG', async () => {
    const ic = edifactIc({
      groups: [
        {
          functionalId: 'INVOIC',
          control: 'G1',
          version: '96A',
          applicationSender: 'APP1',
          applicationReceiver: 'APP2',
          codes: ['29'],
          transactions: [{ setId: 'INVOIC', control: '1', messageId: msg }],
        },
      ],
    });
    const { acks, oracle } = await contrl(ic, '3');
    expect(oracle.find((s) => s.name === 'UCF')!.elements).toEqual([['G1'], ['APP1'], ['APP2'], ['4'], ['29']]);
    expect(acks.map((a) => [a.acknowledges, a.normalized])).toEqual([
      [{ interchange_control_number: 'ICR77' }, 'partially_accepted'],
      [{ interchange_control_number: 'ICR77', group_control_number: 'G1' }, 'rejected'],
    ]);
  });

  it('the interchange rejected: UCI 4 with the error and its service segment, nothing below; version 2 message id', async () => {
    const ic = edifactIc({
      version: 'UNOB:2',
      errors: [{ code: '28', tag: 'UNZ' }],
      groups: [
        {
          functionalId: null,
          control: null,
          version: null,
          transactions: [{ setId: 'ORDERS', control: 'M1', messageId: msg }],
        },
      ],
    });
    const { file, acks, oracle } = await contrl(ic, '2');
    expect(oracle.find((s) => s.name === 'UNH')!.elements[1]).toEqual(['CONTRL', '2', '2', 'UN']);
    expect(oracle.find((s) => s.name === 'UCI')!.elements.slice(3)).toEqual([['4'], ['28'], ['UNZ']]);
    expect((await segmentsOf(file)).map((s) => s.tag).filter((t) => t !== 'UNA')).toEqual([
      'UNB',
      'UNH',
      'UCI',
      'UNT',
      'UNZ',
    ]);
    expect(acks).toEqual([
      {
        kind: 'CONTRL',
        acknowledges: { interchange_control_number: 'ICR77' },
        normalized: 'rejected',
        errors: [{ code: '28', segment: 'UNZ' }],
      },
    ]);
  });
});
