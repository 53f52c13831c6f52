import type { TransactionEnvelope } from '../edi/envelope.ts';
import { first, type Segment } from '../edi/segment.ts';

/**
 * A partner's answers to what we ordered or changed, and its free-text messages (X12): 855 purchase order
 * acknowledgement, 865 purchase order change acknowledgement, 864 text message. Pure functions over a
 * transaction's segments.
 */

/** 587 Acknowledgment Type (BAK02, BCA02): the codes that refuse the order or the change. */
export const REJECTING_ACK_TYPES: Readonly<Record<string, string>> = {
  RD: 'Reject with Detail',
  RF: 'Reject with Exception Detail Only',
  RJ: 'Rejected - No Detail',
  RN: 'Rejected - Not as Agreed',
  RO: 'Rejected With Counter Offer',
  RV: 'Rejected - Violates Industry Practices',
};

/** 668 Line Item Status Code (ACK01): every code but the three "accepted as asked" ones is worth a look. */
export const LINE_STATUSES: Readonly<Record<string, string>> = {
  AC: 'Item Accepted and Shipped',
  AR: 'Item Accepted and Released for Shipment',
  BP: 'Item Accepted - Partial Shipment, Balance Backordered',
  DR: 'Item Accepted - Date Rescheduled',
  IA: 'Item Accepted',
  IB: 'Item Backordered',
  IC: 'Item Accepted - Changes Made',
  ID: 'Item Deleted',
  IE: 'Item Accepted, Price Pending',
  IF: 'Item on Hold, Incomplete Description',
  IH: 'Item on Hold',
  IP: 'Item Accepted - Price Changed',
  IQ: 'Item Accepted - Quantity Changed',
  IR: 'Item Rejected',
  IS: 'Item Accepted - Substitution Made',
  IW: 'Item on Hold-Waiver Required',
  SP: 'Item Accepted - Schedule Date Pending',
};
/** Line statuses that accept the line as it was asked for. */
export const ACCEPTED_LINE_STATUSES: ReadonlySet<string> = new Set(['IA', 'AC', 'AR']);

export interface LineAnswer {
  line: string;
  product: string | null;
  status: string;
  meaning: string;
  quantity: string;
}

/** What an 855 or 865 says: the order, a refusal of the whole (header), and the lines not accepted as asked. */
export interface OrderAnswer {
  po: string | null;
  /** BCA05 change order sequence number (865); null for an 855. */
  changeSequence: string | null;
  rejected: { code: string; meaning: string } | null;
  lines: LineAnswer[];
}

function productOf(seg: Segment, from: number): string | null {
  for (let n = from; n + 1 < seg.elements.length; n += 2) {
    const id = first(seg, n + 1);
    if (first(seg, n) !== '' && id !== '') return id;
  }
  return null;
}

/**
 * 855 (BAK, PO1 + ACK) and 865 (BCA, POC + ACK). A line item (PO1 / POC: line number 01, products from 06 / 08)
 * may carry several ACKs; each one whose status is not an acceptance is listed.
 */
export function orderAnswer(tx: TransactionEnvelope): OrderAnswer {
  const header = tx.set_id === '865' ? 'BCA' : 'BAK';
  const item = tx.set_id === '865' ? { tag: 'POC', products: 8 } : { tag: 'PO1', products: 6 };
  const out: OrderAnswer = { po: null, changeSequence: null, rejected: null, lines: [] };
  let line: { line: string; product: string | null } | null = null;
  for (const s of tx.segments ?? []) {
    if (s.tag === header) {
      out.po = first(s, 3) || null;
      if (header === 'BCA') out.changeSequence = first(s, 5) || null;
      const type = first(s, 2);
      const meaning = REJECTING_ACK_TYPES[type];
      if (meaning !== undefined) out.rejected = { code: type, meaning };
    } else if (s.tag === item.tag) line = { line: first(s, 1), product: productOf(s, item.products) };
    else if (s.tag === 'ACK') {
      const status = first(s, 1);
      if (status === '' || ACCEPTED_LINE_STATUSES.has(status)) continue;
      out.lines.push({
        line: line?.line ?? '',
        product: line?.product ?? productOf(s, 7),
        status,
        meaning: LINE_STATUSES[status] ?? 'line status',
        quantity: [first(s, 2), first(s, 3)].filter(Boolean).join(' '),
      });
    }
  }
  return out;
}

/** The words a case about an order answer says, or null when the answer accepts everything as asked. */
export function describeOrderAnswer(setId: string, a: OrderAnswer): string | null {
  if (a.rejected === null && a.lines.length === 0) return null;
  const what = `${setId} for PO ${a.po ?? '?'}${a.changeSequence ? ` change ${a.changeSequence}` : ''}`;
  const parts = [
    ...(a.rejected ? [`rejected (${a.rejected.code} ${a.rejected.meaning})`] : []),
    ...a.lines.map(
      (l) =>
        `line ${l.line || '?'}${l.product ? ` ${l.product}` : ''}: ${l.status} ${l.meaning}${l.quantity ? ` (${l.quantity})` : ''}`,
    ),
  ];
  return `${what}: ${parts.join('; ')}`;
}

/** 864: MIT reference (01) and subject (02), the MSG lines as text; BMG02 when there is no MIT subject. */
export function textMessage(tx: TransactionEnvelope): { reference: string | null; subject: string; text: string } {
  let reference: string | null = null;
  let subject = '';
  let fallback = '';
  const lines: string[] = [];
  for (const s of tx.segments ?? []) {
    if (s.tag === 'BMG') fallback = first(s, 2);
    else if (s.tag === 'MIT') {
      reference ??= first(s, 1) || null;
      subject ||= first(s, 2);
    } else if (s.tag === 'MSG' && first(s, 1) !== '') lines.push(first(s, 1));
  }
  return { reference, subject: subject || fallback, text: lines.join('\n') };
}
