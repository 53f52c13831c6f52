import { describe, expect, it } from 'vitest';
import { readEdi } from '../edi/readEdi.ts';
import { ReceivedInterchangeCollector } from './receivedInterchanges.ts';

const isa = (icn: string, ack = '0', sender = 'ACMESUPPLY     ') =>
  `ISA*00*          *00*          *ZZ*${sender}*ZZ*GRIDBRIDGE     *261206*1200*U*00401*${icn}*${ack}*P*>~`;
const group = (gcn: string, body = 'ST*850*0001~BEG*00*SA*PO-1**20261206~SE*3*0001~', count = 1) =>
  `GS*PO*ACMESUPPLY*GRIDBRIDGE*20261206*1200*${gcn}*X*004010~${body}GE*${count}*${gcn}~`;

async function collect(text: string, opts: { acceptMissingFinalTerminator?: boolean } = {}) {
  const c = new ReceivedInterchangeCollector();
  const summary = await readEdi(Buffer.from(text, 'latin1'), c, opts);
  return { summary, received: c.finish(summary.errors, summary.warnings) };
}

describe('the interchanges of a file, as their acknowledgements need them', () => {
  it('a clean file: each interchange with its groups and transactions, accepted; ISA14 kept', async () => {
    const { received } = await collect(
      `${isa('000000901', '1')}${group('901')}${group('902', 'ST*850*0001~BEG*00*SA*PO-2**20261206~SE*3*0001~ST*850*0002~BEG*00*SA*PO-3**20261206~SE*3*0002~', 2)}IEA*2*000000901~` +
        `${isa('000000902')}${group('903')}IEA*1*000000902~`,
    );
    expect(received).toEqual([
      {
        standard: 'x12',
        control: '000000901',
        sender: { qualifier: 'ZZ', id: 'ACMESUPPLY' },
        receiver: { qualifier: 'ZZ', id: 'GRIDBRIDGE' },
        date: '261206',
        time: '1200',
        version: '00401',
        ackRequested: true,
        usage: 'production',
        groups: [
          {
            functionalId: 'PO',
            control: '901',
            version: '004010',
            applicationSender: 'ACMESUPPLY',
            applicationReceiver: 'GRIDBRIDGE',
            transactions: [{ setId: '850', control: '0001' }],
          },
          {
            functionalId: 'PO',
            control: '902',
            version: '004010',
            applicationSender: 'ACMESUPPLY',
            applicationReceiver: 'GRIDBRIDGE',
            transactions: [
              { setId: '850', control: '0001' },
              { setId: '850', control: '0002' },
            ],
          },
        ],
        errors: [],
      },
      expect.objectContaining({ control: '000000902', ackRequested: false, errors: [] }),
    ]);
  });

  it('acknowledgements are not acknowledged: an interchange of 997s or a TA1 gets nothing', async () => {
    const { received } = await collect(
      `${isa('000000905')}GS*FA*ACMESUPPLY*GRIDBRIDGE*20261206*1200*905*X*004010~ST*997*0001~AK1*IN*5~AK9*A*1*1*1~SE*4*0001~GE*1*905~IEA*1*000000905~` +
        `${isa('000000906')}TA1*000000001*261206*1200*A*000~IEA*0*000000906~`,
    );
    expect(received).toEqual([]);
  });

  it('a missing final terminator accepted with a warning is noted on a TA1 (E 023)', async () => {
    const { summary, received } = await collect(`${isa('000000907')}${group('907')}IEA*1*000000907`, {
      acceptMissingFinalTerminator: true,
    });
    expect(summary.errors).toEqual([]);
    expect(received.map((r) => r.errors)).toEqual([[{ code: '023', rejected: false }]]);
  });

  // Each broken file as our envelope checker reports it, and the code its rejection carries.
  const broken: Array<{ name: string; text: string; code: string; tag?: string }> = [
    { name: 'IEA02 differs from ISA13', text: `${isa('000000910')}${group('910')}IEA*1*000000911~`, code: '001' },
    {
      name: 'IEA01 counts the wrong number of groups',
      text: `${isa('000000910')}${group('910')}IEA*2*000000910~`,
      code: '021',
    },
    {
      name: 'an invalid ISA09 date',
      text: `${isa('000000910').replace('261206', '261399')}${group('910')}IEA*1*000000910~`,
      code: '014',
    },
    { name: 'cut off before the IEA', text: `${isa('000000910')}${group('910')}`, code: '023' },
    {
      name: 'the last IEA without its segment terminator (not accepted by config)',
      text: `${isa('000000910')}${group('910')}IEA*1*000000910`,
      code: '023',
    },
    {
      name: 'a transaction whose SE counts wrong (below the interchange)',
      text: `${isa('000000910')}${group('910', 'ST*850*0001~BEG*00*SA*PO-1**20261206~SE*9*0001~')}IEA*1*000000910~`,
      code: '024',
    },
    {
      name: 'EDIFACT: UNZ names another reference',
      text: "UNB+UNOC:3+5790000000001:14+GRIDBRIDGE:ZZ+261206:1200+ICR1'UNH+1+ORDERS:D:96A:UN'BGM+220+P'UNT+3+1'UNZ+1+ICR2'",
      code: '28',
      tag: 'UNZ',
    },
    {
      name: 'EDIFACT: UNZ counts wrong',
      text: "UNB+UNOC:3+5790000000001:14+GRIDBRIDGE:ZZ+261206:1200+ICR1'UNH+1+ORDERS:D:96A:UN'BGM+220+P'UNT+3+1'UNZ+4+ICR1'",
      code: '29',
      tag: 'UNZ',
    },
    {
      name: 'EDIFACT: cut off after a message',
      text: "UNB+UNOC:3+5790000000001:14+GRIDBRIDGE:ZZ+261206:1200+ICR1'UNH+1+ORDERS:D:96A:UN'BGM+220+P'UNT+3+1'",
      code: '13',
      tag: 'UNZ',
    },
    {
      name: 'EDIFACT: the UNZ without its segment terminator',
      text: "UNB+UNOC:3+5790000000001:14+GRIDBRIDGE:ZZ+261206:1200+ICR1'UNH+1+ORDERS:D:96A:UN'BGM+220+P'UNT+3+1'UNZ+1+ICR1",
      code: '13',
      tag: 'UNZ',
    },
    {
      name: 'EDIFACT: an invalid UNB date',
      text: "UNB+UNOC:3+5790000000001:14+GRIDBRIDGE:ZZ+261399:1200+ICR1'UNH+1+ORDERS:D:96A:UN'BGM+220+P'UNT+3+1'UNZ+1+ICR1'",
      code: '12',
      tag: 'UNB',
    },
  ];
  for (const b of broken)
    it(`rejected with ${b.code}${b.tag ? ` (${b.tag})` : ''}: ${b.name}`, async () => {
      const { summary, received } = await collect(b.text);
      expect(summary.errors.length).toBeGreaterThan(0);
      expect(received).toHaveLength(1);
      expect(received[0]!.groups).toEqual([]);
      expect(received[0]!.errors).toEqual([{ code: b.code, ...(b.tag ? { tag: b.tag } : {}) }]);
    });

  it('in a file with errors, only the interchange an error is in is rejected; a header that names no control number gets nothing', async () => {
    const { received } = await collect(
      `${isa('000000920')}${group('920')}IEA*1*000000920~${isa('000000921')}${group('921')}IEA*1*000000999~`,
    );
    expect(received.map((r) => [r.control, r.errors])).toEqual([['000000921', [{ code: '001' }]]]);
    const unnamed = await collect(`${isa('ABC')}${group('922')}IEA*1*ABC~`);
    expect(unnamed.summary.errors.length).toBeGreaterThan(0);
    expect(unnamed.received).toEqual([]);
  });
});
