import type { Generated, Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Tables of the operations console (migration 002_console). Kept beside the core schema instead of in
 * it so the console's store ops can see them through `withConsoleTables(db)`.
 */
export type TimelineTable = {
  id: Generated<number>;
  /** The case the entry belongs to (null for work not tied to a case). */
  case_id: string | null;
  at: number;
  /** event | decision | call | retry | error | dead_letter | replay | operator */
  kind: string;
  detail: string;
  /** done | retry | fail | lease_lost | info */
  status: string;
  duration_ms: number | null;
  job_id: number | null;
};

export type AdminSessionsTable = {
  /** sha256 of the session id: a stolen copy of the table cannot be replayed as a cookie. */
  id_hash: string;
  actor: string;
  role: 'admin' | 'read_only';
  csrf_token: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
};

export type ConsoleTables = {
  timeline: TimelineTable;
  admin_sessions: AdminSessionsTable;
};

export type ConsoleDatabase = Database & ConsoleTables;

/** The store's handle, typed with the console's tables too (same connection). */
export function withConsoleTables(db: Kysely<Database> | Transaction<Database>): Kysely<ConsoleDatabase> {
  return (db as Kysely<Database>).withTables<ConsoleTables>();
}
