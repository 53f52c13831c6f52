import { PostgresAdapter, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { recoverCrashedJobs } from './recoverCrashedJobs.ts';

/**
 * SQLite runs one bridge process (a lock file enforces it): a lease found at start-up belongs to a
 * process that died (kill -9, power loss, out of memory). Its jobs are made ready again at once instead
 * of waiting for the lease to expire; the attempt they used stays counted, so handlers know to look for a
 * half-done effect first, and the crash is counted: a job that took its process down `maxCrashes` times
 * is dead-lettered instead of taking the next one down too.
 *
 * Never on PostgreSQL: there several instances share the outbox, and a running lease most likely
 * belongs to a live instance. Those leases expire instead (`reclaimExpiredLeases`); here it does nothing.
 */
export async function releaseOrphanedLeases(db: Kysely<Database>, now: number, maxCrashes?: number): Promise<number> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return 0;
  const r = await recoverCrashedJobs(db, { all: true, now, maxCrashes, runNow: true });
  return r.ready + r.dead;
}
