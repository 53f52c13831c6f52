import type { Case, Document, TradingPartner } from '../../connectors/tradinggrid/events.ts';
import type { IncomingCase, IncomingDocument, PartnerFacts } from '../../core/intake.ts';

/** Contract case → the engine's normalised case. */
export function toIncomingCase(c: Case): IncomingCase {
  const ref = c.transaction_ref;
  return {
    id: c.id,
    source: 'community',
    partnerId: c.partner_id,
    kind: c.kind,
    title: c.title,
    description: c.description ?? '',
    transactionRef: ref
      ? {
          standard: ref.standard ?? undefined,
          interchange: ref.interchange ?? undefined,
          group: ref.group ?? undefined,
          transaction: ref.transaction ?? undefined,
          business: ref.business ? { type: ref.business.type, value: ref.business.value } : null,
        }
      : null,
    value: c.value ? { amount: c.value.amount, currency: c.value.currency } : null,
    status: c.status,
    openedAt: Date.parse(c.opened_at),
    updatedAt: Date.parse(c.updated_at),
  };
}

export function toIncomingDocument(d: Document): IncomingDocument {
  return {
    id: d.id,
    name: d.name,
    kind: d.kind,
    contentType: d.content_type,
    sizeBytes: d.size_bytes,
    sha256: d.sha256,
    uploadedBy: d.uploaded_by,
  };
}

export function toPartnerFacts(p: TradingPartner): PartnerFacts {
  return { id: p.id, name: p.name, tier: p.tier };
}
