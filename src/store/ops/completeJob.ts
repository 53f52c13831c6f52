import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { SqliteAccess } from '../sqliteDriver.ts';

/**
 * Mark a leased job done. False when this worker no longer holds the lease: it must not act on the result.
 * `sqlite`: run the same guarded statement as a cached raw statement (the dispatcher passes it inside its
 * own transaction, which holds the connection; PostgreSQL always takes the Kysely path).
 */
export async function completeJob(
  db: Kysely<Database> | Transaction<Database>,
  id: number,
  workerId: string,
  now: number,
  sqlite?: SqliteAccess,
): Promise<boolean> {
  if (sqlite && db.isTransaction) {
    const r = sqlite
      .prepare(
        "UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, last_error = NULL, updated_at = ? WHERE id = ? AND locked_by = ? AND state = 'running'",
      )
      .run(now, id, workerId);
    return r.changes === 1;
  }
  const r = await db
    .updateTable('jobs')
    .set({ state: 'done', locked_by: null, locked_until: null, last_error: null, updated_at: now })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Mark several leased jobs done in one statement (PostgreSQL's group commit: one round trip per batch
 * instead of one per job). Returns the ids this worker still held; the others' leases were lost.
 */
export async function completeJobs(
  db: Kysely<Database> | Transaction<Database>,
  ids: readonly number[],
  workerId: string,
  now: number,
): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .updateTable('jobs')
    .set({ state: 'done', locked_by: null, locked_until: null, last_error: null, updated_at: now })
    .where('id', 'in', ids)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .returning('id')
    .execute();
  return new Set(rows.map((r) => Number(r.id)));
}

/**
 * The savepoint around one job's commit inside a batch of completions: set it, roll back to it, release it.
 * `sqlite`: the raw connection the transaction holds (a cached statement); otherwise through `trx`.
 */
export async function jobSavepoint(
  trx: Transaction<Database>,
  cmd: 'SAVEPOINT' | 'ROLLBACK TO' | 'RELEASE',
  sqlite?: SqliteAccess,
): Promise<void> {
  const text = `${cmd} job_completion`;
  if (sqlite) sqlite.prepare(text).run();
  else await sql.raw(text).execute(trx);
}
