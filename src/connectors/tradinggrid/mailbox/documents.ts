import type { TransactionEnvelope } from '../edi/envelope.ts';
import { first, type Segment } from '../edi/segment.ts';
import { edifactInvoice, edifactOrder, edifactShipmentsByPo, iftstaExceptions } from './edifactDocuments.ts';
import type { OrderLine, ShipmentLine } from './state.ts';

/** Business documents whose content the mailbox reads (their segments are kept while parsing). */
export const DOCUMENT_SETS: ReadonlySet<string> = new Set([
  '850',
  '856',
  '810',
  '214',
  '180',
  '855',
  '864',
  '865',
  'ORDERS',
  'DESADV',
  'INVOIC',
  'IFTSTA',
  // A partner's purchase order change: a flow-6 request (edi/partnerDocuments.ts).
  '860',
  'ORDCHG',
]);

/** The three-way match's documents, X12 and EDIFACT alike: order, shipment notice, invoice. */
export type DocumentRole = 'order' | 'shipment' | 'invoice';
export const DOCUMENT_ROLES: Readonly<Record<string, DocumentRole>> = {
  '850': 'order',
  ORDERS: 'order',
  '856': 'shipment',
  DESADV: 'shipment',
  '810': 'invoice',
  INVOIC: 'invoice',
};
/** What a shipment notice is called in each standard, for messages. */
export const SHIPMENT_NOTICE = { x12: '856', edifact: 'DESADV' } as const;

const num = (s: string): number | null => (s === '' || !Number.isFinite(Number(s)) ? null : Number(s));

/** Product id of a PO1/IT1/LIN-style segment: the first qualifier/id pair from element `from` on. */
function productOf(seg: Segment, from: number): string | null {
  for (let n = from; n + 1 < seg.elements.length; n += 2) {
    const id = first(seg, n + 1);
    if (first(seg, n) !== '' && id !== '') return id;
  }
  return null;
}

/** 850 PO1 lines / 810 IT1 lines: line number, quantity (02), unit price (04), product (06/07 pairs). */
export function itemLines(tx: TransactionEnvelope, tag: 'PO1' | 'IT1'): OrderLine[] {
  return (tx.segments ?? [])
    .filter((s) => s.tag === tag)
    .map((s) => ({
      line: first(s, 1),
      quantity: num(first(s, 2)),
      unitPrice: num(first(s, 4)),
      product: productOf(s, 6),
    }));
}

/** 856: shipped quantities per PO (PRF01), from LIN (product) + SN1 (02 quantity) under each order level. */
export function shipmentsByPo(tx: TransactionEnvelope): Map<string, ShipmentLine[]> {
  const out = new Map<string, ShipmentLine[]>();
  let po: string | null = null;
  let product: string | null = null;
  for (const s of tx.segments ?? []) {
    if (s.tag === 'PRF') {
      po = first(s, 1);
      if (!out.has(po)) out.set(po, []);
    } else if (s.tag === 'LIN') product = productOf(s, 2);
    else if (s.tag === 'SN1' && po !== null) {
      out.get(po)!.push({ product, quantity: num(first(s, 2)) ?? 0 });
      product = null;
    }
  }
  return out;
}

/** 810 BIG04: the purchase order the invoice is for. */
export function invoicePo(tx: TransactionEnvelope): string | null {
  const big = tx.segments?.find((s) => s.tag === 'BIG');
  return big ? first(big, 4) || null : null;
}

/** 850 BEG03. */
export function orderNumber(tx: TransactionEnvelope): string | null {
  const beg = tx.segments?.find((s) => s.tag === 'BEG');
  return beg ? first(beg, 3) || null : null;
}

const AT7_REASONS: Record<string, string> = {
  NS: 'Normal status',
  A1: 'Missed delivery',
  A2: 'Incorrect address',
  AF: 'Accident',
  AJ: 'Other carrier-related',
  AM: 'Shipper related',
  AO: 'Weather or natural disaster related',
  AX: 'Insufficient time to complete delivery',
  B1: 'Consignee closed',
  BG: 'Other',
  BS: 'Refused by customer',
  HB: 'Held for consignee',
  P1: 'Processing delay',
};

/** 214 AT7 lines whose status reason (02) or appointment reason (04) is not NS (normal). */
export function at7Exceptions(
  tx: TransactionEnvelope,
): { status: string; reason: string; description: string; date: string }[] {
  const out: { status: string; reason: string; description: string; date: string }[] = [];
  for (const s of tx.segments ?? []) {
    if (s.tag !== 'AT7') continue;
    for (const [statusAt, reasonAt] of [
      [1, 2],
      [3, 4],
    ] as const) {
      const reason = first(s, reasonAt);
      if (reason !== '' && reason !== 'NS')
        out.push({
          status: first(s, statusAt),
          reason,
          description: AT7_REASONS[reason] ?? 'exception reason',
          date: `${first(s, 5)} ${first(s, 6)}`.trim(),
        });
    }
  }
  return out;
}

/** 180 items: product (LIN), reason (RDR01/02), quantity (QTY02). */
export function returnItems(tx: TransactionEnvelope): string[] {
  const out: string[] = [];
  let cur: { product: string | null; reason: string; qty: string } | null = null;
  const flush = () =>
    cur && out.push(`${cur.qty || '?'} x ${cur.product ?? '?'}${cur.reason ? ` (reason ${cur.reason})` : ''}`);
  for (const s of tx.segments ?? []) {
    if (s.tag === 'LIN') {
      flush();
      cur = { product: productOf(s, 2), reason: '', qty: '' };
    } else if (s.tag === 'RDR' && cur) cur.reason = [first(s, 1), first(s, 2)].filter(Boolean).join('/');
    else if (s.tag === 'QTY' && cur) cur.qty = first(s, 2);
  }
  flush();
  return out;
}

/** An order (850 BEG03 + PO1 lines, ORDERS BGM + LIN lines); null without an order number. */
export function orderOf(tx: TransactionEnvelope): { po: string; lines: OrderLine[] } | null {
  if (tx.set_id === 'ORDERS') return edifactOrder(tx);
  const po = orderNumber(tx);
  return po === null ? null : { po, lines: itemLines(tx, 'PO1') };
}

/** Shipped quantities per order (856 PRF/LIN/SN1, DESADV RFF+ON/LIN/QTY+12). */
export function shipmentsOf(tx: TransactionEnvelope): Map<string, ShipmentLine[]> {
  return tx.set_id === 'DESADV' ? edifactShipmentsByPo(tx) : shipmentsByPo(tx);
}

/** The order an invoice bills and its lines (810 BIG04 + IT1, INVOIC RFF+ON + LIN). */
export function invoiceOf(tx: TransactionEnvelope): { po: string | null; lines: OrderLine[] } {
  return tx.set_id === 'INVOIC' ? edifactInvoice(tx) : { po: invoicePo(tx), lines: itemLines(tx, 'IT1') };
}

/** Shipment status exceptions of a 214 (AT7) or an IFTSTA (STS), with the words the detail starts with. */
export function statusExceptions(
  tx: TransactionEnvelope,
): { label: string; status: string; reason: string; description: string; date: string }[] {
  return tx.set_id === 'IFTSTA'
    ? iftstaExceptions(tx).map((x) => ({ label: 'IFTSTA STS', ...x }))
    : at7Exceptions(tx).map((x) => ({ label: '214 AT7', ...x }));
}
