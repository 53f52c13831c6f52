import { sql, type Kysely } from 'kysely';
import type { Database, JobsTable } from '../schema.ts';
import { storeOf, type Dialect } from '../db.ts';
import { leaseUntil, SQLITE_NOW_MS, type LeaseClock } from '../dbClock.ts';

export type JobRow = Omit<JobsTable, 'id' | 'crashes'> & { id: number; crashes?: number };

const SQLITE_CLAIM = `
    UPDATE jobs SET state = 'running', locked_by = ?, locked_until = ?, attempts = attempts + 1, updated_at = ?
    WHERE id IN (
      SELECT j.id FROM jobs j
      WHERE j.state = 'ready' AND j.run_at <= ?
        AND (j.queue_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM jobs e WHERE e.queue_key = j.queue_key AND e.id < j.id AND e.state IN ('ready', 'running')))
      ORDER BY j.run_at, j.id
      LIMIT ?)
    RETURNING *`;
/** The same claim with the lease on the database's clock (the dispatcher's). */
const SQLITE_CLAIM_DB_CLOCK = SQLITE_CLAIM.replace('locked_until = ?', `locked_until = ${SQLITE_NOW_MS} + ?`);

/**
 * Lease up to `limit` due jobs to `workerId` in one guarded statement. Jobs sharing a queue key run
 * one at a time in id order: a job waits while an earlier one of its key is unfinished. The scan walks
 * the (state, run_at, id) index in order and stops at `limit`, so a large backlog costs nothing extra.
 * Jobs whose holder died come back through `reclaimExpiredLeases`.
 *
 * `leaseFrom` is the clock the lease runs on: `'db'` (the dispatcher: the database's clock, so a worker
 * whose clock is wrong neither hands out leases that are already over nor keeps one too long) or the
 * caller's `now` (tests and tools). `run_at` is compared with `now` either way.
 *
 * PostgreSQL: the candidates are locked with FOR UPDATE SKIP LOCKED in a materialised CTE, so several
 * instances claiming at once take disjoint jobs without waiting on each other, and the LIMIT is applied
 * once (an `IN (subquery)` may be re-evaluated by the planner). A job whose predecessor of the same
 * queue key is being claimed by another instance still sees that predecessor as 'ready' and waits.
 */
export async function claimJobs(
  db: Kysely<Database>,
  dialect: Dialect,
  workerId: string,
  limit: number,
  leaseMs: number,
  now: number,
  leaseFrom: LeaseClock = now,
): Promise<JobRow[]> {
  const until = leaseUntil(leaseFrom, leaseMs, dialect);
  if (dialect === 'sqlite') {
    const access = storeOf(db)?.sqlite;
    if (access) {
      // The claim runs several times a second per worker; a cached raw statement skips Kysely's compile.
      return access.exclusive(() =>
        leaseFrom === 'db'
          ? (access.prepare(SQLITE_CLAIM_DB_CLOCK).all(workerId, leaseMs, now, now, limit) as JobRow[])
          : (access.prepare(SQLITE_CLAIM).all(workerId, leaseFrom + leaseMs, now, now, limit) as JobRow[]),
      );
    }
    const res = await sql<JobRow>`
      UPDATE jobs SET state = 'running', locked_by = ${workerId}, locked_until = ${until},
        attempts = attempts + 1, updated_at = ${now}
      WHERE id IN (
        SELECT j.id FROM jobs j
        WHERE j.state = 'ready' AND j.run_at <= ${now}
          AND (j.queue_key IS NULL OR NOT EXISTS (
            SELECT 1 FROM jobs e WHERE e.queue_key = j.queue_key AND e.id < j.id AND e.state IN ('ready', 'running')))
        ORDER BY j.run_at, j.id
        LIMIT ${limit})
      RETURNING *`.execute(db);
    return res.rows.map((r) => ({ ...r, id: Number(r.id) }));
  }
  const res = await sql<JobRow>`
    WITH c AS MATERIALIZED (
      SELECT j.id FROM jobs j
      WHERE j.state = 'ready' AND j.run_at <= ${now}
        AND (j.queue_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM jobs e WHERE e.queue_key = j.queue_key AND e.id < j.id AND e.state IN ('ready', 'running')))
      ORDER BY j.run_at, j.id
      LIMIT ${limit}
      FOR UPDATE OF j SKIP LOCKED)
    UPDATE jobs SET state = 'running', locked_by = ${workerId}, locked_until = ${until},
      attempts = jobs.attempts + 1, updated_at = ${now}
    FROM c WHERE jobs.id = c.id
    RETURNING jobs.*`.execute(db);
  return res.rows.map((r) => ({ ...r, id: Number(r.id) }));
}
