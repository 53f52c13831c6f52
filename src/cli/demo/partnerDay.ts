import type { TradingGridSandbox } from '../../sandbox/tradinggrid/index.ts';

/** Small but real-looking files: the bytes travel through both sandboxes and are hash-checked. */
function pdf(title: string): Buffer {
  return Buffer.from(`%PDF-1.4\n1 0 obj << /Title (${title}) >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
}

export interface DemoCase {
  label: string;
  id: string;
  partnerId: string;
}

/** Flow 1 of the scripted day: partners raise cases of every kind, most with a document. */
export async function raiseMorningCases(tg: TradingGridSandbox): Promise<DemoCase[]> {
  const raised: DemoCase[] = [];
  const raise = async (label: string, input: Parameters<TradingGridSandbox['raiseCase']>[0]) => {
    const c = await tg.raiseCase(input);
    raised.push({ label, id: c.id, partnerId: c.partner_id });
  };
  await raise('dispute', {
    partnerId: 'P-ACME',
    kind: 'dispute',
    title: 'Short shipment on PO 4500012345',
    description: 'Received 90 of 100 cartons; requesting credit for 10.',
    transactionRef: {
      standard: 'x12',
      interchange: '000000123',
      group: '45',
      transaction: '0001',
      business: { type: 'PO', value: '4500012345' },
    },
    value: { amount: 12_500, currency: 'USD' },
    documents: [
      {
        name: 'claim-4500012345.pdf',
        kind: 'claim_evidence',
        contentType: 'application/pdf',
        content: pdf('Claim 4500012345'),
      },
    ],
  });
  await raise('shipment exception', {
    partnerId: 'P-GLOBEX',
    kind: 'shipment_exception',
    title: 'Truck delayed at border (214 AT7 SD)',
    description: 'Carrier reports a customs hold; new ETA +2 days.',
    transactionRef: { standard: 'x12', business: { type: 'BOL', value: 'BOL-88121' } },
    documents: [
      { name: 'pod-88121.pdf', kind: 'proof_of_delivery', contentType: 'application/pdf', content: pdf('POD 88121') },
    ],
  });
  await raise('document mismatch', {
    partnerId: 'P-INITECH',
    kind: 'document_mismatch',
    title: 'Invoice INV-7781 quantity differs from ASN',
    description: 'Invoice bills 120 units; ASN shipped 100.',
    transactionRef: { standard: 'x12', business: { type: 'INV', value: 'INV-7781' } },
    value: { amount: 3_400, currency: 'EUR' },
    documents: [
      { name: 'INV-7781.pdf', kind: 'invoice', contentType: 'application/pdf', content: pdf('Invoice 7781') },
    ],
  });
  await raise('compliance issue', {
    partnerId: 'P-ACME',
    kind: 'compliance_issue',
    title: 'ISO 9001 certificate expires in 14 days',
    documents: [
      { name: 'iso9001-2023.pdf', kind: 'certificate', contentType: 'application/pdf', content: pdf('ISO 9001') },
    ],
  });
  await raise('EDI exception', {
    partnerId: 'P-GLOBEX',
    kind: 'edi_exception',
    title: '997 rejected for 856 (AK5 R)',
    transactionRef: {
      standard: 'x12',
      interchange: '000004711',
      group: '4711',
      transaction: '0002',
      business: { type: 'ASN', value: 'ASN-2231' },
    },
  });
  await raise('unmapped partner', {
    partnerId: 'P-UMBRELLA',
    kind: 'dispute',
    title: 'Pricing dispute on contract 55',
    value: { amount: 900, currency: 'USD' },
  });
  return raised;
}
