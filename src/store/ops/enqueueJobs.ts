import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';

export interface NewJob {
  kind: string;
  /** Idempotency key: enqueueing the same key twice is a no-op (unique index). */
  key: string;
  queueKey?: string | null;
  payload: unknown;
  runAt?: number;
  maxAttempts?: number;
}

/** NOTIFY channel on which new jobs are announced to idle workers (PostgreSQL). */
export const JOBS_CHANNEL = 'gridbridge_jobs';
const notified = new WeakSet<object>();

/**
 * On PostgreSQL, wake idle workers of every instance (LISTEN in the dispatcher). Inside a transaction the
 * notification is delivered at commit, and only once per transaction. A no-op on SQLite (one process).
 */
export async function notifyJobs(db: Kysely<Database> | Transaction<Database>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  if (db.isTransaction) {
    if (notified.has(db)) return;
    notified.add(db);
  }
  await sql`SELECT pg_notify(${JOBS_CHANNEL}, '')`.execute(db);
}

/** Insert jobs; ones whose key exists already are skipped by the unique index. Returns how many were new. */
export async function enqueueJobs(db: Kysely<Database> | Transaction<Database>, jobs: readonly NewJob[], now: number, defaultMaxAttempts = 10): Promise<number> {
  if (jobs.length === 0) return 0;
  const res = await db
    .insertInto('jobs')
    .values(
      jobs.map((j) => ({
        kind: j.kind,
        key: j.key,
        queue_key: j.queueKey ?? null,
        payload: JSON.stringify(j.payload),
        state: 'ready' as const,
        run_at: j.runAt ?? now,
        attempts: 0,
        max_attempts: j.maxAttempts ?? defaultMaxAttempts,
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  const n = Number(res.numInsertedOrUpdatedRows ?? 0);
  if (n > 0) await notifyJobs(db);
  return n;
}
