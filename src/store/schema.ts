import type { Generated } from 'kysely';
import type { MailboxTables } from './mailboxTables.ts';
import type { PartnerChannelTables } from './partnerChannelTables.ts';
import type { EdiOutboundTables } from './ediOutboundTables.ts';

/** Row types of the store. Times are ms epochs (bigint in PostgreSQL, parsed to number). JSON is text. */
export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** Idempotency key: a second enqueue with the same key is a no-op (unique index). */
  key: string;
  /** Jobs sharing a queue key run one at a time, in id order (e.g. `case:C-1`). */
  queue_key: string | null;
  payload: string;
  /**
   * `waiting`: parked until something else happens (a held case's partner comment until the case gets its task,
   * waitingJobs.ts); never claimed, and does not hold up its queue key.
   */
  state: 'ready' | 'running' | 'done' | 'dead' | 'waiting';
  run_at: number;
  attempts: number;
  max_attempts: number;
  /** Times the job was found running with its worker gone (migration 014). */
  crashes: Generated<number>;
  /** When its current run of failures began (migration 021): set by the first retry, cleared when done or replayed. */
  failing_since: Generated<number | null>;
  /** The remote whose outage the job waits out (migration 023): made due when that remote answers again. */
  waiting_on: Generated<string | null>;
  /** Claims so far (migration 024): raised by every claim, never refunded (savedTaskReads.ts). */
  claims: Generated<number>;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

export interface InboundEventsTable {
  source: string;
  event_id: string;
  type: string;
  payload: string;
  received_at: number;
}

export interface CasesTable {
  id: string;
  source: string;
  partner_id: string;
  kind: string;
  partner_status: string;
  state: string;
  hold_reason: string | null;
  sla_due_at: number | null;
  opened_at: number;
  resolved_at: number | null;
  updated_at: number;
  /** The full CaseRecord as JSON (columns above are the indexed projections). */
  data: string;
}

export interface LinksTable {
  entity: string;
  entity_id: string;
  cu_task_id: string | null;
  cu_list_id: string;
  created_at: number;
  /** ClickUp time up to which the catch-up has read this task's files (or its creation saw it whole). */
  cu_seen_at: number | null;
}

export interface SyncHashesTable {
  entity: string;
  entity_id: string;
  side: string;
  field: string;
  hash: string;
  synced_at: number;
}

export interface DocumentsTable {
  case_id: string;
  sha256: string;
  name: string;
  kind: string;
  origin: string;
  tg_document_id: string | null;
  cu_attachment_id: string | null;
  size_bytes: number;
  created_at: number;
}

export interface DeadLettersTable {
  id: Generated<number>;
  job_id: number;
  kind: string;
  key: string;
  queue_key: string | null;
  payload: string;
  error: string;
  attempts: number;
  failed_at: number;
  replayed_at: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  entity: string;
  entity_id: string;
  action: string;
  before: string | null;
  after: string | null;
}

export interface CursorsTable {
  name: string;
  value: string;
  updated_at: number;
}

export interface LeasesTable {
  name: string;
  owner: string;
  expires_at: number;
}

export interface Database extends MailboxTables, PartnerChannelTables, EdiOutboundTables {
  jobs: JobsTable;
  inbound_events: InboundEventsTable;
  cases: CasesTable;
  links: LinksTable;
  sync_hashes: SyncHashesTable;
  documents: DocumentsTable;
  dead_letters: DeadLettersTable;
  audit_log: AuditLogTable;
  cursors: CursorsTable;
  leases: LeasesTable;
}
