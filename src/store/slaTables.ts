import type { Generated, Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

/**
 * The SLA tables (migration 005_sla), kept beside the core schema and reached through
 * `withSlaTables(db)` (same connection), so adding them touches no shared file.
 */
export type CaseSlaTable = {
  case_id: string;
  /** on_track | at_risk | breached | paused | met */
  state: string;
  /** Which policy applied (`default`, `policies[0] (kind=…, tier=…)`). */
  policy: string;
  /** The due date last sent to the ClickUp task (or asked to be). */
  due_at: number | null;
  /** Share of the resolution SLA used at the last sweep. */
  share: number;
  /** JSON array of reminder thresholds already enqueued, e.g. `[0.5,0.75]`. */
  reminders: string;
  /** Highest escalation level enqueued (0: none). */
  escalation_level: number;
  /** The ClickUp task of the highest level, once created. */
  escalation_task_id: string | null;
  updated_at: number;
};

export type SlaEscalationsTable = {
  case_id: string;
  level: number;
  manager: string | null;
  rule_index: number | null;
  explanation: string;
  task_id: string | null;
  list_id: string | null;
  due_at: number | null;
  created_at: number;
  task_created_at: number | null;
};

export type CaseStatusHistoryTable = {
  id: Generated<number>;
  case_id: string;
  status: string;
  at: number;
};

export type SlaTables = {
  case_sla: CaseSlaTable;
  sla_escalations: SlaEscalationsTable;
  case_status_history: CaseStatusHistoryTable;
};

export type SlaDatabase = Database & SlaTables;
export type SlaDb = Kysely<SlaDatabase> | Transaction<SlaDatabase>;

/** The store's handle typed with the SLA tables too (same connection, same transaction). */
export function withSlaTables(db: Kysely<Database> | Transaction<Database>): Kysely<SlaDatabase> {
  return (db as Kysely<Database>).withTables<SlaTables>();
}
