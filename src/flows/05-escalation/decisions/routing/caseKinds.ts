import { CASE_KINDS } from '../../../../core/case.ts';

/** Exceptions the `mailbox` driver derives from EDI traffic (TRADING-GRID-CONTRACT.md); each arrives as an `edi_exception` case. */
export const EDI_EXCEPTION_KINDS = [
  'fa_rejected',
  'fa_overdue',
  'application_rejected',
  'shipment_status_exception',
  'return_requested',
  'asn_missing',
  'invoice_mismatch',
  'order_acknowledgment_exception',
  'order_change_exception',
  'partner_text_message',
  'content_error',
] as const;

/** Names a rule or policy may use for `kind`: a case kind, or (more specific) an EDI exception. */
export const RULE_KINDS: readonly string[] = [...CASE_KINDS, ...EDI_EXCEPTION_KINDS];

export function isRuleKind(k: string): boolean {
  return RULE_KINDS.includes(k);
}
