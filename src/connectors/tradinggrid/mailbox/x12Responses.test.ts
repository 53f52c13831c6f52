import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readEdi } from '../edi/readEdi.ts';
import type { TransactionEnvelope } from '../edi/envelope.ts';
import { describeOrderAnswer, orderAnswer, textMessage } from './x12Responses.ts';

const FIXTURES = new URL('../../../../test/fixtures/edi/', import.meta.url);

async function tx(data: Buffer): Promise<TransactionEnvelope> {
  const out: TransactionEnvelope[] = [];
  const summary = await readEdi(data, { keepSegments: () => true, onTransaction: (t) => out.push(t) });
  expect(summary.errors).toEqual([]);
  return out[0]!;
}
const fixture = (name: string) => tx(readFileSync(new URL(name, FIXTURES)));
/** One transaction set in a production interchange from ZZ:P to ZZ:US. */
const x12 = (st: string, body: string[]) => {
  const segs = [
    'ISA*00*          *00*          *ZZ*P              *ZZ*US             *240305*0930*U*00401*000000001*0*P*>',
    'GS*PR*P*US*20240305*0930*1*X*004010',
    `ST*${st}*0001`,
    ...body,
    `SE*${body.length + 2}*0001`,
    'GE*1*1',
    'IEA*1*000000001',
  ];
  return tx(Buffer.from(`${segs.join('~')}~`, 'latin1'));
};

describe('855 purchase order acknowledgement', () => {
  it('a public 855 (node-x12 test data): two lines rejected (ACK IR), two accepted', async () => {
    const a = orderAnswer(await fixture('public/node-x12-855.edi'));
    expect(a.rejected).toBeNull();
    expect(describeOrderAnswer('855', a)).toBe(
      '855 for PO POTEST1112: line 2 9780767928427: IR Item Rejected (0 UN); line 3 9780099599531: IR Item Rejected (0 UN)',
    );
  });

  it.each([
    ['accepted with detail, every line IA: nothing to say', 'AD', ['PO1*1*10*EA*1**VP*A', 'ACK*IA*10*EA'], null],
    ['accepted, no detail', 'AK', [], null],
    [
      'changed: quantity changed and backordered on one line, each ACK listed',
      'AC',
      ['PO1*1*10*EA*1**VP*A', 'ACK*IQ*8*EA', 'ACK*IB*2*EA'],
      '855 for PO PO-1: line 1 A: IQ Item Accepted - Quantity Changed (8 EA); line 1 A: IB Item Backordered (2 EA)',
    ],
    ['rejected at the header, no detail', 'RJ', [], '855 for PO PO-1: rejected (RJ Rejected - No Detail)'],
    [
      'rejected with detail',
      'RD',
      ['PO1*1*10*EA*1**VP*A', 'ACK*IR*0*EA'],
      '855 for PO PO-1: rejected (RD Reject with Detail); line 1 A: IR Item Rejected (0 EA)',
    ],
    ['an unknown line status is still listed', 'AC', ['PO1*3', 'ACK*ZZ'], '855 for PO PO-1: line 3: ZZ line status'],
  ] as const)('%s', async (_, type, lines, want) => {
    expect(describeOrderAnswer('855', orderAnswer(await x12('855', [`BAK*00*${type}*PO-1*20240301`, ...lines])))).toBe(
      want,
    );
  });
});

describe('865 purchase order change acknowledgement', () => {
  it('reads BCA: the order, the change sequence, a refusal', async () => {
    const a = orderAnswer(await fixture('865-rejected.x12'));
    expect(a).toEqual({
      po: 'PO-4711',
      changeSequence: '1',
      rejected: { code: 'RJ', meaning: 'Rejected - No Detail' },
      lines: [],
    });
  });

  it('reads POC lines (products from POC08) with their ACKs', async () => {
    const a = orderAnswer(await x12('865', ['BCA*00*AC*PO-2**3*20240301', 'POC*1*QD*5*5*EA*2**VP*B', 'ACK*IR*0*EA']));
    expect(describeOrderAnswer('865', a)).toBe('865 for PO PO-2 change 3: line 1 B: IR Item Rejected (0 EA)');
  });
});

describe('864 text message', () => {
  it('reads MIT reference and subject and the MSG lines', async () => {
    expect(textMessage(await fixture('864-message.x12'))).toEqual({
      reference: 'MSG-0305',
      subject: 'New carton labels from 1 April',
      text: 'From 1 April every carton carries a GS1-128 label.\nMixed pallets need a pallet label as well.',
    });
  });

  it('falls back on BMG02 without a MIT subject', async () => {
    expect(textMessage(await x12('864', ['BMG*00*Holiday hours', 'MIT*R1', 'MSG*Closed 24 to 26 December']))).toEqual({
      reference: 'R1',
      subject: 'Holiday hours',
      text: 'Closed 24 to 26 December',
    });
  });
});
