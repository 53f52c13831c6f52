import type { CaseKind, Money, PartnerStatus, PartnerTier, TransactionRef } from './case.ts';

/** A partner case as reported by a Trading Grid driver, normalised (drivers map their payloads to this). */
export interface IncomingCase {
  id: string;
  /** mailbox_test: from a test interchange (own list, no SLA, outside scorecards). */
  source: 'community' | 'mailbox' | 'mailbox_test';
  partnerId: string;
  kind: CaseKind;
  title: string;
  description: string;
  transactionRef: TransactionRef | null;
  value: Money | null;
  status: PartnerStatus;
  openedAt: number;
  updatedAt: number;
  /** EDI-derived cases name the exception (fa_rejected, asn_missing, …). */
  exception?: string;
  /** The ClickUp list the task goes to, over the partner's (test traffic has its own list). */
  listId?: string;
}

export interface IncomingDocument {
  id: string;
  name: string;
  kind: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  uploadedBy: 'partner' | 'internal';
}

export interface PartnerFacts {
  id: string;
  name: string;
  tier: PartnerTier;
}
