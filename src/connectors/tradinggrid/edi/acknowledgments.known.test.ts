import { describe, expect, it } from 'vitest';
import { interpretAck, interpretTa1, syntaxVersionOf, validateAck, type AckFinding } from './acknowledgments.ts';
import type { TransactionEnvelope } from './envelope.ts';
import { readEdi } from './readEdi.ts';
import type { Segment } from './segment.ts';

// Known answers for the acknowledgement readers: TA1, 997/999 (AK1/AK2/AK3/AK4/AK5/AK9, IK3/IK4/IK5, CTX), 824
// (OTI/TED), CONTRL (UCI/UCF/UCM/UCS/UCD) and APERAK (BGM/RFF/DOC/ERC/FTX), written by hand from X12 and
// UN/EDIFACT, each read to the finding (outcome, what it acknowledges, each error with its place) it must give.

/** ISA/GS…GE/IEA around one X12 transaction; ISA12 00501 and ISA11 `^` (a repetition separator) for 999. */
function x12(setId: string, body: string[], o: { version?: '00401' | '00501'; st02?: string } = {}): string {
  const v = o.version ?? (setId === '999' ? '00501' : '00401');
  const st02 = o.st02 ?? '0001';
  const segs = [`ST*${setId}*${st02}`, ...body, `SE*${body.length + 2}*${st02}`];
  return `ISA*00*          *00*          *ZZ*ACMESUPPLY     *ZZ*GRIDBRIDGE     *240301*0930*${v === '00501' ? '^' : 'U'}*${v}*000000601*0*P*>~GS*FA*ACMESUPPLY*GRIDBRIDGE*20240301*0930*601*X*${v === '00501' ? '005010X231A1' : '004010'}~${segs.join('~')}~GE*1*601~IEA*1*000000601~`;
}

/** UNA/UNB…UNZ around one EDIFACT message, syntax version 3 unless asked. */
function edifact(type: string, body: string[], syntax = 'UNOC:3'): string {
  const segs = [`UNH+M9+${type}:D:96A:UN`, ...body, `UNT+${body.length + 2}+M9`];
  return `UNA:+.? 'UNB+${syntax}+5790000000001:14+GRIDBRIDGE:ZZ+${syntax.endsWith(':4') ? '20240301' : '240301'}:0930+IC9'${segs.join("'")}'UNZ+1+IC9'`;
}

/** The transaction as the envelope reader hands it over, kept with its segments. */
async function tx(text: string): Promise<TransactionEnvelope> {
  const txs: TransactionEnvelope[] = [];
  const r = await readEdi(Buffer.from(text, 'latin1'), {
    keepSegments: () => true,
    onTransaction: (t) => txs.push(t),
  });
  expect(r.errors).toStrictEqual([]);
  expect(txs).toHaveLength(1);
  return txs[0]!;
}

const read = async (text: string): Promise<AckFinding[]> => {
  const t = await tx(text);
  expect(validateAck(t)).toStrictEqual([]);
  return interpretAck(t);
};
const invalid = async (text: string): Promise<string[]> => validateAck(await tx(text)).map((e) => e.message);

async function ta1(text: string) {
  const segs: Segment[] = [];
  await readEdi(Buffer.from(x12('997', []).replace('GS*', `${text}~GS*`), 'latin1'), {
    onInterchangeSegment: (_ic, s) => segs.push(s),
  });
  expect(segs).toHaveLength(1);
  return interpretTa1(segs[0]!);
}

describe('TA1', () => {
  it.each([
    ['TA1*000000777*240301*0930*A*000', 'accepted', []],
    [
      'TA1*000000777*240301*0930*E*022',
      'accepted_with_errors',
      [{ code: '022', description: 'Invalid control structure' }],
    ],
    ['TA1*000000777*240301*0930*R*006', 'rejected', [{ code: '006', description: 'Invalid interchange sender ID' }]],
    ['TA1*000000777*240301*0930*R*999', 'rejected', [{ code: '999' }]],
    ['TA1*000000777*240301*0930*A', 'accepted', []],
    ['TA1*000000777*240301*0930*Q*000', 'rejected', []],
  ])('%s is %s', async (text, normalized, errors) => {
    expect(await ta1(text)).toStrictEqual({
      ack: { kind: 'TA1', acknowledges: { interchange_control_number: '000000777' }, normalized, errors },
      acknowledgedSetId: null,
      reference: null,
    });
  });

  it('without TA101 it acknowledges no interchange by number', async () => {
    expect((await ta1('TA1**240301*0930*A*000')).ack.acknowledges).toStrictEqual({});
  });
});

describe('997', () => {
  it('AK1, AK2, AK3/AK4 with every position, AK5 with five codes, AK9 with five codes: the group first', async () => {
    const f = await read(
      x12('997', [
        'AK1*PO*2001',
        'AK2*850*0001',
        'AK3*BEG*3*1*8',
        'AK4*3>1>2*324*7*X',
        'AK4*5**1',
        'AK5*R*1*2*3*4*5',
        'AK2*850*0002',
        'AK5*E',
        'AK9*P*2*2*1*1*2*3*4*5',
      ]),
    );
    expect(f).toStrictEqual([
      {
        ack: {
          kind: '997',
          acknowledges: { group_control_number: '2001' },
          normalized: 'partially_accepted',
          errors: [
            { code: '1', description: 'Functional group not supported' },
            { code: '2', description: 'Functional group version not supported' },
            { code: '3', description: 'Functional group trailer missing' },
            { code: '4', description: 'Group control number in the functional group header and trailer do not agree' },
            { code: '5', description: 'Number of included transaction sets does not match actual count' },
          ],
        },
        acknowledgedSetId: null,
        reference: null,
      },
      {
        ack: {
          kind: '997',
          acknowledges: { group_control_number: '2001', transaction_control_number: '0001' },
          normalized: 'rejected',
          errors: [
            { segment: 'BEG', position: 3, code: '8', description: 'Segment has data element errors' },
            {
              segment: 'BEG',
              position: 3,
              element: 3,
              component: 1,
              repetition: 2,
              code: '7',
              description: 'Invalid code value',
            },
            { segment: 'BEG', position: 3, element: 5, code: '1', description: 'Required data element missing' },
            { code: '1', description: 'Transaction set not supported' },
            { code: '2', description: 'Transaction set trailer missing' },
            { code: '3', description: 'Transaction set control number in header and trailer do not match' },
            { code: '4', description: 'Number of included segments does not match actual count' },
            { code: '5', description: 'One or more segments in error' },
          ],
        },
        acknowledgedSetId: '850',
        reference: null,
      },
      {
        ack: {
          kind: '997',
          acknowledges: { group_control_number: '2001', transaction_control_number: '0002' },
          normalized: 'accepted_with_errors',
          errors: [],
        },
        acknowledgedSetId: '850',
        reference: null,
      },
    ]);
  });

  it.each([
    ['A', 'accepted'],
    ['E', 'accepted_with_errors'],
    ['M', 'rejected'],
    ['R', 'rejected'],
    ['W', 'rejected'],
    ['X', 'rejected'],
  ])('AK5 %s is %s', async (code, outcome) => {
    const f = await read(x12('997', ['AK1*PO*1', 'AK2*850*0001', `AK5*${code}`, 'AK9*A*1*1*1']));
    expect(f.map((x) => x.ack.normalized)).toStrictEqual(['accepted', outcome]);
  });

  it('an AK4 before any AK3 has no segment; an AK3 without a position has none; a code outside the list has no description', async () => {
    const f = await read(
      x12('997', ['AK1*PO*1', 'AK2**0001', 'AK4*2**99', 'AK3*N1**1*ZZ', 'AK4*1**1', 'AK5*R', 'AK9*R*1*1*0']),
    );
    expect(f[1]).toStrictEqual({
      ack: {
        kind: '997',
        acknowledges: { group_control_number: '1', transaction_control_number: '0001' },
        normalized: 'rejected',
        errors: [
          { element: 2, code: '99' },
          { segment: 'N1', code: 'ZZ' },
          { segment: 'N1', element: 1, code: '1', description: 'Required data element missing' },
        ],
      },
      acknowledgedSetId: null,
      reference: null,
    });
  });

  it("the AK3 of an earlier set is not the segment of the next set's AK4", async () => {
    const f = await read(
      x12('997', [
        'AK1*PO*1',
        'AK2*850*0001',
        'AK3*N1*8**8',
        'AK5*R*5',
        'AK2*850*0002',
        'AK4*1**1',
        'AK5*R*5',
        'AK9*R*2*2*0',
      ]),
    );
    expect(f[2]!.ack.errors[0]).toStrictEqual({ element: 1, code: '1', description: 'Required data element missing' });
  });

  it('AK3, AK4, AK5 and CTX outside an AK2 loop report nothing', async () => {
    const f = await read(x12('997', ['AK1*PO*1', 'AK3*N1*8**8', 'AK4*1**1', 'AK5*R*5', 'AK9*A*0*0*0']));
    expect(f).toStrictEqual([
      {
        ack: { kind: '997', acknowledges: { group_control_number: '1' }, normalized: 'accepted', errors: [] },
        acknowledgedSetId: null,
        reference: null,
      },
    ]);
  });

  it('an AK9 status outside the list, read without validation, is a rejection; so is an AK5 one', async () => {
    const t = await tx(x12('997', ['AK1*PO*1', 'AK2*850*0001', 'AK5*Q', 'AK9*Q*1*1*0']));
    expect(interpretAck(t).map((x) => x.ack.normalized)).toStrictEqual(['rejected', 'rejected']);
  });

  it('a 997 with no AK1: no group number', async () => {
    const f = await read(x12('997', ['AK2*850*0001', 'AK5*A', 'AK9*A*1*1*1']));
    expect(f.map((x) => x.ack.acknowledges)).toStrictEqual([{}, { transaction_control_number: '0001' }]);
  });
});

describe('999 (005010X231A1)', () => {
  it('IK3, CTX, IK4 and IK5: contexts become part of the description', async () => {
    const f = await read(
      x12('999', [
        'AK1*HC*17*005010X222A1',
        'AK2*837*0001*005010X222A1',
        'IK3*NM1*5*2010*8',
        'CTX*SITUATIONAL TRIGGER^CLM01>A37YH556*HL*3',
        'IK4*9*67*7*XX',
        'CTX*CLM01',
        'IK3*REF*9**I4',
        'IK5*R*I5',
        'AK9*R*1*1*0',
      ]),
    );
    expect(f[1]!.ack).toStrictEqual({
      kind: '999',
      acknowledges: { group_control_number: '17', transaction_control_number: '0001' },
      normalized: 'rejected',
      errors: [
        {
          segment: 'NM1',
          position: 5,
          code: '8',
          description: 'Segment has data element errors; context SITUATIONAL TRIGGER, CLM01 A37YH556',
        },
        { segment: 'NM1', position: 5, element: 9, code: '7', description: 'Invalid code value; context CLM01' },
        { segment: 'REF', position: 9, code: 'I4', description: 'Implementation "Not Used" segment present' },
        { code: 'I5', description: 'Implementation one or more segments in error' },
      ],
    });
  });

  it('a CTX before any AK2 loop is dropped', async () => {
    const f = await read(x12('999', ['AK1*HC*17', 'CTX*TRIGGER', 'AK9*A*0*0*0']));
    expect(f.map((x) => x.ack.errors)).toStrictEqual([[]]);
  });

  it('an empty repetition inside CTX01 is no context', async () => {
    const f = await read(
      x12('999', ['AK1*HC*17', 'AK2*837*0001', 'IK3*NM1*5**QQ', 'CTX*^TRIGGER', 'IK5*R', 'AK9*R*1*1*0']),
    );
    expect(f[1]!.ack.errors).toStrictEqual([
      { segment: 'NM1', position: 5, code: 'QQ', description: 'context TRIGGER' },
    ]);
  });

  it('a CTX on an error without description, a CTX with nothing in it, a CTX before any error', async () => {
    const f = await read(
      x12('999', [
        'AK1*HC*17',
        'AK2*837*0001',
        'CTX*BEFORE',
        'IK3*NM1*5**QQ',
        'CTX*TRIGGER',
        'IK3*N3*6**QQ',
        'CTX**HL*3',
        'IK5*R',
        'AK9*R*1*1*0',
      ]),
    );
    expect(f[1]!.ack.errors).toStrictEqual([
      { segment: 'NM1', position: 5, code: 'QQ', description: 'context TRIGGER' },
      { segment: 'N3', position: 6, code: 'QQ' },
    ]);
  });
});

describe('997/999 refused when they break their own rules', () => {
  const v = (body: string[], version?: '00401' | '00501') => invalid(x12('997', body, version ? { version } : {}));
  /** One AK2 loop with the segment under test, closed by its (mandatory) AK5 unless the segment is that AK5. */
  const loop = (segment: string) =>
    segment.startsWith('AK5')
      ? ['AK1*PO*1', 'AK2*850*0001', segment]
      : segment.startsWith('AK9')
        ? ['AK1*PO*1', 'AK2*850*0001', 'AK5*A', segment]
        : ['AK1*PO*1', 'AK2*850*0001', segment, 'AK5*A'];

  it.each([
    ['AK1*PO*X1', 'expected AK102 to be a number, found "X1"'],
    ['AK9*A*1*X*1', 'expected AK903 to be a number, found "X"'],
    ['AK9*A*1*1*1X', 'expected AK904 to be a number, found "1X"'],
    ['AK9*A*1X*1*1', 'expected AK902 to be a number, found "1X"'],
    ['AK9*Q*1*1*1', 'expected AK901 to be a status code (A, E, M, P, R, W, X), found "Q"'],
    ['AK3*n1*8', 'expected AK301 to be a segment tag, found "n1"'],
    ['AK3*N*8', 'expected AK301 to be a segment tag, found "N"'],
    ['AK3*N123*8', 'expected AK301 to be a segment tag, found "N123"'],
    ['AK3*1N*8', 'expected AK301 to be a segment tag, found "1N"'],
    ['AK3**8', 'expected AK301 to be a segment tag, found ""'],
    [
      'AK4**1',
      'expected AK401 to be an element position (a number, then optionally component and repetition positions), found ""',
    ],
    [
      'AK4*>1*1',
      'expected AK401 to be an element position (a number, then optionally component and repetition positions), found ":1"',
    ],
    [
      'AK4*2>x*1',
      'expected AK401 to be an element position (a number, then optionally component and repetition positions), found "2:x"',
    ],
    [
      'AK4*2a*1',
      'expected AK401 to be an element position (a number, then optionally component and repetition positions), found "2a"',
    ],
    ['AK5*P', 'expected AK501 to be a status code (A, E, M, R, W, X), found "P"'],
    ['AK5*', 'expected AK501 to be a status code (A, E, M, R, W, X), found ""'],
  ])('%s', async (segment, message) => {
    expect(await v(loop(segment))).toStrictEqual([`997 0001: ${message}`]);
  });

  it.each([
    'AK3*N1*8',
    'AK3*N1*',
    'AK3*N12*8',
    'AK3*N1A*8',
    'AK4*2>>3*1',
    'AK4*12',
    'AK9*P*1*1*0',
    'AK1*PO*',
    'CTX*A^B',
  ])('%s passes', async (segment) => {
    expect(await v(loop(segment), '00501')).toStrictEqual([]);
  });

  it('IK3, IK4 and IK5 follow the same rules', async () => {
    const t = await tx(
      x12('999', ['AK1*HC*1', 'AK2*837*0001', 'IK3*x*1', 'IK3*NM1*y', 'IK4*z', 'IK5*P', 'AK9*A*1*1*1']),
    );
    expect(validateAck(t).map((e) => e.message)).toStrictEqual([
      '999 0001: expected IK301 to be a segment tag, found "x"',
      '999 0001: expected IK302 to be a number, found "y"',
      '999 0001: expected IK401 to be an element position (a number, then optionally component and repetition positions), found "z"',
      '999 0001: expected IK501 to be a status code (A, E, M, R, W, X), found "P"',
    ]);
  });

  it('a repetition separator is an error in each element of the segments that do not repeat, with its place', async () => {
    const text = x12('999', ['AK1*HC*1^2', 'AK2*837*0001', 'IK3*NM1*5*2010^2*8', 'IK5*R', 'AK9*R*1*1*0']);
    const t = await tx(text);
    expect(validateAck(t)).toStrictEqual([
      {
        segment: 4,
        position: text.indexOf('AK1*'),
        message:
          '999 0001: expected no repetition in AK102 (no element of AK1 repeats), found the repetition separator "^" in "1^2"',
      },
      {
        segment: 4,
        position: text.indexOf('AK1*'),
        message: '999 0001: expected AK102 to be a number, found "1^2"',
      },
      {
        segment: 6,
        position: text.indexOf('IK3*'),
        message:
          '999 0001: expected no repetition in IK303 (no element of IK3 repeats), found the repetition separator "^" in "2010^2"',
      },
    ]);
  });

  it.each([
    [
      '997, the AK2 loop closed by AK9',
      '997',
      ['AK1*PO*1', 'AK2*850*0001', 'AK9*A*1*1*1'],
      'AK9*',
      '997 0001: expected AK5 to close the AK2 loop of 850 0001 (AK5 is mandatory there), found AK9',
    ],
    [
      '997, the AK2 loop closed by the next AK2, after its AK3/AK4',
      '997',
      ['AK1*PO*1', 'AK2*850*0001', 'AK3*N1*8', 'AK4*2*98*7', 'AK2*850*0002', 'AK5*A', 'AK9*A*2*2*2'],
      'AK2*850*0002',
      '997 0001: expected AK5 to close the AK2 loop of 850 0001 (AK5 is mandatory there), found AK2',
    ],
    [
      '997, the last AK2 loop closed by SE (no AK9 either)',
      '997',
      ['AK1*PO*1', 'AK2*850*0001'],
      'SE*',
      '997 0001: expected AK5 to close the AK2 loop of 850 0001 (AK5 is mandatory there), found SE',
    ],
    [
      '999, the AK2 loop closed by AK9',
      '999',
      ['AK1*HC*1', 'AK2*837*0001', 'IK3*NM1*5**8', 'AK9*R*1*1*0'],
      'AK9*',
      '999 0001: expected IK5 to close the AK2 loop of 837 0001 (IK5 is mandatory there), found AK9',
    ],
  ])('an AK2 loop without its AK5/IK5 is refused where the loop ends (%s)', async (_, setId, body, at, message) => {
    const text = x12(setId, body);
    const t = await tx(text);
    const end = text.indexOf(at, text.indexOf('AK2*'));
    expect(validateAck(t)).toStrictEqual([
      // ISA, GS and ST are segments 1 to 3.
      { segment: 2 + text.slice(text.indexOf('ST*'), end).split('~').length, position: end, message },
    ]);
  });

  it('an AK2 loop closed by IK5 in a 997, or AK5 in a 999, is closed: only the missing status is refused', async () => {
    expect(await v(['AK1*PO*1', 'AK2*850*0001', 'IK5*A', 'AK9*A*1*1*1'])).toStrictEqual([]);
    expect(await invalid(x12('999', ['AK1*HC*1', 'AK2*837*0001', 'AK5*A', 'AK9*A*1*1*1']))).toStrictEqual([]);
  });

  it('AK4 without its position element at all', async () => {
    expect(await v(loop('AK4'))).toStrictEqual([
      '997 0001: expected AK401 to be an element position (a number, then optionally component and repetition positions), found ""',
    ]);
  });

  it('before 00402 there is no repetition separator: an AK404 copy of the bad value "null" is data', async () => {
    expect(await v(['AK1*PO*1', 'AK2*850*0001', 'AK3*N1*8', 'AK4*2**7*null', 'AK5*E'], '00401')).toStrictEqual([]);
  });

  it('other sets are not checked', async () => {
    expect(await invalid(x12('824', ['OTI*TR*IV*INV-1', 'TED*X^Y']))).toStrictEqual([]);
    expect(await invalid(edifact('APERAK', ['BGM+305+A+27', 'ERC+12']))).toStrictEqual([]);
    // Not even a segment tagged like a CONTRL one.
    expect(await invalid(edifact('APERAK', ['BGM+305+A+27', 'UCM+M1+ORDERS:D:96A:UN+99']))).toStrictEqual([]);
  });
});

describe('824 application advice', () => {
  it('one finding per OTI, with its TED errors and the reference it quotes', async () => {
    const f = await read(
      x12('824', [
        'BGN*00*AA-1*20240301',
        'TED*999*BEFORE ANY OTI',
        'OTI*TR*IV*INV-9001***20240301*0930*2001*0001*810',
        'TED*024*UNIT PRICE DOES NOT MATCH CONTRACT*IT1*5*4',
        'TED*007',
        'OTI*TA*PO*PO-1',
        'OTI*TE',
      ]),
    );
    expect(f).toStrictEqual([
      {
        ack: {
          kind: '824',
          acknowledges: { group_control_number: '2001', transaction_control_number: '0001' },
          normalized: 'rejected',
          errors: [
            { code: '024', segment: 'IT1', position: 5, element: 4, description: 'UNIT PRICE DOES NOT MATCH CONTRACT' },
            { code: '007' },
          ],
        },
        acknowledgedSetId: '810',
        reference: { type: 'IV', value: 'INV-9001' },
      },
      {
        ack: { kind: '824', acknowledges: {}, normalized: 'accepted', errors: [] },
        acknowledgedSetId: null,
        reference: { type: 'PO', value: 'PO-1' },
      },
      {
        ack: { kind: '824', acknowledges: {}, normalized: 'accepted_with_errors', errors: [] },
        acknowledgedSetId: null,
        reference: null,
      },
    ]);
  });

  it.each([
    ['TA', 'accepted'],
    ['IA', 'accepted'],
    ['TE', 'accepted_with_errors'],
    ['TC', 'accepted_with_errors'],
    ['TP', 'partially_accepted'],
    ['TR', 'rejected'],
    ['IR', 'rejected'],
    ['TX', 'accepted_with_errors'],
  ])('OTI01 %s is %s', async (code, outcome) => {
    expect((await read(x12('824', [`OTI*${code}*IV*1`])))[0]!.ack.normalized).toBe(outcome);
  });
});

const UCI = 'UCI+IC7+5790000000001:14+GRIDBRIDGE:ZZ';

describe('CONTRL', () => {
  it('UCI with its error and segment, UCF, UCM with theirs, UCS and UCD (syntax version 4: the occurrence)', async () => {
    const f = await read(
      edifact(
        'CONTRL',
        [
          `${UCI}+4+28+UNZ`,
          'UCF+G7+S:14+R:ZZ+7',
          'UCM+M1+ORDERS:D:96A:UN+4+26+UNH',
          'UCS+5+13',
          'UCD+12+3:1:2',
          'UCD+35+4',
          'UCM+M2+INVOIC:D:96A:UN+7',
          'UCD+12+2',
        ],
        'UNOC:4',
      ),
    );
    expect(f).toStrictEqual([
      {
        ack: {
          kind: 'CONTRL',
          acknowledges: { interchange_control_number: 'IC7' },
          normalized: 'rejected',
          errors: [{ segment: 'UNZ', code: '28', description: 'References do not match' }],
        },
        acknowledgedSetId: null,
        reference: null,
      },
      {
        ack: {
          kind: 'CONTRL',
          acknowledges: { interchange_control_number: 'IC7', group_control_number: 'G7' },
          normalized: 'accepted',
          errors: [],
        },
        acknowledgedSetId: null,
        reference: null,
      },
      {
        ack: {
          kind: 'CONTRL',
          acknowledges: {
            interchange_control_number: 'IC7',
            group_control_number: 'G7',
            transaction_control_number: 'M1',
          },
          normalized: 'rejected',
          errors: [
            { segment: 'UNH', code: '26', description: 'Duplicate detected' },
            { position: 5, code: '13', description: 'Missing' },
            { position: 5, element: 3, component: 1, repetition: 2, code: '12', description: 'Invalid value' },
            { position: 5, element: 4, code: '35', description: 'Too many repetitions' },
          ],
        },
        acknowledgedSetId: 'ORDERS',
        reference: null,
      },
      {
        ack: {
          kind: 'CONTRL',
          acknowledges: {
            interchange_control_number: 'IC7',
            group_control_number: 'G7',
            transaction_control_number: 'M2',
          },
          normalized: 'accepted_with_errors',
          errors: [{ element: 2, code: '12', description: 'Invalid value' }],
        },
        acknowledgedSetId: 'INVOIC',
        reference: null,
      },
    ]);
  });

  it('an error code without a segment tag; a UCS without an error; a UCM without a message type', async () => {
    const f = await read(edifact('CONTRL', [`${UCI}+7+18`, 'UCM+M1++4', 'UCS+9', 'UCD+12+1', 'UCS+X+13']));
    expect(f.map((x) => [x.ack.normalized, x.acknowledgedSetId, x.ack.errors])).toStrictEqual([
      // The message rejected makes the interchange partial, errors or not.
      ['partially_accepted', null, [{ code: '18', description: 'Unspecified error' }]],
      [
        'rejected',
        null,
        [
          { position: 9, element: 1, code: '12', description: 'Invalid value' },
          { code: '13', description: 'Missing' },
        ],
      ],
    ]);
  });

  it.each([
    ['7', '4', 'partially_accepted'],
    ['1', '6', 'partially_accepted'],
    ['2', '4', 'partially_accepted'],
    ['4', '4', 'rejected'],
    ['3', '7', 'partially_accepted'],
    ['8', '4', 'received'],
    ['7', '7', 'accepted'],
  ])('UCI %s with a message at %s: the interchange is %s', async (uci, ucm, outcome) => {
    const f = await read(edifact('CONTRL', [`${UCI}+${uci}`, `UCM+M1+ORDERS:D:96A:UN+${ucm}`]));
    expect(f[0]!.ack.normalized).toBe(outcome);
  });

  it('a group rejected makes the interchange partially accepted too; the UCI alone does not', async () => {
    const f = await read(edifact('CONTRL', [`${UCI}+7`, 'UCF+G7+S:14+R:ZZ+4']));
    expect(f.map((x) => x.ack.normalized)).toStrictEqual(['partially_accepted', 'rejected']);
    expect((await read(edifact('CONTRL', [`${UCI}+4`])))[0]!.ack.normalized).toBe('rejected');
  });

  it('UCM and UCS before any UCI: no interchange to make partial', async () => {
    const f = await read(edifact('CONTRL', ['UCM+M1+ORDERS:D:96A:UN+4', 'UCS+2+13']));
    expect(f).toStrictEqual([
      {
        ack: {
          kind: 'CONTRL',
          acknowledges: { transaction_control_number: 'M1' },
          normalized: 'rejected',
          errors: [{ position: 2, code: '13', description: 'Missing' }],
        },
        acknowledgedSetId: 'ORDERS',
        reference: null,
      },
    ]);
  });

  it('UCS and UCD before any UCM or UCI are dropped', async () => {
    expect(await read(edifact('CONTRL', ['UCS+2+13', 'UCD+12+1']))).toStrictEqual([]);
  });

  it('a UCD after a UCM that follows a UCS takes no position from the earlier UCS', async () => {
    const f = await read(
      edifact('CONTRL', [`${UCI}+7`, 'UCM+M1+ORDERS:D:96A:UN+4', 'UCS+2+13', 'UCM+M2+ORDERS:D:96A:UN+4', 'UCD+12+1']),
    );
    expect(f[2]!.ack.errors).toStrictEqual([{ element: 1, code: '12', description: 'Invalid value' }]);
  });

  it('an action code outside 0083 is refused by validation, and read as a rejection without it', async () => {
    const t = await tx(edifact('CONTRL', [`${UCI}+9`, 'UCF+G7+S:14+R:ZZ+0', 'UCM+M1+ORDERS:D:96A:UN+', 'UCS+2+13']));
    expect(validateAck(t)).toStrictEqual([
      {
        segment: 4,
        position: expect.any(Number),
        message: 'CONTRL M9: expected UCI action code (0083) 1 to 8, found "9"',
      },
      {
        segment: 5,
        position: expect.any(Number),
        message: 'CONTRL M9: expected UCF action code (0083) 1 to 8, found "0"',
      },
      {
        segment: 6,
        position: expect.any(Number),
        message: 'CONTRL M9: expected UCM action code (0083) 1 to 8, found ""',
      },
    ]);
    expect(interpretAck(t).map((x) => x.ack.normalized)).toStrictEqual(['rejected', 'rejected', 'rejected']);
  });
});

describe('syntaxVersionOf', () => {
  it.each([
    ['UNOC:3', 3],
    ['UNOC:4', 4],
    ['UNOC', 0],
    ['UNOC:', 0],
    ['UNOC:x', 0],
    [':2', 2],
  ])('%s is %i', (v, n) => {
    expect(syntaxVersionOf(v)).toBe(n);
  });

  it('a CONTRL in an interchange with no syntax version reads UCD S011 as two components', async () => {
    const f = await read(edifact('CONTRL', [`${UCI}+7`, 'UCM+M1+ORDERS:D:96A:UN+4', 'UCD+12+3:1:2'], 'UNOC'));
    expect(f[1]!.ack.errors).toStrictEqual([{ element: 3, component: 1, code: '12', description: 'Invalid value' }]);
  });
});

describe('APERAK', () => {
  it('the message acknowledged (RFF+ACW), the business reference (first other RFF), ERCs with their FTX texts', async () => {
    const f = await read(
      edifact('APERAK', [
        'BGM+305+APK-1+11',
        'FTX+AAO+++before any error',
        'RFF+ACW:M1',
        'RFF+ON:PO-5001',
        'RFF+CT:C-9',
        'ERC+12',
        'FTX+AAO+++Unknown item:in line 3',
        'FTX+AAO+++Check the catalogue',
        'ERC+14',
        'FTX+AAO',
      ]),
    );
    expect(f).toStrictEqual([
      {
        ack: {
          kind: 'APERAK',
          acknowledges: { transaction_control_number: 'M1' },
          normalized: 'rejected',
          errors: [{ code: '12', description: 'Unknown item in line 3 Check the catalogue' }, { code: '14' }],
        },
        acknowledgedSetId: null,
        reference: { type: 'purchase_order', value: 'PO-5001' },
      },
    ]);
  });

  it('without RFF+ACW it acknowledges no message by number; segments other than FTX add no text to an error', async () => {
    const f = await read(
      edifact('APERAK', ['BGM+305+A', 'ERC+12', 'NAD+MS+++Name of sender', 'FTX+AAO+++:second line']),
    );
    expect(f[0]!.ack.acknowledges).toStrictEqual({});
    expect(f[0]!.ack.errors).toStrictEqual([{ code: '12', description: 'second line' }]);
  });

  it.each([
    ['RFF+CT:C-9', { type: 'CT', value: 'C-9' }],
    ['RFF+ON:', null],
    ['DOC+380+INV-1', { type: '380', value: 'INV-1' }],
    ['DOC+380', null],
  ])('%s gives reference %o', async (segment, reference) => {
    expect((await read(edifact('APERAK', ['BGM+305+A', segment])))[0]!.reference).toStrictEqual(reference);
  });

  it('the first reference wins, RFF or DOC', async () => {
    expect((await read(edifact('APERAK', ['BGM+305+A', 'DOC+380+INV-1', 'RFF+ON:PO-1'])))[0]!.reference).toStrictEqual({
      type: '380',
      value: 'INV-1',
    });
    expect((await read(edifact('APERAK', ['BGM+305+A', 'RFF+ON:PO-1', 'DOC+380+INV-1'])))[0]!.reference).toStrictEqual({
      type: 'purchase_order',
      value: 'PO-1',
    });
  });

  it.each([
    ['27', '', 'rejected'],
    ['12', '', 'rejected'],
    ['27', 'ERC+1', 'rejected'],
    ['29', 'ERC+1', 'accepted_with_errors'],
    ['28', 'ERC+1', 'accepted_with_errors'],
    ['30', 'ERC+1', 'accepted_with_errors'],
    ['34', 'ERC+1', 'accepted_with_errors'],
    ['34', '', 'accepted'],
    ['6', 'ERC+1', 'rejected'],
    ['6', '', 'accepted'],
  ])('BGM 1225 %s with %j is %s', async (fn, erc, outcome) => {
    const f = await read(edifact('APERAK', [`BGM+305+A+${fn}`, ...(erc ? [erc] : [])]));
    expect(f[0]!.ack.normalized).toBe(outcome);
  });
});

describe('interpretAck', () => {
  it('a set that is no acknowledgement gives nothing; an acknowledgement kept without segments gives nothing', async () => {
    const t = await tx(x12('850', ['BEG*00*SA*PO-1**20240301']));
    expect(interpretAck(t)).toStrictEqual([]);
    const ack = await tx(x12('997', ['AK1*PO*1', 'AK9*A*0*0*0']));
    expect(interpretAck({ ...ack, segments: null })).toStrictEqual([]);
    expect(validateAck({ ...ack, segments: null })).toStrictEqual([]);
    expect(interpretAck({ ...ack, set_id: '999' })[0]!.ack.kind).toBe('999');
  });
});

// A code is looked up among the list's own codes: the names every object inherits (toString, constructor,
// hasOwnProperty…) are no code. Before, `code in CONTRL_ACTIONS` let a CONTRL with action "toString" through
// validation, and `table[code]` gave a TA1, an AK5 or AK9 read without validation a function for an outcome, and
// an error coded "constructor" a function for a description.
describe('codes named like Object.prototype members are codes outside the lists', () => {
  it('a CONTRL action "toString" is refused by validation', async () => {
    expect(await invalid(edifact('CONTRL', [`${UCI}+toString`, 'UCM+M1+ORDERS:D:96A:UN+constructor']))).toStrictEqual([
      'CONTRL M9: expected UCI action code (0083) 1 to 8, found "toString"',
      'CONTRL M9: expected UCM action code (0083) 1 to 8, found "constructor"',
    ]);
  });

  it('a TA1 acknowledgement code "constructor" is a rejection, its note "toString" a code without description', async () => {
    expect((await ta1('TA1*000000777*240301*0930*constructor*toString')).ack).toStrictEqual({
      kind: 'TA1',
      acknowledges: { interchange_control_number: '000000777' },
      normalized: 'rejected',
      errors: [{ code: 'toString' }],
    });
  });

  it('997 codes: AK5/AK9 statuses read as rejections, error codes kept without description', async () => {
    const t = await tx(
      x12('997', [
        'AK1*PO*1',
        'AK2*850*0001',
        'AK3*N1*8**constructor',
        'AK4*2**valueOf',
        'AK5*hasOwnProperty*toString',
        'AK9*constructor*1*1*0*toString',
      ]),
    );
    expect(interpretAck(t).map((f) => f.ack)).toStrictEqual([
      {
        kind: '997',
        acknowledges: { group_control_number: '1' },
        normalized: 'rejected',
        errors: [{ code: 'toString' }],
      },
      {
        kind: '997',
        acknowledges: { group_control_number: '1', transaction_control_number: '0001' },
        normalized: 'rejected',
        errors: [
          { segment: 'N1', position: 8, code: 'constructor' },
          { segment: 'N1', position: 8, element: 2, code: 'valueOf' },
          { code: 'toString' },
        ],
      },
    ]);
  });

  it('CONTRL error codes and an APERAK function code', async () => {
    const f = await read(
      edifact('CONTRL', [`${UCI}+7+constructor`, 'UCM+M1+ORDERS:D:96A:UN+4', 'UCS+2+toString', 'UCD+valueOf+1']),
    );
    expect(f.map((x) => x.ack.errors)).toStrictEqual([
      [{ code: 'constructor' }],
      [
        { position: 2, code: 'toString' },
        { position: 2, element: 1, code: 'valueOf' },
      ],
    ]);
    expect((await read(edifact('APERAK', ['BGM+305+A+constructor', 'ERC+1'])))[0]!.ack.normalized).toBe('rejected');
  });
});
