import type { CaseRecord } from '../../../core/case.ts';
import type { LogicalValue, TgField } from './types.ts';

/** The value of one Trading Grid field of a case, as mappings read it (dates in ms, amounts as numbers). */
export function tradingGridFieldValue(c: CaseRecord, f: TgField): LogicalValue {
  switch (f) {
    case 'status':
      return c.partnerStatus;
    case 'partner':
      return c.partnerName ?? c.partnerId;
    case 'partner_id':
      return c.partnerId;
    case 'tier':
      return c.partnerTier;
    case 'kind':
      return c.kind;
    case 'title':
      return c.title;
    case 'description':
      return c.description;
    case 'transaction_ref': {
      const r = c.transactionRef;
      if (!r) return null;
      return r.business ? `${r.business.type} ${r.business.value}` : (r.transaction ?? r.interchange ?? null);
    }
    case 'case_id':
      return c.id;
    case 'value':
      return c.value?.amount ?? null;
    case 'currency':
      return c.value?.currency ?? null;
    case 'sla_due':
      return c.slaDueAt;
    case 'opened_at':
      return c.openedAt;
  }
}
