import { PostgresAdapter, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * SQLite runs one bridge process: a lease found at start-up belongs to a process that died (kill -9,
 * power loss). Its jobs are made ready again at once instead of waiting for the lease to expire; the
 * attempt they used stays counted, so handlers know to look for a half-done effect first.
 *
 * Never on PostgreSQL: there several instances share the outbox, and a running lease most likely
 * belongs to a live instance. Those leases expire instead (`reclaimExpiredLeases`); here it does nothing.
 */
export async function releaseOrphanedLeases(db: Kysely<Database>, now: number): Promise<number> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) return 0;
  const r = await db.updateTable('jobs').set({ state: 'ready', locked_by: null, locked_until: null, run_at: now, updated_at: now }).where('state', '=', 'running').executeTakeFirst();
  return Number(r.numUpdatedRows);
}
