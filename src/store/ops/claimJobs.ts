import { sql, type Kysely } from 'kysely';
import type { Database, JobsTable } from '../schema.ts';
import type { Dialect } from '../db.ts';

export type JobRow = Omit<JobsTable, 'id'> & { id: number };

/**
 * Lease up to `limit` due jobs to `workerId` in one guarded statement. Jobs sharing a queue key run
 * one at a time in id order: a job waits while an earlier one of its key is unfinished. The scan walks
 * the (state, run_at, id) index in order and stops at `limit`, so a large backlog costs nothing extra.
 * Jobs whose holder died come back through `reclaimExpiredLeases`.
 */
export async function claimJobs(db: Kysely<Database>, dialect: Dialect, workerId: string, limit: number, leaseMs: number, now: number): Promise<JobRow[]> {
  const lock = dialect === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
  const res = await sql<JobRow>`
    UPDATE jobs SET state = 'running', locked_by = ${workerId}, locked_until = ${now + leaseMs},
      attempts = attempts + 1, updated_at = ${now}
    WHERE id IN (
      SELECT j.id FROM jobs j
      WHERE j.state = 'ready' AND j.run_at <= ${now}
        AND (j.queue_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM jobs e WHERE e.queue_key = j.queue_key AND e.id < j.id AND e.state IN ('ready', 'running')))
      ORDER BY j.run_at, j.id
      LIMIT ${limit} ${lock})
    RETURNING *`.execute(db);
  return res.rows.map((r) => ({ ...r, id: Number(r.id) }));
}
