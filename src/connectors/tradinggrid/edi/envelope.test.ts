import { describe, expect, it } from 'vitest';
import { EnvelopeChecker, type GroupEnvelope, type InterchangeEnvelope, type TransactionEnvelope } from './envelope.ts';
import { readEdi, type ReadEdiOptions } from './readEdi.ts';
import { Segment, type Delimiters } from './segment.ts';

// Known answers for the envelope checks (ISA/GS/ST…SE/GE/IEA, UNB/UNG/UNH…UNT/UNE/UNZ): interchanges written by
// hand to X12.5/X12.6 (ISA's fixed widths) and ISO 9735, each error with the message, segment number and byte
// offset it must have. The segment numbers count from 1 over the whole file; the offsets are those of the
// segment's first byte.

/** An ISA with its fixed widths (ISA06/ISA08 15 characters, ISA13 9 digits), terminated by `~`. */
function isa(
  o: { control?: string; ack?: string; usage?: string; date?: string; time?: string; sender?: string } = {},
) {
  const sender = (o.sender ?? 'ACMESUPPLY').padEnd(15, ' ');
  return `ISA*00*          *00*          *ZZ*${sender}*12*5555551234     *${o.date ?? '240301'}*${o.time ?? '0930'}*U*00401*${o.control ?? '000000502'}*${o.ack ?? '0'}*${o.usage ?? 'P'}*>~`;
}
const ISA_LEN = isa().length; // 106

interface Seen {
  events: string[];
  interchanges: InterchangeEnvelope[];
  groups: GroupEnvelope[];
  transactions: TransactionEnvelope[];
  errors: { segment?: number; position?: number; message: string }[];
  /** Transactions whose trailer was read (readEdi's summary). */
  count: number;
}

async function read(text: string, keep: string[] = [], opts: ReadEdiOptions = {}): Promise<Seen> {
  const seen: Seen = { events: [], interchanges: [], groups: [], transactions: [], errors: [], count: 0 };
  const summary = await readEdi(
    Buffer.from(text, 'latin1'),
    {
      onInterchange: (ic) => {
        seen.events.push(`IC ${ic.control_number}`);
        seen.interchanges.push(ic);
      },
      onGroup: (ic, g) => {
        seen.events.push(`GROUP ${ic.control_number}/${g.control_number}`);
        seen.groups.push(g);
      },
      onTransaction: (tx) => {
        seen.events.push(`TX ${tx.group.control_number}/${tx.set_id}/${tx.control_number}`);
        seen.transactions.push(tx);
      },
      onInterchangeSegment: (ic, seg) => seen.events.push(`SEG ${ic.control_number}/${seg.tag}`),
      keepSegments: (setId) => keep.includes(setId),
    },
    opts,
  );
  seen.errors = summary.errors;
  seen.count = summary.transactions;
  return seen;
}

const messages = async (text: string) => (await read(text)).errors.map((e) => e.message);

const PO = 'GS*PO*ACMESUPPLY*GRIDBRIDGE*20240301*0930*502*X*004010~ST*850*0001~BEG*00*SA*PO-4711**20240301~SE*3*0001~';

describe('X12: what a well-formed interchange hands over', () => {
  it('the interchange, group and transaction envelopes, whole', async () => {
    const text = `${isa({ ack: '1', usage: 'T' })}${PO}GE*1*502~IEA*1*000000502~`;
    const s = await read(text);
    expect(s.errors).toEqual([]);
    expect(s.events).toEqual(['IC 000000502', 'GROUP 000000502/502', 'TX 502/850/0001']);
    expect(s.interchanges[0]).toEqual({
      standard: 'x12',
      control_number: '000000502',
      sender: { qualifier: 'ZZ', id: 'ACMESUPPLY' },
      receiver: { qualifier: '12', id: '5555551234' },
      usage: 'test',
      version: '00401',
      ack_requested: true,
      date: '240301',
      time: '0930',
      offset: 0,
      segment: 1,
      delimiters: expect.objectContaining({ element: '*', component: '>', segment: '~' }),
    });
    expect(s.groups).toEqual([
      {
        control_number: '502',
        functional_id: 'PO',
        application_sender: 'ACMESUPPLY',
        application_receiver: 'GRIDBRIDGE',
        version: '004010',
      },
    ]);
    const tx = s.transactions[0]!;
    expect({ ...tx, interchange: undefined, group: undefined }).toEqual({
      interchange: undefined,
      group: undefined,
      set_id: '850',
      control_number: '0001',
      convention: null,
      business_reference: { type: 'purchase_order', value: 'PO-4711' },
      offset: text.indexOf('ST*850'),
      segment: 3,
      segments: null,
    });
    expect(tx.interchange).toBe(s.interchanges[0]);
    expect(tx.group).toBe(s.groups[0]);
  });

  it.each([
    ['P', 'production'],
    ['T', 'test'],
    ['I', 'information'],
  ])('ISA15 %s is %s usage; ISA14 0 asks no TA1', async (flag, usage) => {
    const s = await read(`${isa({ usage: flag })}IEA*0*000000502~`);
    expect(s.errors).toEqual([]);
    expect(s.interchanges[0]!.usage).toBe(usage);
    expect(s.interchanges[0]!.ack_requested).toBe(false);
  });

  it('ST03 (the implementation convention, 005010 on) is kept; the kept sets come with every segment, SE included', async () => {
    const text = `${isa()}GS*HC*A*B*20240301*0930*7*X*005010X222A1~ST*837*0001*005010X222A1~BHT*0019*00*REF1~SE*3*0001~ST*850*0002~SE*2*0002~GE*2*7~IEA*1*000000502~`;
    const s = await read(text, ['837']);
    expect(s.errors).toEqual([]);
    expect(s.transactions.map((t) => [t.set_id, t.convention, t.segments?.map((g) => g.tag) ?? null])).toEqual([
      ['837', '005010X222A1', ['ST', 'BHT', 'SE']],
      ['850', null, null],
    ]);
  });

  it('the business number is the first one found: a later segment does not replace it', async () => {
    const s = await read(
      `${isa()}GS*PO*A*B*20240301*0930*502*X*004010~ST*850*0001~BEG*00*SA*PO-1**20240301~REF*PO*PO-2~BEG*00*SA*PO-3**20240301~SE*5*0001~GE*1*502~IEA*1*000000502~`,
    );
    expect(s.errors).toEqual([]);
    expect(s.transactions[0]!.business_reference).toEqual({ type: 'purchase_order', value: 'PO-1' });
  });

  it('a TA1 between ISA and the first group is handed over as an interchange segment', async () => {
    const s = await read(`${isa()}TA1*000000777*240301*0930*R*006~IEA*0*000000502~`);
    expect(s.errors).toEqual([]);
    expect(s.events).toEqual(['IC 000000502', 'SEG 000000502/TA1']);
  });

  it('IEA02 matches ISA13 by number (a short ISA13 is not padded to 9 digits)', async () => {
    expect((await read(`${isa({ control: '502' })}IEA*0*000000502~`)).errors).toEqual([]);
    expect((await read(`${isa()}IEA*0*502~`)).errors).toEqual([]);
  });

  it.each(['1e2', '0x64', ' 100', '100 ', '0000000100', '+100'])(
    'IEA02 %j is not ISA13 000000100, though Number() reads it as 100',
    async (iea02) => {
      expect(await messages(`${isa({ control: '000000100' })}IEA*0*${iea02}~`)).toEqual([
        `expected IEA02 "000000100" (the header's control number), found ${JSON.stringify(iea02)}`,
      ]);
    },
  );

  it('two interchanges, each counted for itself', async () => {
    const s = await read(
      `${isa()}${PO}GE*1*502~IEA*1*000000502~${isa({ control: '000000503' })}GS*PO*A*B*20240301*0930*1*X*004010~ST*850*0001~SE*2*0001~ST*850*0002~SE*2*0002~GE*2*1~GS*PO*A*B*20240301*0930*2*X*004010~GE*0*2~IEA*2*000000503~`,
    );
    expect(s.errors).toEqual([]);
    expect(s.events).toEqual([
      'IC 000000502',
      'GROUP 000000502/502',
      'TX 502/850/0001',
      'IC 000000503',
      'GROUP 000000503/1',
      'TX 1/850/0001',
      'TX 1/850/0002',
      'GROUP 000000503/2',
    ]);
    expect(s.count).toBe(3);
  });
});

describe('X12: each rule broken, with its message, segment and offset', () => {
  const at = (text: string, marker: string) => text.indexOf(marker);

  it.each([
    [
      'ISA13 not digits',
      { control: '00000050A' },
      'expected ISA13 interchange control number (up to 9 digits), found "00000050A"',
    ],
    [
      'ISA13 ten digits',
      { control: '1000000502' },
      'expected ISA13 interchange control number (up to 9 digits), found "1000000502"',
    ],
    ['ISA06 blank', { sender: '' }, 'expected ISA06 sender and ISA08 receiver ids, found an empty one'],
    ['ISA09 30 February', { date: '240230' }, 'expected ISA09 interchange date YYMMDD, found "240230"'],
    ['ISA09 day 0', { date: '240300' }, 'expected ISA09 interchange date YYMMDD, found "240300"'],
    [
      'ISA09 29 February of a common year',
      { date: '250229' },
      'expected ISA09 interchange date YYMMDD, found "250229"',
    ],
    ['ISA10 24:00', { time: '2400' }, 'expected ISA10 interchange time HHMM, found "2400"'],
    ['ISA10 minute 60', { time: '0960' }, 'expected ISA10 interchange time HHMM, found "0960"'],
    ['ISA10 with seconds', { time: '093000' }, 'expected ISA10 interchange time HHMM, found "093000"'],
    ['ISA15 not P, T or I', { usage: 'X' }, 'expected ISA15 usage indicator P, T or I, found "X"'],
    // One width rule: a 7-digit ISA09 whose first six digits are a date, a 5-digit ISA10 ending in a time.
    ['ISA09 seven digits', { date: '2403011' }, 'expected ISA09 interchange date YYMMDD, found "2403011"'],
    ['ISA10 five digits', { time: '00930' }, 'expected ISA10 interchange time HHMM, found "00930"'],
  ])('%s', async (_name, o, message) => {
    const control = (o as { control?: string }).control ?? '000000502';
    const s = await read(`${isa(o)}IEA*0*${/^\d+$/.test(control) ? control : '000000502'}~`);
    expect(s.errors.filter((e) => !e.message.startsWith('expected IEA02'))).toEqual([
      { segment: 1, position: 0, message },
    ]);
  });

  it.each([
    ['240229', '2000'],
    ['241231', '2359'],
    ['240101', '1959'],
    ['000101', '0000'],
  ])('ISA09 %s and ISA10 %s are a date and a time', async (date, time) => {
    expect((await read(`${isa({ date, time })}IEA*0*000000502~`)).errors).toEqual([]);
  });

  it('IEA01 counts the groups, IEA02 repeats ISA13', async () => {
    const text = `${isa()}${PO}GE*1*502~IEA*2*000000503~`;
    const s = await read(text);
    expect(s.errors).toEqual([
      { segment: 7, position: at(text, 'IEA'), message: 'expected IEA01 group count 1, found "2"' },
      {
        segment: 7,
        position: at(text, 'IEA'),
        message: 'expected IEA02 "000000502" (the header\'s control number), found "000000503"',
      },
    ]);
  });

  it('an IEA without a count', async () => {
    expect(await messages(`${isa()}IEA**000000502~`)).toEqual(['expected IEA01 group count 0, found ""']);
  });

  it('GE01 counts the transactions, GE02 repeats GS06', async () => {
    const text = `${isa()}${PO}GE*2*503~IEA*1*000000502~`;
    const s = await read(text);
    expect(s.errors).toEqual([
      { segment: 6, position: at(text, '~GE*') + 1, message: 'expected GE01 transaction count 1, found "2"' },
      {
        segment: 6,
        position: at(text, '~GE*') + 1,
        message: 'expected GE02 "502" (the group\'s control number), found "503"',
      },
    ]);
  });

  it('a GE without a count', async () => {
    expect(await messages(`${isa()}GS*PO*A*B*20240301*0930*1*X*004010~GE**1~IEA*1*000000502~`)).toEqual([
      'expected GE01 transaction count 0, found ""',
    ]);
  });

  it('SE01 counts the segments from ST to SE, SE02 repeats ST02', async () => {
    const text = `${isa()}GS*PO*A*B*20240301*0930*502*X*004010~ST*850*0001~BEG*00*SA*PO-4711**20240301~SE*2*0002~GE*1*502~IEA*1*000000502~`;
    const s = await read(text);
    expect(s.errors).toEqual([
      { segment: 5, position: at(text, 'SE*'), message: 'expected SE01 segment count 3, found "2"' },
      {
        segment: 5,
        position: at(text, 'SE*'),
        message: 'expected SE02 "0001" (the header\'s control number), found "0002"',
      },
    ]);
    // The transaction is still handed over: its trailer was read.
    expect(s.events).toContain('TX 502/850/0001');
  });

  it('an SE without a count', async () => {
    expect(
      await messages(`${isa()}GS*PO*A*B*20240301*0930*502*X*004010~ST*850*0001~SE**0001~GE*1*502~IEA*1*000000502~`),
    ).toEqual(['expected SE01 segment count 2, found ""']);
  });

  it('ST without ST01 or ST02', async () => {
    expect(await messages(`${isa()}GS*PO*A*B*20240301*0930*502*X*004010~ST**~SE*2*~GE*1*502~IEA*1*000000502~`)).toEqual(
      ['expected ST01 transaction set identifier, found nothing', 'expected ST02 control number, found nothing'],
    );
  });

  it('GS without GS06', async () => {
    expect(await messages(`${isa()}GS*PO*A*B*20240301*0930**X*004010~GE*0*~IEA*1*000000502~`)).toEqual([
      'expected GS06 group control number, found nothing',
    ]);
  });

  it('a GS08 left empty is no version', async () => {
    const s = await read(`${isa()}GS*PO*A*B*20240301*0930*5*X*~GE*0*5~IEA*1*000000502~`);
    expect(s.errors).toEqual([]);
    expect(s.groups[0]!.version).toBeNull();
  });

  it('a segment before SE that opens something else closes nothing: the transaction is dropped', async () => {
    const text = `${isa()}GS*PO*A*B*20240301*0930*502*X*004010~ST*850*0001~ST*850*0002~SE*2*0002~GE*2*502~IEA*1*000000502~`;
    const s = await read(text);
    expect(s.errors).toEqual([
      { segment: 4, position: at(text, 'ST*850*0002'), message: 'expected SE to close ST 0001, found ST' },
    ]);
    expect(s.events).toEqual(['IC 000000502', 'GROUP 000000502/502', 'TX 502/850/0002']);
  });

  it.each(['GS', 'GE', 'ISA', 'IEA'])('%s inside a transaction is reported as such', async (tag) => {
    const inner =
      tag === 'GS'
        ? 'GS*PO*A*B*20240301*0930*9*X*004010'
        : tag === 'GE'
          ? 'GE*1*502'
          : tag === 'IEA'
            ? 'IEA*1*000000502'
            : isa({ control: '000000503' }).slice(0, -1);
    const text = `${isa()}GS*PO*A*B*20240301*0930*502*X*004010~ST*850*0001~${inner}~`;
    expect((await messages(text))[0]).toBe(`expected SE to close ST 0001, found ${tag}`);
  });

  it('a segment outside any group, and one in a group outside any transaction', async () => {
    const text = `${isa()}N1*ST*X~GS*PO*A*B*20240301*0930*502*X*004010~N1*ST*Y~GE*0*502~IEA*1*000000502~`;
    const s = await read(text);
    expect(s.errors).toEqual([
      { segment: 2, position: ISA_LEN, message: 'expected GS or IEA, found N1' },
      { segment: 4, position: at(text, 'N1*ST*Y'), message: 'expected ST, GE or IEA, found N1' },
    ]);
  });

  it('a TA1 after a group has started is out of place', async () => {
    expect(
      await messages(
        `${isa()}GS*PO*A*B*20240301*0930*5*X*004010~GE*0*5~TA1*000000777*240301*0930*A*000~IEA*1*000000502~`,
      ),
    ).toEqual(['expected GS or IEA, found TA1']);
  });

  it('trailers and headers without what they close or belong to', async () => {
    expect(await messages(`${isa()}GE*0*5~IEA*0*000000502~`)).toEqual(['expected GS before GE']);
    expect(await messages(`${isa()}SE*2*1~IEA*0*000000502~`)).toEqual(['expected ST before SE']);
    expect(await messages(`${isa()}ST*850*1~SE*2*1~IEA*0*000000502~`)).toEqual([
      'expected GS before ST',
      'expected ST before SE',
    ]);
  });

  it('a group left open at IEA, and a GS inside a group', async () => {
    expect(await messages(`${isa()}GS*PO*A*B*20240301*0930*5*X*004010~IEA*1*000000502~`)).toEqual([
      'expected GE to close group 5, found IEA',
    ]);
    expect(
      await messages(
        `${isa()}GS*PO*A*B*20240301*0930*5*X*004010~GS*PO*A*B*20240301*0930*6*X*004010~GE*0*6~IEA*2*000000502~`,
      ),
    ).toEqual(['expected GE before a new group, found GS']);
  });

  it('an ISA inside an interchange', async () => {
    const text = `${isa()}${isa({ control: '000000503' })}IEA*0*000000503~`;
    const s = await read(text);
    expect(s.errors).toEqual([
      { segment: 2, position: ISA_LEN, message: 'expected IEA before a new interchange, found ISA' },
    ]);
    expect(s.events).toEqual(['IC 000000502', 'IC 000000503']);
  });

  it.each([
    [
      'in a transaction',
      `${isa()}GS*PO*A*B*20240301*0930*5*X*004010~ST*850*0001~BEG*00*SA*PO-1~`,
      'expected SE for ST 0001, found end of file',
      5,
    ],
    ['in a group', `${isa()}GS*PO*A*B*20240301*0930*5*X*004010~`, 'expected GE for GS 5, found end of file', 3],
    ['in an interchange', isa(), 'expected IEA for ISA 000000502, found end of file', 2],
  ])('a file cut off %s', async (_name, text, message, segment) => {
    expect((await read(text)).errors).toEqual([{ segment, position: text.length, message }]);
  });

  it('an empty file', async () => {
    expect((await read('')).errors).toEqual([
      { segment: 1, position: 0, message: 'expected an interchange header (ISA, UNA or UNB), found an empty file' },
    ]);
  });

  it('stops collecting at maxErrors', async () => {
    const text = `${isa()}N1*A~N1*B~N1*C~IEA*0*000000502~`;
    expect((await read(text, [], { maxErrors: 2 })).errors.map((e) => e.message)).toEqual([
      'expected GS or IEA, found N1',
      'expected GS or IEA, found N1',
    ]);
    expect((await read(text)).errors).toHaveLength(3);
  });
});

const UNB = "UNA:+.? 'UNB+UNOC:3+5790000000001:14+GRIDBRIDGE:ZZ+240301:0930+C1'";

describe('EDIFACT: what a well-formed interchange hands over', () => {
  it('the interchange with its ack request (0031) and test indicator (0035), messages without a group', async () => {
    const text =
      "UNA:+.? 'UNB+UNOC:3+5790000000001:14+GRIDBRIDGE:ZZ+240301:0930+C1++APP++1++1'UNH+M1+ORDERS:D:96A:UN'BGM+220+PO-E1+9'UNT+3+M1'UNH+M2+DESADV:D:96A:UN'UNT+2+M2'UNZ+2+C1'";
    const s = await read(text);
    expect(s.errors).toEqual([]);
    expect(s.interchanges[0]).toEqual({
      standard: 'edifact',
      control_number: 'C1',
      sender: { qualifier: '14', id: '5790000000001' },
      receiver: { qualifier: 'ZZ', id: 'GRIDBRIDGE' },
      usage: 'test',
      version: 'UNOC:3',
      ack_requested: true,
      date: '240301',
      time: '0930',
      offset: 9,
      segment: 2,
      delimiters: expect.objectContaining({ element: '+', component: ':', segment: "'", release: '?' }),
    });
    expect(s.groups).toEqual([]);
    expect(
      s.transactions.map((t) => [
        t.set_id,
        t.control_number,
        t.convention,
        t.group,
        t.business_reference?.value ?? null,
      ]),
    ).toEqual([
      [
        'ORDERS',
        'M1',
        null,
        {
          control_number: null,
          functional_id: null,
          application_sender: null,
          application_receiver: null,
          version: null,
        },
        'PO-E1',
      ],
      [
        'DESADV',
        'M2',
        null,
        {
          control_number: null,
          functional_id: null,
          application_sender: null,
          application_receiver: null,
          version: null,
        },
        null,
      ],
    ]);
  });

  it('no ack request and no test indicator: production, no CONTRL asked', async () => {
    const s = await read(`${UNB}UNZ+0+C1'`);
    expect(s.errors).toEqual([]);
    expect(s.interchanges[0]).toMatchObject({ usage: 'production', ack_requested: false });
  });

  it('two groups, each with its messages', async () => {
    const text = `${UNB}UNG+ORDERS+S+R+240301:0930+G1+UN+D:96A'UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNE+1+G1'UNG+DESADV+S+R+240301:0930+G2+UN+D:96A'UNH+2+DESADV:D:96A:UN'UNT+2+2'UNE+1+G2'UNZ+2+C1'`;
    const s = await read(text);
    expect(s.errors).toEqual([]);
    expect(s.events).toEqual(['IC C1', 'GROUP C1/G1', 'TX G1/ORDERS/1', 'GROUP C1/G2', 'TX G2/DESADV/2']);
  });

  it('groups (UNG…UNE): UNZ counts the groups', async () => {
    const text = `${UNB}UNG+ORDERS+SENDAPP:14+RECVAPP:ZZ+240301:0930+G1+UN+D:96A'UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNH+2+ORDERS:D:96A:UN'UNT+2+2'UNE+2+G1'UNZ+1+C1'`;
    const s = await read(text);
    expect(s.errors).toEqual([]);
    expect(s.groups).toEqual([
      {
        control_number: 'G1',
        functional_id: 'ORDERS',
        application_sender: 'SENDAPP',
        application_receiver: 'RECVAPP',
        version: '96A',
      },
    ]);
    expect(s.events).toEqual(['IC C1', 'GROUP C1/G1', 'TX G1/ORDERS/1', 'TX G1/ORDERS/2']);
  });

  it('a UNG without its message version', async () => {
    const s = await read(`${UNB}UNG+ORDERS+S+R+240301:0930+G1+UN'UNE+0+G1'UNZ+1+C1'`);
    expect(s.errors).toEqual([]);
    expect(s.groups[0]!.version).toBeNull();
  });

  it('UNZ counts the messages when there is no group', async () => {
    expect(await messages(`${UNB}UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNZ+2+C1'`)).toEqual([
      'expected UNZ 0036 count 1, found "2"',
    ]);
  });
});

describe('EDIFACT: each rule broken, with its message', () => {
  it.each([
    [
      "UNB+UNOC:3+5790000000001:14+GRIDBRIDGE:ZZ+240301:0930+'UNZ+0+'",
      'expected UNB 0020 interchange control reference, found nothing',
    ],
    [
      "UNB+UNOC:3+:14+GRIDBRIDGE:ZZ+240301:0930+C1'UNZ+0+C1'",
      'expected UNB sender (S002) and recipient (S003) identifications',
    ],
    [
      "UNB+UNOC:3+5790000000001:14+:ZZ+240301:0930+C1'UNZ+0+C1'",
      'expected UNB sender (S002) and recipient (S003) identifications',
    ],
    [
      "UNB+UNOC+A:14+B:14+20240301:0930+C1'UNZ+0+C1'",
      'expected UNB date (0017) YYMMDD for syntax version ?, found "20240301"',
    ],
    [
      "UNB+UNOC:3+A:14+B:14+240230:0930+C1'UNZ+0+C1'",
      'expected UNB date (0017) YYMMDD for syntax version 3, found "240230"',
    ],
    [
      "UNB+UNOC:4+A:14+B:14+20240230:0930+C1'UNZ+0+C1'",
      'expected UNB date (0017) CCYYMMDD for syntax version 4, found "20240230"',
    ],
    ["UNB+UNOC:3+A:14+B:14+240301:2400+C1'UNZ+0+C1'", 'expected UNB time (0019) HHMM, found "2400"'],
    ["UNB+UNOC:3+A:14+B:14+240301+C1'UNZ+0+C1'", 'expected UNB time (0019) HHMM, found ""'],
  ])('%s', async (text, message) => {
    expect(await messages(text)).toEqual([message]);
  });

  it('a CCYYMMDD in the first century is refused (no interchange is dated so; Date.UTC would read 0099 as 1999)', async () => {
    expect(await messages("UNB+UNOC:4+A:14+B:14+00990301:0930+C1'UNZ+0+C1'")).toEqual([
      'expected UNB date (0017) CCYYMMDD for syntax version 4, found "00990301"',
    ]);
  });

  it('a segment tagged TA1 in an EDIFACT interchange is no X12 interchange acknowledgement', async () => {
    const s = await read(`${UNB}TA1+X'UNZ+0+C1'`);
    expect(s.errors.map((e) => e.message)).toEqual(['expected UNH, UNE or UNZ, found TA1']);
    expect(s.events).toEqual(['IC C1']);
  });

  it('UNH 0068 (common access reference) is no implementation convention', async () => {
    const s = await read(`${UNB}UNH+1+ORDERS:D:96A:UN+ACCESS-REF'UNT+2+1'UNZ+1+C1'`);
    expect(s.errors).toEqual([]);
    expect(s.transactions[0]!.convention).toBeNull();
  });

  it('syntax version 5 reads the date as CCYYMMDD, like 4', async () => {
    expect(await messages("UNB+UNOC:5+A:14+B:14+20240301:0930+C1'UNZ+0+C1'")).toEqual([]);
  });

  it("UNZ 0020 must be the header's reference exactly (no numeric match, unlike X12)", async () => {
    expect(await messages("UNB+UNOC:3+A:14+B:14+240301:0930+1'UNZ+0+01'")).toEqual([
      'expected UNZ 0020 "1" (the header\'s control number), found "01"',
    ]);
  });

  it('UNE: count and reference; UNT: count and reference', async () => {
    const text = `${UNB}UNG+ORDERS+S+R+240301:0930+G1+UN+D:96A'UNH+1+ORDERS:D:96A:UN'BGM+220+X'UNT+2+9'UNE+3+G2'UNZ+1+C1'`;
    expect(await messages(text)).toEqual([
      'expected UNT 0074 segment count 3, found "2"',
      'expected UNT 0062 "1" (the header\'s control number), found "9"',
      'expected UNE 0060 message count 1, found "3"',
      'expected UNE 0048 "G1" (the group\'s control number), found "G2"',
    ]);
  });

  it('UNH without message type or reference', async () => {
    expect(await messages(`${UNB}UNH+'UNT+2+'UNZ+1+C1'`)).toEqual([
      'expected UNH S009 message type, found nothing',
      'expected UNH 0062 control number, found nothing',
    ]);
  });

  it('UNG without its reference', async () => {
    expect(await messages(`${UNB}UNG+ORDERS+S+R+240301:0930++UN+D:96A'UNE+0+'UNZ+1+C1'`)).toEqual([
      'expected UNG 0048 group control number, found nothing',
    ]);
  });

  it('messages in and out of groups in one interchange', async () => {
    expect(
      await messages(`${UNB}UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNG+ORDERS+S+R+240301:0930+G1+UN+D:96A'UNE+0+G1'UNZ+1+C1'`),
    ).toEqual(['expected no UNG: this interchange already has messages outside groups']);
    expect(
      await messages(`${UNB}UNG+ORDERS+S+R+240301:0930+G1+UN+D:96A'UNE+0+G1'UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNZ+1+C1'`),
    ).toEqual(['expected UNG: this interchange puts its messages in groups']);
  });

  it('a second UNG in a group, a UNZ with a group open, a UNE without UNG', async () => {
    expect(
      await messages(`${UNB}UNG+ORDERS+S+R+240301:0930+G1+UN'UNG+ORDERS+S+R+240301:0930+G2+UN'UNE+0+G2'UNZ+2+C1'`),
    ).toEqual(['expected UNE before a new group, found UNG']);
    expect(await messages(`${UNB}UNG+ORDERS+S+R+240301:0930+G1+UN'UNZ+1+C1'`)).toEqual([
      'expected UNE to close group G1, found UNZ',
    ]);
    expect(await messages(`${UNB}UNE+0+G1'UNZ+0+C1'`)).toEqual(['expected UNG before UNE']);
  });

  it('headers and trailers outside an interchange, a UNB inside one, a stray segment', async () => {
    expect(await messages(`${UNB}UNT+2+1'UNZ+0+C1'`)).toEqual(['expected UNH before UNT']);
    expect(await messages(`${UNB}UNB+UNOC:3+A:14+B:14+240301:0930+C2'UNZ+0+C2'`)).toEqual([
      'expected UNZ before a new interchange, found UNB',
    ]);
    expect(await messages(`${UNB}BGM+220+X'UNZ+0+C1'`)).toEqual(['expected UNH, UNE or UNZ, found BGM']);
    expect(await messages(`${UNB}UNH+1+ORDERS:D:96A:UN'UNZ+1+C1'`)).toEqual(['expected UNT to close UNH 1, found UNZ']);
  });

  it.each([
    ['in a message', `${UNB}UNH+1+ORDERS:D:96A:UN'BGM+220+X'`, 'expected UNT for UNH 1, found end of file', 5],
    ['in a group', `${UNB}UNG+ORDERS+S+R+240301:0930+G1+UN'`, 'expected UNE for UNG G1, found end of file', 4],
    ['in an interchange', UNB, 'expected UNZ for UNB C1, found end of file', 3],
  ])('a file cut off %s', async (_name, text, message, segment) => {
    expect((await read(text)).errors).toEqual([{ segment, position: text.length, message }]);
  });
});

// The checker on its own, fed segments the tokenizer never lets through (it refuses an ISA without exactly 16
// elements, and any segment but a header after a trailer): what the class does when used without it.
describe('EnvelopeChecker fed segments directly', () => {
  const X12_D: Delimiters = {
    element: '*',
    component: '>',
    segment: '~',
    release: null,
    repetition: null,
    encoding: 'latin1',
  };
  const EDI_D: Delimiters = {
    element: '+',
    component: ':',
    segment: "'",
    release: '?',
    repetition: null,
    encoding: 'latin1',
  };
  function feed(texts: string[], standard: 'x12' | 'edifact' = 'x12') {
    const events: string[] = [];
    const interchanges: InterchangeEnvelope[] = [];
    const checker = new EnvelopeChecker({
      onInterchange: (ic) => interchanges.push(ic),
      onInterchangeSegment: (ic, seg) => events.push(`SEG ${String(ic?.control_number)}/${seg.tag}`),
      onTransaction: (tx) => events.push(`TX ${tx.control_number}`),
    });
    let offset = 0;
    texts.forEach((text, i) => {
      const d = standard === 'x12' ? X12_D : EDI_D;
      const tag = text.split(d.element)[0]!;
      checker.segment(new Segment(tag, Buffer.from(text, 'latin1'), 0, text.length, offset, i + 1, standard, d));
      offset += text.length + 1;
    });
    return { checker, events, interchanges };
  }

  it('an ISA with an element missing, and one with none at all', async () => {
    const short = isa().slice(0, -1).replace('*00401*', '*');
    expect(feed([short, 'IEA*0*000000502']).checker.errors).toEqual([
      { segment: 1, position: 0, message: 'expected 16 ISA elements, found 15' },
      // ISA13 is now the ack flag (a control number of one digit), ISA15 the component separator.
      { segment: 1, position: 0, message: 'expected ISA15 usage indicator P, T or I, found ">"' },
      {
        segment: 2,
        position: short.length + 1,
        message: 'expected IEA02 "0" (the header\'s control number), found "000000502"',
      },
    ]);
    const bare = feed(['ISA']);
    expect(bare.checker.errors.map((e) => e.message)).toEqual([
      'expected 16 ISA elements, found 0',
      'expected ISA13 interchange control number (up to 9 digits), found ""',
      'expected ISA06 sender and ISA08 receiver ids, found an empty one',
      'expected ISA09 interchange date YYMMDD, found ""',
      'expected ISA10 interchange time HHMM, found ""',
      'expected ISA15 usage indicator P, T or I, found ""',
    ]);
    expect(bare.interchanges[0]).toMatchObject({
      control_number: '',
      sender: { qualifier: '', id: '' },
      receiver: { qualifier: '', id: '' },
      usage: 'production',
      version: '',
      ack_requested: false,
      date: '',
      time: '',
    });
  });

  it('a handler without keepSegments keeps no segments', async () => {
    const txs: TransactionEnvelope[] = [];
    const checker = new EnvelopeChecker({ onTransaction: (tx) => txs.push(tx) });
    const d = X12_D;
    ['GS*PO*A*B*20240301*0930*5*X*004010', 'ST*850*0001', 'SE*2*0001'].forEach((text, i) =>
      checker.segment(new Segment(text.slice(0, 2), Buffer.from(text, 'latin1'), 0, text.length, i, i + 1, 'x12', d)),
    );
    expect(checker.errors.map((e) => e.message)).toEqual([
      'expected ISA before GS',
      'expected ISA before ST',
      'expected ST before SE',
    ]);
    const ok = new EnvelopeChecker({ onTransaction: (tx) => txs.push(tx) });
    [isa().slice(0, -1), 'GS*PO*A*B*20240301*0930*5*X*004010', 'ST*850*0001', 'SE*2*0001'].forEach((text, i) =>
      ok.segment(new Segment(text.split('*')[0]!, Buffer.from(text, 'latin1'), 0, text.length, i, i + 1, 'x12', d)),
    );
    expect(ok.errors).toEqual([]);
    expect(txs.map((t) => t.segments)).toEqual([null]);
    expect(ok.transactions).toBe(1);
  });

  it('an ISA cut after ISA06: the receiver is missing', async () => {
    expect(feed(['ISA*00*          *00*          *ZZ*ACMESUPPLY     ']).checker.errors.map((e) => e.message)).toContain(
      'expected ISA06 sender and ISA08 receiver ids, found an empty one',
    );
  });

  it('a TA1 reaches a handler without onInterchangeSegment without harm', async () => {
    const checker = new EnvelopeChecker({});
    [isa().slice(0, -1), 'TA1*000000777*240301*0930*A*000', 'IEA*0*000000502'].forEach((text, i) =>
      checker.segment(
        new Segment(text.split('*')[0]!, Buffer.from(text, 'latin1'), 0, text.length, i, i + 1, 'x12', X12_D),
      ),
    );
    expect(checker.errors).toEqual([]);
  });

  it('an ISA whose receiver alone is blank', async () => {
    const text = isa().slice(0, -1).replace('*5555551234     *', '*               *');
    expect(feed([text]).checker.errors.map((e) => e.message)).toEqual([
      'expected ISA06 sender and ISA08 receiver ids, found an empty one',
    ]);
  });

  it.each([
    ['IEA*0*1', 'expected ISA before IEA'],
    ['GS*PO*A*B*20240301*0930*5*X*004010', 'expected ISA before GS'],
    ['ST*850*0001', 'expected ISA before ST'],
    ['N1*ST*X', 'expected ISA, found N1'],
    ['TA1*000000777*240301*0930*A*000', 'expected ISA, found TA1'],
  ])('X12 %s after the interchange: %s', async (text, message) => {
    const r = feed([isa().slice(0, -1), 'IEA*0*000000502', text]);
    expect(r.checker.errors).toEqual([{ segment: 3, position: ISA_LEN + 16, message }]);
    expect(r.events).toEqual([]);
  });

  it.each([
    ['UNZ+0+C1', 'expected UNB before UNZ'],
    ['UNG+ORDERS+S+R+240301:0930+G1+UN', 'expected UNB before UNG'],
    ['UNE+0+G1', 'expected UNG before UNE'],
    ['BGM+220+X', 'expected UNB, found BGM'],
  ])('EDIFACT %s after the interchange: %s', async (text, message) => {
    const r = feed(['UNB+UNOC:3+A:14+B:14+240301:0930+C1', 'UNZ+0+C1', text], 'edifact');
    expect(r.checker.errors.map((e) => e.message)).toEqual([message]);
  });
});
