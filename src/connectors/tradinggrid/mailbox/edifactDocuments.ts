import type { TransactionEnvelope } from '../edi/envelope.ts';
import { comp, first, type Segment } from '../edi/segment.ts';
import type { OrderLine, ShipmentLine } from './state.ts';

/**
 * EDIFACT business documents read like their X12 counterparts (UN/EDIFACT D.96A and later directories; the
 * segments used here have the same layout from D.93A to D.01B and beyond):
 * ORDERS ~ 850, DESADV ~ 856, INVOIC ~ 810, IFTSTA ~ 214. Pure functions over a transaction's segments.
 */

const num = (s: string): number | null => (s === '' || !Number.isFinite(Number(s)) ? null : Number(s));

/** LIN C212 7140 (item number), else the first PIA C212 item number of the line. */
const linProduct = (seg: Segment): string | null => comp(seg, 3, 0) || null;

/**
 * The detail lines of an ORDERS / INVOIC / DESADV: each LIN with the QTY of the given 6063 qualifier
 * (21 ordered, 47 invoiced, 12 despatch) and the PRI net price (AAA; AAB gross when no AAA; divided by 5284,
 * the unit price basis, when one is given). Segments after UNS (the summary section) belong to no line.
 */
interface EdifactLine extends OrderLine {
  /** RFF+ON given inside the line (DESADV, INVOIC line references), else null. */
  po: string | null;
}

function edifactLines(
  tx: TransactionEnvelope,
  quantityQualifier: string,
): { lines: EdifactLine[]; headerPo: string | null } {
  const lines: EdifactLine[] = [];
  let headerPo: string | null = null;
  let cur: (EdifactLine & { priceQualifier: string }) | null = null;
  for (const s of tx.segments ?? []) {
    if (s.tag === 'UNS') {
      cur = null;
      if (lines.length > 0) break;
    } else if (s.tag === 'LIN') {
      cur = {
        line: first(s, 1),
        product: linProduct(s),
        quantity: null,
        unitPrice: null,
        po: null,
        priceQualifier: '',
      };
      lines.push(cur);
    } else if (s.tag === 'PIA' && cur !== null && cur.product === null) cur.product = comp(s, 2, 0) || null;
    else if (s.tag === 'QTY' && cur !== null && comp(s, 1, 0) === quantityQualifier)
      cur.quantity = (cur.quantity ?? 0) + (num(comp(s, 1, 1)) ?? 0);
    else if (s.tag === 'PRI' && cur !== null) {
      const q = comp(s, 1, 0);
      const price = num(comp(s, 1, 1));
      const basis = num(comp(s, 1, 4));
      if (price === null || (q !== 'AAA' && q !== 'AAB')) continue;
      if (q === 'AAA' || cur.priceQualifier !== 'AAA') {
        cur.unitPrice = basis !== null && basis > 0 ? price / basis : price;
        cur.priceQualifier = q;
      }
    } else if (s.tag === 'RFF' && comp(s, 1, 0) === 'ON') {
      const po = comp(s, 1, 1) || null;
      if (cur !== null) cur.po ??= po;
      else headerPo ??= po;
    }
  }
  return {
    lines: lines.map(({ line, product, quantity, unitPrice, po }) => ({ line, product, quantity, unitPrice, po })),
    headerPo,
  };
}

const orderLine = ({ line, product, quantity, unitPrice }: EdifactLine): OrderLine => ({
  line,
  product,
  quantity,
  unitPrice,
});

/** ORDERS: BGM 1004 is the order number; lines from LIN/PIA, QTY+21, PRI. */
export function edifactOrder(tx: TransactionEnvelope): { po: string; lines: OrderLine[] } | null {
  const bgm = tx.segments?.find((s) => s.tag === 'BGM');
  const po = bgm ? comp(bgm, 2, 0) : '';
  if (po === '') return null;
  return { po, lines: edifactLines(tx, '21').lines.map(orderLine) };
}

/** DESADV: despatched quantities (QTY+12) per order, the order from the line's RFF+ON or the header's. */
export function edifactShipmentsByPo(tx: TransactionEnvelope): Map<string, ShipmentLine[]> {
  const { lines, headerPo } = edifactLines(tx, '12');
  const out = new Map<string, ShipmentLine[]>();
  if (headerPo !== null) out.set(headerPo, []);
  for (const l of lines) {
    const po = l.po ?? headerPo;
    if (po === null) continue;
    if (!out.has(po)) out.set(po, []);
    out.get(po)!.push({ product: l.product, quantity: l.quantity ?? 0 });
  }
  return out;
}

/** INVOIC: the order it bills (header RFF+ON, else the first line's) and its lines (QTY+47, PRI). */
export function edifactInvoice(tx: TransactionEnvelope): { po: string | null; lines: OrderLine[] } {
  const { lines, headerPo } = edifactLines(tx, '47');
  return { po: headerPo ?? lines.find((l) => l.po !== null)?.po ?? null, lines: lines.map(orderLine) };
}

/**
 * 9013 Status reason (UN/EDIFACT code list, unchanged from D.96A to D.01B for these codes). A status reason
 * explains why a consignment is not where or as planned; two of them report an arrangement rather than a problem.
 */
const STATUS_REASONS: Record<string, string> = {
  '1': 'Address ex delivery area',
  '2': 'After transport departed',
  '3': 'Agent refusal',
  '4': 'Altered seals',
  '5': 'Appointment scheduled',
  '6': 'Attempt unsuccessful',
  '7': 'Business closed',
  '8': 'Changed schedule',
  '9': 'Complementary address needed',
  '10': 'Computer system down',
  '11': 'Credit approval requested',
  '12': 'Customer arrangements',
  '13': 'Customs refusal',
  '14': 'Damaged',
  '15': 'Delivery at specific requested date',
};
/** Status reasons that are not exceptions: an appointment made, a delivery at the date asked for. */
export const NORMAL_STATUS_REASONS: ReadonlySet<string> = new Set(['5', '15']);

/**
 * IFTSTA: every STS that gives a status reason (C556 9013) other than a normal one. Status is C555 4405 (with its
 * text), the date the first DTM after the STS (qualifier 334 status date, else any).
 */
export function iftstaExceptions(
  tx: TransactionEnvelope,
): { status: string; reason: string; description: string; date: string }[] {
  const out: { status: string; reason: string; description: string; date: string }[] = [];
  let last: { date: string } | null = null;
  for (const s of tx.segments ?? []) {
    if (s.tag === 'STS') {
      last = null;
      const reason = comp(s, 3, 0);
      if (reason === '' || NORMAL_STATUS_REASONS.has(reason)) continue;
      const text = comp(s, 3, 3);
      const entry = {
        status: [comp(s, 2, 0), comp(s, 2, 3)].filter(Boolean).join(' '),
        reason,
        description: STATUS_REASONS[reason] ?? (text || 'status reason'),
        date: '',
      };
      if (text && STATUS_REASONS[reason] !== undefined) entry.description += `: ${text}`;
      out.push(entry);
      last = entry;
    } else if (s.tag === 'DTM' && last !== null && last.date === '') last.date = comp(s, 1, 1);
  }
  return out;
}
