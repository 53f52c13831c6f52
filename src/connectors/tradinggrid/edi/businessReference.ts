import { comp, first, type Segment } from './segment.ts';

/** The business number a person searches by (PO, invoice, shipment…): `{type, value}`. */
export interface BusinessReference {
  type: string;
  value: string;
}

/** X12: where each transaction set keeps its business number (TRADING-GRID-CONTRACT.md, mailbox). */
const X12_RULES: Record<string, { tag: string; elements: number[]; type: string }> = {
  '850': { tag: 'BEG', elements: [3], type: 'purchase_order' },
  '855': { tag: 'BAK', elements: [3], type: 'purchase_order' },
  '860': { tag: 'BCH', elements: [3], type: 'purchase_order' },
  '865': { tag: 'BCA', elements: [3], type: 'purchase_order' },
  '864': { tag: 'MIT', elements: [1], type: 'text_message' },
  '856': { tag: 'BSN', elements: [2], type: 'ship_notice' },
  '810': { tag: 'BIG', elements: [2], type: 'invoice' },
  '214': { tag: 'B10', elements: [2, 1], type: 'shipment' },
  '180': { tag: 'BGN', elements: [2], type: 'return' },
  '824': { tag: 'BGN', elements: [2], type: 'application_advice' },
};

const EDIFACT_TYPES: Record<string, string> = {
  ORDERS: 'purchase_order',
  ORDRSP: 'purchase_order',
  ORDCHG: 'purchase_order',
  DESADV: 'ship_notice',
  INVOIC: 'invoice',
  IFTSTA: 'shipment',
  RETANN: 'return',
  APERAK: 'application_advice',
};

/** Looks at one segment of a transaction; returns its business reference when this segment carries it. */
export function businessReferenceOf(setId: string, seg: Segment): BusinessReference | null {
  if (seg.standard === 'x12') {
    const rule = X12_RULES[setId];
    if (rule === undefined || seg.tag !== rule.tag) return null;
    for (const n of rule.elements) {
      const value = first(seg, n);
      if (value !== '') return { type: rule.type, value };
    }
    return null;
  }
  if (seg.tag === 'BGM') {
    const value = comp(seg, 2, 0);
    return value === '' ? null : { type: EDIFACT_TYPES[setId] ?? 'document', value };
  }
  if (seg.tag === 'RFF' && comp(seg, 1, 0) === 'ON') {
    const value = comp(seg, 1, 1);
    return value === '' ? null : { type: 'purchase_order', value };
  }
  return null;
}
