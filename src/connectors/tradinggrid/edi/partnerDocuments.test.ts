import { describe, expect, it } from 'vitest';
import { edifactOracle, segmentsOf } from '../../../../test/helpers/ediOracle.ts';
import { parseEdi } from './parseEdi.ts';
import { readEdi } from './readEdi.ts';
import type { TransactionEnvelope } from './envelope.ts';
import { first } from './segment.ts';
import {
  edifactDecisionResponse,
  edifactStatusAdvice,
  readChangeRequest,
  requestKindOf,
  requestValueOf,
  x12DecisionResponse,
  x12StatusAdvice,
  type ChangeRequest,
  type StatusFacts,
} from './partnerDocuments.ts';
import { EDIFACT_DEFAULTS, writeEdifact, writeX12, X12_DEFAULTS } from './writeEdi.ts';

const at = new Date(Date.UTC(2026, 11, 6, 22, 0));
const us = { qualifier: 'ZZ', id: 'GRIDBRIDGE' };
const them = { qualifier: 'ZZ', id: 'ACMESUPPLY' };
const controls = { interchange: 5, group: 6, transactions: [7] };

async function transactionsOf(buf: Buffer): Promise<TransactionEnvelope[]> {
  const out: TransactionEnvelope[] = [];
  await readEdi(buf, { keepSegments: () => true, onTransaction: (tx) => out.push(tx) });
  return out;
}

const request: ChangeRequest = {
  po: 'PO-4711',
  changeNumber: '3',
  poDate: '20261201',
  purpose: '04',
  currency: 'USD',
  lines: [
    { line: '1', change: 'QI', product: 'SKU-1', quantity: 120, unit: 'EA', unitPrice: 12.5 },
    { line: '2', change: 'PC', product: 'SKU-2', quantity: 50, unit: 'EA', unitPrice: 8 },
  ],
  notes: ['ship with the next truck'],
};

describe('change requests read from 860 and ORDCHG', () => {
  it('reads what an 865 must quote back, and what a person decides on', async () => {
    const x12 =
      'ISA*00*          *00*          *ZZ*ACMESUPPLY     *ZZ*GRIDBRIDGE     *261206*1200*U*00401*000000901*0*P*>~' +
      'GS*PC*ACMESUPPLY*GRIDBRIDGE*20261206*1200*901*X*004010~ST*860*0001~BCH*04*SA*PO-4711**3*20261201~CUR*BY*USD~' +
      'POC*1*QI*120*100*EA*12.5**BP*SKU-1~POC*2*PC*50*50*EA*8**BP*SKU-2~MSG*ship with the next truck~' +
      'CTT*2~SE*8*0001~GE*1*901~IEA*1*000000901~';
    const [tx] = await transactionsOf(Buffer.from(x12));
    const r = readChangeRequest(tx!)!;
    expect(r).toEqual(request);
    expect(requestKindOf(r)).toBe('pricing_exception');
    expect(requestValueOf(r)).toEqual({ amount: 1900, currency: 'USD' });
  });

  it('reads an ORDCHG: order in RFF+ON, lines with LIN, QTY and PRI; no price change is a shipment change', async () => {
    const e =
      "UNA:+.? 'UNB+UNOC:3+5790000000001:14+GRIDBRIDGE:ZZ+261206:1200+ICR77'UNH+M1+ORDCHG:D:96A:UN'" +
      "BGM+230+CHG-9+4'DTM+137:20261205:102'RFF+ON:PO-880'LIN+1+3+4000862141404:EN'QTY+21:40:PCE'" +
      "FTX+AAI+++late?'s fine'UNS+S'UNT+10+M1'UNZ+1+ICR77'";
    const [tx] = await transactionsOf(Buffer.from(e, 'latin1'));
    const r = readChangeRequest(tx!)!;
    expect(r).toEqual({
      po: 'PO-880',
      changeNumber: 'CHG-9',
      poDate: '20261205',
      purpose: '4',
      currency: null,
      lines: [{ line: '1', change: '3', product: '4000862141404', quantity: 40, unit: 'PCE', unitPrice: null }],
      notes: ["late's fine"],
    });
    expect(requestKindOf(r)).toBe('shipment_change');
    expect(requestValueOf(r)).toBeNull();
  });
});

describe('documents written back to partners round-trip through our parser and the edifact package', () => {
  it.each(['approved', 'rejected'] as const)('an 865 for a decision %s', async (outcome) => {
    const tx = x12DecisionResponse(
      { outcome, request, responseNumber: 'R-1', revision: 0, comment: 'Dora: ok*fine', at },
      X12_DEFAULTS,
    );
    const buf = writeX12({
      syntax: X12_DEFAULTS,
      sender: us,
      receiver: them,
      functionalId: 'CA',
      controls,
      test: false,
      at,
      transactions: [tx],
    });
    const p = await parseEdi(buf);
    expect(p.errors).toEqual([]);
    const segs = await segmentsOf(buf);
    expect(
      first(
        segs.find((s) => s.tag === 'BCA')!,
        2,
      ),
    ).toBe(outcome === 'approved' ? 'AT' : 'RJ');
    expect(segs.filter((s) => s.tag === 'ACK').map((s) => first(s, 1))).toEqual(
      outcome === 'approved' ? ['IA', 'IA'] : ['IR', 'IR'],
    );
    expect(
      first(
        segs.find((s) => s.tag === 'MSG')!,
        1,
      ),
    ).toBe('Dora ok fine');
    expect(
      first(
        segs.find((s) => s.tag === 'CTT')!,
        1,
      ),
    ).toBe('2');
  });

  it('an ORDRSP, read alike by both readers', async () => {
    const msg = edifactDecisionResponse(
      { outcome: 'approved', request, responseNumber: 'R-1', revision: 1, comment: "Dora: yes+it's fine", at },
      { version: 'D', release: '96A', agency: 'UN', association: 'EAN008' },
    );
    const buf = writeEdifact({
      syntax: EDIFACT_DEFAULTS,
      sender: us,
      receiver: them,
      controls,
      test: false,
      at,
      messages: [msg],
    });
    expect((await parseEdi(buf)).errors).toEqual([]);
    const o = edifactOracle(buf);
    expect(o.find((s) => s.name === 'BGM')!.elements).toEqual([['231'], ['R-1'], ['29']]);
    expect(o.find((s) => s.name === 'FTX')!.elements[3]).toEqual(["Dora: yes+it's fine"]);
    expect(o.filter((s) => s.name === 'LIN').map((s) => s.elements[1])).toEqual([['5'], ['5']]);
    expect(o.find((s) => s.name === 'CNT')!.elements).toEqual([['2', '2']]);
  });

  const status: StatusFacts = {
    caseId: 'edi-abc',
    codes: { text: 'IN REVIEW', purpose: '05', appAck: 'TA', messageFunction: '5', ftxSubject: 'AAI' },
    note: 'We are checking the carrier: back tomorrow.',
    about: { setId: '810', business: 'INV-9', businessType: 'invoice', group: '601', transaction: '0002' },
    at,
  };

  it.each(['824', '864'] as const)(
    'an %s for a case status: accepted by our acknowledgement reader, never a rejection',
    async (kind) => {
      const tx = x12StatusAdvice(kind, status, { ...X12_DEFAULTS, component: '>' });
      const syntax = { ...X12_DEFAULTS, component: '>' };
      const buf = writeX12({
        syntax,
        sender: us,
        receiver: them,
        functionalId: kind === '824' ? 'AG' : 'TX',
        controls,
        test: false,
        at,
        transactions: [tx],
      });
      const p = await parseEdi(buf);
      expect(p.errors).toEqual([]);
      const segs = await segmentsOf(buf);
      if (kind === '824') {
        expect(p.acknowledgments).toEqual([
          expect.objectContaining({
            kind: '824',
            normalized: 'accepted',
            errors: [],
            acknowledges: { group_control_number: '601', transaction_control_number: '0002' },
          }),
        ]);
        const bgn = segs.find((s) => s.tag === 'BGN')!;
        expect([first(bgn, 1), first(bgn, 2)]).toEqual(['05', 'edi-abc']);
        const oti = segs.find((s) => s.tag === 'OTI')!;
        expect([1, 2, 3, 8, 9, 10].map((n) => first(oti, n))).toEqual(['TA', 'BT', 'INV-9', '601', '0002', '810']);
      } else {
        const mit = segs.find((s) => s.tag === 'MIT')!;
        expect([first(mit, 1), first(mit, 2)]).toEqual(['edi-abc', 'Case edi-abc (INV-9) - IN REVIEW']);
      }
      expect(buf.toString()).toContain('STATUS IN REVIEW');
      expect(buf.toString()).toContain('We are checking the carrier: back tomorrow.');
    },
  );

  it('an APERAK for a case status: accepted, with the partner message and invoice it is about', async () => {
    const msg = edifactStatusAdvice(status, { version: 'D', release: '96A', agency: 'UN' });
    const buf = writeEdifact({
      syntax: EDIFACT_DEFAULTS,
      sender: us,
      receiver: them,
      controls,
      test: false,
      at,
      messages: [msg],
    });
    const p = await parseEdi(buf);
    expect(p.errors).toEqual([]);
    expect(p.acknowledgments).toEqual([
      expect.objectContaining({
        kind: 'APERAK',
        normalized: 'accepted',
        errors: [],
        acknowledges: { transaction_control_number: '0002' },
      }),
    ]);
    const o = edifactOracle(buf);
    expect(o.find((s) => s.name === 'BGM')!.elements).toEqual([['23'], ['edi-abc'], ['5']]);
    expect(o.filter((s) => s.name === 'RFF').map((s) => s.elements[0])).toEqual([
      ['ACW', '0002'],
      ['IV', 'INV-9'],
    ]);
    expect(o.filter((s) => s.name === 'FTX').map((s) => [s.elements[0]![0], s.elements[3]![0]])).toEqual([
      ['AAI', 'STATUS IN REVIEW'],
      ['AAI', 'We are checking the carrier: back tomorrow.'],
    ]);
  });
});
