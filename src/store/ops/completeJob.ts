import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { SqliteAccess } from '../sqliteDriver.ts';
import { bound, COMPLETE_JOB, completeJobsText } from '../fastPath/statements.ts';

/**
 * Mark a leased job done. False when this worker no longer holds the lease: it must not act on the result.
 * `sqlite`: run the statement as a cached raw statement (the dispatcher passes it inside its
 * own transaction, which holds the connection; PostgreSQL always takes the Kysely path).
 */
export async function completeJob(
  db: Kysely<Database> | Transaction<Database>,
  id: number,
  workerId: string,
  now: number,
  sqlite?: SqliteAccess,
): Promise<boolean> {
  const params = [now, id, workerId];
  if (sqlite && db.isTransaction) return sqlite.prepare(COMPLETE_JOB).run(...params).changes === 1;
  const r = await bound(COMPLETE_JOB, params).execute(db);
  return Number(r.numAffectedRows ?? 0) === 1;
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
  const r = await bound<{ id: number | string }>(completeJobsText(ids.length), [now, ...ids, workerId]).execute(db);
  return new Set(r.rows.map((x) => Number(x.id)));
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
