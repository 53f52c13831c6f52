import type { TransactionEnvelope } from './envelope.ts';
import { comp, el, first, type Segment } from './segment.ts';
import { edifactText, x12Text, type EdiSegmentSpec, type EdifactMessage, type X12Transaction } from './writeEdi.ts';

/**
 * The business documents the bridge reads to open a flow-6 request (a buyer's purchase order change: X12 860,
 * EDIFACT ORDCHG) and the ones it writes back to a partner: the decision (865 / ORDRSP) and a case status
 * (824 or 864 / APERAK). Pure: segments in, facts out; facts in, segments out (the envelope is writeEdi's).
 */

/** Transaction sets / messages that carry a partner's change request. */
export const CHANGE_REQUEST_SETS: ReadonlySet<string> = new Set(['860', 'ORDCHG']);

export interface ChangeLine {
  line: string;
  /** 860 POC02 / ORDCHG LIN 1229 as the partner sent it (e.g. QI quantity increase, PC price change; 1 add, 2 delete, 3 change). */
  change: string;
  product: string | null;
  quantity: number | null;
  unit: string | null;
  unitPrice: number | null;
}

/** What a partner's 860 / ORDCHG asks for, with what the answer must quote back. */
export interface ChangeRequest {
  /** The purchase order changed (860 BCH03, ORDCHG RFF+ON or BGM 1004). */
  po: string;
  /** 860 BCH05 change order sequence number / ORDCHG BGM 1004 (the change message's own number). */
  changeNumber: string | null;
  /** 860 BCH06 / ORDCHG DTM+137: the PO or message date, CCYYMMDD. */
  poDate: string | null;
  /** 860 BCH01 / ORDCHG BGM 1225: 01 or 1 cancellation, 04 or 4 change… */
  purpose: string;
  currency: string | null;
  lines: ChangeLine[];
  notes: string[];
}

const num = (s: string): number | null => (s === '' || !Number.isFinite(Number(s)) ? null : Number(s));

/** First qualifier/id pair from element `from` on: the product of a POC or LIN. */
function productOf(seg: Segment, from: number): string | null {
  for (let n = from; n + 1 < seg.elements.length; n += 2) {
    const id = first(seg, n + 1);
    if (first(seg, n) !== '' && id !== '') return id;
  }
  return null;
}

/** Reads an 860 or an ORDCHG (segments kept) into the request it makes; null when it names no purchase order. */
export function readChangeRequest(tx: TransactionEnvelope): ChangeRequest | null {
  const segs = tx.segments ?? [];
  if (tx.set_id === '860') {
    const bch = segs.find((s) => s.tag === 'BCH');
    if (!bch || first(bch, 3) === '') return null;
    const cur = segs.find((s) => s.tag === 'CUR');
    return {
      po: first(bch, 3),
      changeNumber: first(bch, 5) || null,
      poDate: first(bch, 6) || null,
      purpose: first(bch, 1),
      currency: cur ? first(cur, 2) || null : null,
      lines: segs
        .filter((s) => s.tag === 'POC')
        .map((s) => ({
          line: first(s, 1),
          change: first(s, 2),
          product: productOf(s, 8),
          quantity: num(first(s, 3)),
          unit: first(s, 5) || null,
          unitPrice: num(first(s, 6)),
        })),
      notes: segs.filter((s) => s.tag === 'MSG' || s.tag === 'NTE').map((s) => el(s, s.tag === 'NTE' ? 2 : 1)),
    };
  }
  if (tx.set_id !== 'ORDCHG') return null;
  const bgm = segs.find((s) => s.tag === 'BGM');
  const on = segs.find((s) => s.tag === 'RFF' && comp(s, 1, 0) === 'ON');
  const po = on ? comp(on, 1, 1) : '';
  if (po === '') return null;
  const dtm = segs.find((s) => s.tag === 'DTM' && comp(s, 1, 0) === '137');
  const cux = segs.find((s) => s.tag === 'CUX');
  const lines: ChangeLine[] = [];
  let cur: ChangeLine | null = null;
  for (const s of segs) {
    if (s.tag === 'LIN') {
      cur = {
        line: first(s, 1),
        change: first(s, 2),
        product: comp(s, 3, 0) || null,
        quantity: null,
        unit: null,
        unitPrice: null,
      };
      lines.push(cur);
    } else if (cur && s.tag === 'QTY' && ['21', '113', '1'].includes(comp(s, 1, 0))) {
      cur.quantity = num(comp(s, 1, 1));
      cur.unit = comp(s, 1, 2) || null;
    } else if (cur && s.tag === 'PRI') cur.unitPrice = num(comp(s, 1, 1));
  }
  return {
    po,
    changeNumber: bgm ? comp(bgm, 2, 0) || null : null,
    poDate: dtm ? comp(dtm, 1, 1).slice(0, 8) || null : null,
    purpose: bgm ? first(bgm, 3) : '',
    currency: cux ? comp(cux, 1, 1) || null : null,
    lines,
    notes: segs.filter((s) => s.tag === 'FTX').map((s) => comp(s, 4, 0)),
  };
}

/** Price changes make a pricing exception; any other change to an order is a shipment change. */
export function requestKindOf(r: ChangeRequest): 'pricing_exception' | 'shipment_change' {
  const priceCodes = new Set(['PC', 'PQ', 'PR']);
  return r.lines.some((l) => priceCodes.has(l.change)) ? 'pricing_exception' : 'shipment_change';
}

/** The value of the order lines as changed, when every line has a quantity and a price and the currency is known. */
export function requestValueOf(r: ChangeRequest): { amount: number; currency: string } | null {
  if (!r.currency || r.lines.length === 0) return null;
  let amount = 0;
  for (const l of r.lines) {
    if (l.quantity === null || l.unitPrice === null) return null;
    amount += l.quantity * l.unitPrice;
  }
  return { amount: Math.round(amount * 100) / 100, currency: r.currency };
}

export interface DecisionFacts {
  outcome: 'approved' | 'rejected';
  /** The request as read from the partner's 860 / ORDCHG. */
  request: ChangeRequest;
  /** Our number for this response (e.g. the request id and revision). */
  responseNumber: string;
  /** 0 for the first answer; a later one replaces it (865 BCA01 05). */
  revision: number;
  /** The comments the sharing rules let go to the partner ('' for none). */
  comment: string;
  at: Date;
}

const ymd = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '');

/** MSG (X12) holds 264 characters: a comment is cut into as many as it needs, up to `max`. */
function chunks(text: string, size: number, max: number): string[] {
  const chars = [...text];
  const out: string[] = [];
  for (let i = 0; i < chars.length && out.length < max; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

type X12Seps = Parameters<typeof x12Text>[1];

/**
 * 865 purchase order change acknowledgment: BCA02 AT (accepted) or RJ (rejected) for the PO and change number,
 * each changed line echoed with ACK IA / IR, the shared comment as N9/MSG. Functional group CA.
 */
export function x12DecisionResponse(f: DecisionFacts, seps: X12Seps): X12Transaction {
  const t = (s: string, max?: number) => x12Text(s, seps, max);
  const ok = f.outcome === 'approved';
  const segs: EdiSegmentSpec[] = [
    [
      'BCA',
      '00',
      ok ? 'AT' : 'RJ',
      t(f.request.po, 22),
      '',
      t(f.request.changeNumber ?? '', 8),
      f.request.poDate ?? ymd(f.at),
      '',
      '',
      t(f.responseNumber, 30),
      ymd(f.at),
    ],
  ];
  const comment = t(f.comment, 10_000);
  if (comment) {
    segs.push(['N9', 'L1', 'DECISION']);
    for (const c of chunks(comment, 264, 20)) segs.push(['MSG', c]);
  }
  for (const l of f.request.lines) {
    segs.push([
      'POC',
      t(l.line, 20),
      t(l.change, 2),
      l.quantity === null ? '' : String(l.quantity),
      '',
      t(l.unit ?? '', 2),
    ]);
    segs.push(['ACK', ok ? 'IA' : 'IR', l.quantity === null ? '' : String(l.quantity), t(l.unit ?? '', 2)]);
  }
  if (f.request.lines.length > 0) segs.push(['CTT', String(f.request.lines.length)]);
  return { setId: '865', segments: segs };
}

/** ORDRSP: BGM 231 with 1225 29 (accepted without amendment) or 27 (not accepted), the order in RFF+ON, lines with 1229 5 / 7. */
export function edifactDecisionResponse(
  f: DecisionFacts,
  msg: Pick<EdifactMessage, 'version' | 'release' | 'agency' | 'association'>,
): EdifactMessage {
  const ok = f.outcome === 'approved';
  const segs: EdiSegmentSpec[] = [
    ['BGM', ['231'], [edifactText(f.responseNumber, 35)], ok ? '29' : '27'],
    ['DTM', ['137', ymd(f.at), '102']],
  ];
  const comment = edifactText(f.comment, 10_000);
  for (const c of chunks(comment, 512, 5)) segs.push(['FTX', 'AAI', '', '', [c]]);
  segs.push(['RFF', ['ON', edifactText(f.request.po, 35)]]);
  if (f.request.changeNumber) segs.push(['RFF', ['PP', edifactText(f.request.changeNumber, 35)]]);
  for (const l of f.request.lines) {
    segs.push(['LIN', edifactText(l.line, 6), ok ? '5' : '7', l.product ? [edifactText(l.product, 35)] : '']);
    if (l.quantity !== null) segs.push(['QTY', ['21', String(l.quantity), ...(l.unit ? [l.unit] : [])]]);
  }
  if (f.request.lines.length > 0) segs.push(['UNS', 'S'], ['CNT', ['2', String(f.request.lines.length)]]);
  return { type: 'ORDRSP', ...msg, segments: segs };
}

/**
 * The codes a status advice carries, chosen per status by flow 2 (`flows/02-status-sync/decisions/ediStatus.ts`,
 * docs/edi.md "Case statuses we send").
 */
export interface StatusAdviceCodes {
  /** The status in words (RECEIVED, IN REVIEW, AWAITING DOCUMENTS, ESCALATED, RESOLVED). */
  text: string;
  /** 824 BGN01 (353): 00 original, 05 replace. */
  purpose: string;
  /** 824 OTI01 (110), e.g. TA. */
  appAck: string;
  /** APERAK BGM 1225: 9 original, 5 replace. */
  messageFunction: string;
  /** APERAK FTX 4451 of the status and note, e.g. AAI. */
  ftxSubject: string;
}

export interface StatusFacts {
  /** Our case id (the advice's own reference). */
  caseId: string;
  codes: StatusAdviceCodes;
  /** The note the sharing rules let go with it ('' for none). */
  note: string;
  /** The partner document the case is about, when the case came from EDI (its business number and control numbers). */
  about: {
    setId: string | null;
    business: string | null;
    businessType?: string | null;
    group: string | null;
    transaction: string | null;
  } | null;
  at: Date;
}

/**
 * 824 application advice: BGN with the purpose code and our case id, one OTI whose OTI01 is the decision's
 * (TA: a case status is information on a document taken in, never a rejection), OTI02/03 the partner's business
 * number (BT) or our case id (TN), OTI08/09/10 the group, transaction and set it is about; the status (`STATUS IN REVIEW`: no colon, which
 * is X12's default component separator) and the note in REF*ZZ descriptions (no TED: a TED is an error). 864 text message: MIT with the case id and a subject,
 * then MSG lines.
 */
export function x12StatusAdvice(kind: '824' | '864', f: StatusFacts, seps: X12Seps): X12Transaction {
  const t = (s: string, max?: number) => x12Text(s, seps, max);
  const status = t(f.codes.text, 40);
  const note = t(f.note, 10_000);
  if (kind === '864') {
    const segs: EdiSegmentSpec[] = [
      [
        'MIT',
        t(f.caseId, 30),
        t(`Case ${f.caseId}${f.about?.business ? ` (${f.about.business})` : ''} - ${status}`, 60),
      ],
      ['MSG', t(`STATUS ${status}`, 264)],
    ];
    for (const c of chunks(note, 264, 50)) segs.push(['MSG', c]);
    return { setId: '864', segments: segs };
  }
  const segs: EdiSegmentSpec[] = [
    ['BGN', t(f.codes.purpose, 2), t(f.caseId, 30), ymd(f.at)],
    [
      'OTI',
      t(f.codes.appAck, 2),
      f.about?.business ? 'BT' : 'TN',
      t(f.about?.business ?? f.caseId, 30),
      '',
      '',
      '',
      '',
      t(f.about?.group ?? '', 9),
      t(f.about?.transaction ?? '', 9),
      t(f.about?.setId ?? '', 3),
    ],
    ['REF', 'ZZ', t(f.caseId, 30), t(`STATUS ${status}`, 80)],
  ];
  for (const c of chunks(note, 80, 9)) segs.push(['REF', 'ZZ', t(f.caseId, 30), c]);
  return { setId: '824', segments: segs };
}

/** RFF qualifiers of the business numbers a case can be about. */
const RFF_OF_TYPE: Record<string, string> = { purchase_order: 'ON', invoice: 'IV', ship_notice: 'AAK' };

/**
 * APERAK: BGM 23 (status information) with the decision's 1225 (9 original, 5 replace: the same document number,
 * our case id, each later status replacing the last), FTX with the status and the note, RFF+ACW the partner's
 * message it is about (UNH 0062), its business number in RFF (ON, IV, AAK). No ERC: a case status is not an
 * application error.
 */
export function edifactStatusAdvice(
  f: StatusFacts,
  msg: Pick<EdifactMessage, 'version' | 'release' | 'agency' | 'association'>,
): EdifactMessage {
  const subject = edifactText(f.codes.ftxSubject, 3);
  const segs: EdiSegmentSpec[] = [
    ['BGM', ['23'], [edifactText(f.caseId, 35)], edifactText(f.codes.messageFunction, 3)],
    ['DTM', ['137', ymd(f.at), '102']],
    ['FTX', subject, '', '', [edifactText(`STATUS ${f.codes.text}`, 512)]],
  ];
  for (const c of chunks(edifactText(f.note, 10_000), 512, 5)) segs.push(['FTX', subject, '', '', [c]]);
  if (f.about?.transaction) segs.push(['RFF', ['ACW', edifactText(f.about.transaction, 35)]]);
  if (f.about?.business)
    segs.push(['RFF', [RFF_OF_TYPE[f.about.businessType ?? ''] ?? 'ZZZ', edifactText(f.about.business, 35)]]);
  return { type: 'APERAK', ...msg, segments: segs };
}
