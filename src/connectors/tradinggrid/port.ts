/**
 * The one Trading Grid port the engine calls. Drivers implement it: `community` (HTTP contract)
 * implements all of it; `mailbox` and `ac_csv` implement subsets, so the port is split into
 * capability groups and a driver is a `TradingGridDriver` holding the groups it supports.
 * Every method returns a Result: expected failures are values (RemoteError), never throws.
 */
import type { Readable } from 'node:stream';
import type { Result } from '../../core/result.ts';
import type {
  Case,
  CaseComment,
  CaseKind,
  CaseStatus,
  ComplianceRequirement,
  DecisionOutcome,
  Document,
  DocumentKind,
  EdiAddress,
  Notice,
  NoticeAudience,
  PartnerContact,
  PartnerRequest,
  PartnerStatus,
  PartnerTier,
  RequestStatus,
  Scorecard,
  SettableCaseStatus,
  TradingGridEvent,
  TradingPartner,
} from './events.ts';

/** One page of a list: `{total_count, data}` of the contract, camel-cased at the port. */
export interface Page<T> {
  totalCount: number;
  data: T[];
}

/** Common list parameters. `updatedAfter` is an ISO timestamp (→ `where_updated_after`). */
export interface ListQuery {
  updatedAfter?: string;
  /** Page size, 1..100 (default 100). */
  limit?: number;
  offset?: number;
  /** Extra `where_<field>=value` filters, keys without the `where_` prefix. */
  where?: Record<string, string | undefined>;
}

export interface CaseListQuery extends ListQuery {
  partnerId?: string;
  status?: CaseStatus;
  kind?: CaseKind;
}
export interface PartnerListQuery extends ListQuery {
  status?: PartnerStatus;
  tier?: PartnerTier;
}
export interface RequestListQuery extends ListQuery {
  partnerId?: string;
  status?: RequestStatus;
}
export interface ComplianceListQuery extends ListQuery {
  partnerId?: string;
}

export interface DocumentUpload {
  name: string;
  kind: DocumentKind;
  contentType: string;
  /** A Buffer can be resent on a retry; a Readable is streamed once (no automatic retry). */
  data: Buffer | Readable;
}

export interface DocumentDownload {
  meta: Document;
  /** Streamed bytes: consume or destroy it. */
  body: Readable;
}

export interface NewTradingPartner {
  name: string;
  tier: PartnerTier;
  status?: PartnerStatus;
  edi_addresses?: EdiAddress[];
  contacts?: PartnerContact[];
}

export interface NewNotice {
  title: string;
  body: string;
  effective_at: string;
  audience: NoticeAudience;
}

export interface RequestDecisionInput {
  outcome: DecisionOutcome;
  comment?: string;
  decidedBy?: string;
}

/** Result of one catch-up poll: synthetic events for what changed, and the cursor to store. */
export interface ChangeBatch {
  events: TradingGridEvent[];
  /** Opaque to the caller: store it and pass it back as `since` next time. */
  cursor: string;
}

/** The case fields the internal side may change (contract: `CaseFieldsInput`). */
export interface CaseFieldsInput {
  title?: string;
  description?: string;
  kind?: CaseKind;
  value?: { amount: number; currency: string };
}

export interface TradingGridCases {
  getCase(id: string): Promise<Result<Case>>;
  listCases(q?: CaseListQuery): Promise<Result<Page<Case>>>;
  /** Pages to the end (offset paging); a failed page throws RemoteFailure out of the loop. */
  iterateCases(q?: CaseListQuery): AsyncIterable<Case>;
  setCaseStatus(
    caseId: string,
    input: { status: SettableCaseStatus; note?: string },
    idempotencyKey: string,
  ): Promise<Result<Case>>;
  /** `POST /cases/{id}/fields`: the fields given change (a ClickUp edit where the mapping sends it). */
  setCaseFields(caseId: string, input: CaseFieldsInput, idempotencyKey: string): Promise<Result<Case>>;
  listCaseComments(caseId: string): Promise<Result<Page<CaseComment>>>;
  addCaseComment(
    caseId: string,
    input: { body: string; author?: string },
    idempotencyKey: string,
  ): Promise<Result<CaseComment>>;
}

export interface TradingGridDocuments {
  listCaseDocuments(caseId: string): Promise<Result<Page<Document>>>;
  getDocument(id: string): Promise<Result<Document>>;
  downloadDocument(id: string): Promise<Result<DocumentDownload>>;
  uploadCaseDocument(caseId: string, doc: DocumentUpload, idempotencyKey: string): Promise<Result<Document>>;
}

export interface TradingGridPartners {
  getPartner(id: string): Promise<Result<TradingPartner>>;
  listPartners(q?: PartnerListQuery): Promise<Result<Page<TradingPartner>>>;
  iteratePartners(q?: PartnerListQuery): AsyncIterable<TradingPartner>;
  createPartner(input: NewTradingPartner, idempotencyKey: string): Promise<Result<TradingPartner>>;
  setPartnerStatus(id: string, status: PartnerStatus, idempotencyKey: string): Promise<Result<TradingPartner>>;
  putScorecard(partnerId: string, scorecard: Scorecard, idempotencyKey: string): Promise<Result<Scorecard>>;
}

export interface TradingGridCompliance {
  getComplianceRequirement(id: string): Promise<Result<ComplianceRequirement>>;
  listComplianceRequirements(q?: ComplianceListQuery): Promise<Result<Page<ComplianceRequirement>>>;
}

export interface TradingGridRequests {
  getRequest(id: string): Promise<Result<PartnerRequest>>;
  listRequests(q?: RequestListQuery): Promise<Result<Page<PartnerRequest>>>;
  decideRequest(id: string, decision: RequestDecisionInput, idempotencyKey: string): Promise<Result<PartnerRequest>>;
}

export interface TradingGridNotices {
  getNotice(id: string): Promise<Result<Notice>>;
  listNotices(q?: ListQuery): Promise<Result<Page<Notice>>>;
  publishNotice(input: NewNotice, idempotencyKey: string): Promise<Result<Notice>>;
}

export interface TradingGridChanges {
  /** Catch-up for missed webhooks: synthetic events for everything changed since the cursor. */
  pollChanges(opts?: { since?: string }): Promise<Result<ChangeBatch>>;
}

export type TradingGridDriverKind = 'community' | 'mailbox' | 'ac_csv';

/** The full port (what `community` implements). */
export interface TradingGridPort
  extends
    TradingGridCases,
    TradingGridDocuments,
    TradingGridPartners,
    TradingGridCompliance,
    TradingGridRequests,
    TradingGridNotices,
    TradingGridChanges {
  readonly driver: TradingGridDriverKind;
  close(): Promise<void>;
}

/** What a subset driver (mailbox, ac_csv) offers: the engine checks a capability before using it. */
export type TradingGridDriver = Partial<Omit<TradingGridPort, 'driver' | 'close'>> &
  Pick<TradingGridPort, 'driver' | 'close'>;
