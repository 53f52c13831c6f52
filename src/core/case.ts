/** A partner case as gridbridge tracks it: one Trading Grid case (or EDI-derived exception) ↔ one ClickUp task. */

export const CASE_KINDS = [
  'dispute',
  'shipment_exception',
  'document_mismatch',
  'compliance_issue',
  'edi_exception',
] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** Partner-visible statuses (the Trading Grid side). `open` is the partner's own, before we received it. */
export const PARTNER_STATUSES = [
  'open',
  'received',
  'in_review',
  'awaiting_documents',
  'escalated',
  'resolved',
] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

/** Where the bridge stands with a case. */
export type CaseState = 'active' | 'needs_mapping' | 'closed';

export const PARTNER_TIERS = ['strategic', 'preferred', 'standard'] as const;
export type PartnerTier = (typeof PARTNER_TIERS)[number];

export interface TransactionRef {
  standard?: string;
  interchange?: string;
  group?: string;
  transaction?: string;
  /** EDI cases: the transaction set or message type referenced (214, 810, IFTSTA…), when known. */
  setId?: string;
  /** EDI cases: the partner's EDI address the case came from (`qualifier:id`). */
  address?: string;
  business?: { type: string; value: string } | null;
}

export interface Money {
  amount: number;
  currency: string;
}

/** What the engine keeps about a case (the store row, decoded). Times are ms epochs. */
export interface CaseRecord {
  id: string;
  /** mailbox_test: from a test interchange (own list, no SLA, outside scorecards). */
  source: 'community' | 'mailbox' | 'mailbox_test';
  partnerId: string;
  partnerName: string | null;
  partnerTier: PartnerTier | null;
  kind: CaseKind;
  /** EDI-derived cases: the exception (fa_overdue, asn_missing, …); SLA policies and routing may be keyed by it. */
  exception?: string | null;
  title: string;
  description: string;
  transactionRef: TransactionRef | null;
  value: Money | null;
  partnerStatus: PartnerStatus;
  state: CaseState;
  holdReason: string | null;
  slaDueAt: number | null;
  openedAt: number;
  resolvedAt: number | null;
  updatedAt: number;
  /** Its ClickUp task was deleted and `sync.on_task_deleted` is leave_unlinked: no task is made again, nothing syncs to ClickUp. */
  unlinked?: { taskId: string; at: number } | null;
  /** Its ClickUp task was deleted and a new one is to be made (`sync.on_task_deleted: recreate`): the deleted task's id. */
  replacesTask?: string | null;
}

/**
 * Allowed partner-status transitions, listed once (a state machine as a table).
 * Resolved cases may be reopened into review; anything may escalate except a resolved case.
 */
const TRANSITIONS: Record<PartnerStatus, readonly PartnerStatus[]> = {
  open: ['received', 'in_review', 'awaiting_documents', 'escalated', 'resolved'],
  received: ['in_review', 'awaiting_documents', 'escalated', 'resolved'],
  in_review: ['received', 'awaiting_documents', 'escalated', 'resolved'],
  awaiting_documents: ['received', 'in_review', 'escalated', 'resolved'],
  escalated: ['received', 'in_review', 'awaiting_documents', 'resolved'],
  resolved: ['in_review', 'received'],
};

export function canTransition(from: PartnerStatus, to: PartnerStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

export function humanKind(kind: CaseKind): string {
  return kind.replace(/_/g, ' ');
}
