import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readEdi } from '../edi/readEdi.ts';
import type { TransactionEnvelope } from '../edi/envelope.ts';
import { edifactInvoice, edifactOrder, edifactShipmentsByPo, iftstaExceptions } from './edifactDocuments.ts';
import { invoiceOf, orderOf, shipmentsOf, statusExceptions } from './documents.ts';

const FIXTURES = new URL('../../../../test/fixtures/edi/', import.meta.url);

async function transactions(data: Buffer): Promise<TransactionEnvelope[]> {
  const out: TransactionEnvelope[] = [];
  const summary = await readEdi(data, { keepSegments: () => true, onTransaction: (tx) => out.push(tx) });
  expect(summary.errors).toEqual([]);
  return out;
}
const fixture = async (name: string) => (await transactions(readFileSync(new URL(name, FIXTURES))))[0]!;
/** One message between a UNB/UNZ pair, segments given one per line (default UNA). */
const message = async (type: string, body: string[]) =>
  (
    await transactions(
      Buffer.from(
        [
          "UNB+UNOC:3+P:ZZ+US:ZZ+240301:0930+1'",
          `UNH+1+${type}:D:96A:UN'`,
          ...body.map((s) => `${s}'`),
          `UNT+${body.length + 2}+1'`,
          "UNZ+1+1'",
        ].join(''),
        'latin1',
      ),
    )
  )[0]!;

describe('EDIFACT documents in the three-way match', () => {
  it('reads an ORDERS (D.96A, EANCOM): BGM order number, LIN items with QTY+21 and the PRI net price', async () => {
    const tx = await fixture('edifact/orders-d96a.edi');
    expect(edifactOrder(tx)).toEqual({
      po: 'PO-E4711',
      lines: [
        { line: '1', product: '4000862141404', quantity: 10, unitPrice: 12.5 },
        { line: '2', product: '4000862141411', quantity: 5, unitPrice: 40 },
      ],
    });
    expect(orderOf(tx)).toEqual(edifactOrder(tx));
  });

  it('reads a DESADV (D.96A): QTY+12 despatched per LIN under the header RFF+ON; other quantities ignored', async () => {
    const tx = await fixture('edifact/desadv-d96a.edi');
    expect([...edifactShipmentsByPo(tx)]).toEqual([
      [
        'PO-E4711',
        [
          { product: '4000862141404', quantity: 10 },
          { product: '4000862141411', quantity: 4 },
        ],
      ],
    ]);
    expect(shipmentsOf(tx)).toEqual(edifactShipmentsByPo(tx));
  });

  it('reads an INVOIC (D.01B): header RFF+ON, QTY+47, PRI AAA over AAB whatever their order', async () => {
    const tx = await fixture('edifact/invoic-d01b.edi');
    expect(edifactInvoice(tx)).toEqual({
      po: 'PO-E4711',
      lines: [
        { line: '1', product: '4000862141404', quantity: 10, unitPrice: 12.5 },
        { line: '2', product: '4000862141411', quantity: 5, unitPrice: 42 },
      ],
    });
    expect(invoiceOf(tx)).toEqual(edifactInvoice(tx));
  });

  it.each([
    [
      'a line-level RFF+ON names the order of its line (DESADV for two orders)',
      'DESADV',
      ['BGM+351+D1+9', 'LIN+1++A:EN', 'QTY+12:3', 'RFF+ON:PO-1', 'LIN+2++B:EN', 'QTY+12:4', 'RFF+ON:PO-2'],
      {
        shipments: [
          ['PO-1', [{ product: 'A', quantity: 3 }]],
          ['PO-2', [{ product: 'B', quantity: 4 }]],
        ],
      },
    ],
    [
      'a line without RFF+ON falls back to the header order; a line with no order at all is dropped',
      'DESADV',
      ['BGM+351+D1+9', 'LIN+1++A:EN', 'QTY+12:3'],
      { shipments: [] },
    ],
    [
      'the item number from PIA when LIN has none; a price per unit price basis (5284)',
      'ORDERS',
      ['BGM+220+PO-9+9', 'LIN+1', 'PIA+5+SKU-9:SA', 'QTY+21:2', 'PRI+AAA:25:CT:AAA:10:PCE'],
      { order: { po: 'PO-9', lines: [{ line: '1', product: 'SKU-9', quantity: 2, unitPrice: 2.5 }] } },
    ],
    [
      'the gross price (AAB) when no net price is given; QTY and PRI in the summary section (after UNS) belong to no line',
      'ORDERS',
      ['BGM+220+PO-9+9', 'LIN+1++A:EN', 'QTY+21:2', 'PRI+AAB:7', 'UNS+S', 'QTY+21:99', 'PRI+AAA:1'],
      { order: { po: 'PO-9', lines: [{ line: '1', product: 'A', quantity: 2, unitPrice: 7 }] } },
    ],
    ['no BGM document number: no order to match', 'ORDERS', ['BGM+220', 'LIN+1++A:EN', 'QTY+21:2'], { order: null }],
    [
      'an invoice whose order is named only on its lines',
      'INVOIC',
      ['BGM+380+I-1+9', 'LIN+1++A:EN', 'QTY+47:2', 'PRI+AAA:3', 'RFF+ON:PO-7'],
      { invoice: { po: 'PO-7', lines: [{ line: '1', product: 'A', quantity: 2, unitPrice: 3 }] } },
    ],
  ] as const)('%s', async (_, type, body, want) => {
    const tx = await message(type, [...body]);
    if ('order' in want) expect(edifactOrder(tx)).toEqual(want.order);
    if ('shipments' in want) expect([...edifactShipmentsByPo(tx)]).toEqual(want.shipments);
    if ('invoice' in want) expect(edifactInvoice(tx)).toEqual(want.invoice);
  });

  it('reads IFTSTA (D.01B) status exceptions like 214 AT7: a status reason (9013) other than an arrangement', async () => {
    const tx = await fixture('edifact/iftsta-d01b.edi');
    // STS 16 has no reason; STS 22 has reason 5 (appointment scheduled): neither is an exception.
    expect(iftstaExceptions(tx)).toEqual([
      {
        status: '23 Not delivered',
        reason: '14',
        description: 'Damaged: Three cartons crushed',
        date: '202403041015',
      },
    ]);
    expect(statusExceptions(tx).map((x) => x.label)).toEqual(['IFTSTA STS']);
  });

  it.each([
    ['STS+1+23+13', [{ status: '23', reason: '13', description: 'Customs refusal', date: '' }]],
    ['STS+1+23+Z99:::Pallet missing', [{ status: '23', reason: 'Z99', description: 'Pallet missing', date: '' }]],
    ['STS+1+23+ZZZ', [{ status: '23', reason: 'ZZZ', description: 'status reason', date: '' }]],
    ['STS+1+21+15', []],
    ['STS+1+21', []],
  ] as const)('IFTSTA %s', async (sts, want) => {
    const tx = await message('IFTSTA', ['BGM+23+S1+9', sts]);
    expect(iftstaExceptions(tx)).toEqual(want);
  });
});
