import type { Kysely } from 'kysely';
import type { Database, JobsTable } from '../schema.ts';
import { storeOf, type Dialect } from '../db.ts';
import type { LeaseClock } from '../dbClock.ts';
import { bound, CLAIM_JOBS } from '../fastPath/statements.ts';

export type JobRow = Omit<JobsTable, 'id' | 'crashes' | 'failing_since' | 'waiting_on' | 'claims'> & {
  id: number;
  crashes?: number;
  /** Claims so far, this one included (migration 024). */
  claims?: number;
  failing_since?: number | string | null;
  waiting_on?: string | null;
};

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
  const clock = leaseFrom === 'db' ? 'db' : 'caller';
  // The lease's end on the caller's clock, or its length added to the database's clock inside the statement.
  const lease = leaseFrom === 'db' ? leaseMs : leaseFrom + leaseMs;
  const text = CLAIM_JOBS[dialect][clock];
  const params = dialect === 'sqlite' ? [workerId, lease, now, now, limit] : [now, limit, workerId, lease, now];
  const access = dialect === 'sqlite' ? storeOf(db)?.sqlite : undefined;
  // The claim runs several times a second per worker; on SQLite a cached raw statement skips Kysely's compile.
  if (access) return access.exclusive(() => access.prepare(text).all(...params) as JobRow[]);
  const res = await bound<JobRow>(text, params).execute(db);
  return res.rows.map((r) => ({ ...r, id: Number(r.id) }));
}
