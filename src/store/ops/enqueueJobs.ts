import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { boundedKey } from '../../core/boundedKey.ts';
import { fold, foldSink } from '../foldedCommit.ts';
import type { CheckedJob, JobRecord } from '../../core/checkedJob.ts';

/** A job as the jobs table holds it (a held change stores one); to queue one, the store takes only a `CheckedJob`. */
export type NewJob = JobRecord;

/** NOTIFY channel on which new jobs are announced to idle workers (PostgreSQL). */
export const JOBS_CHANNEL = 'gridbridge_jobs';

/**
 * Insert jobs (checked against their kinds' schemas: the job catalogues make them); ones whose key exists already
 * are skipped by the unique index. Returns how many were new (inside a folded completion: how many were asked for).
 * On PostgreSQL new jobs are announced to idle workers of every instance (LISTEN in the dispatcher); inside
 * a transaction the notification is delivered at commit. SQLite has one process: nothing to announce.
 * `state: 'waiting'` parks the jobs instead (waitingJobs.ts): never claimed until taken out again.
 */
export async function enqueueJobs(
  db: Kysely<Database> | Transaction<Database>,
  jobs: readonly CheckedJob[],
  now: number,
  defaultMaxAttempts = 10,
  state: 'ready' | 'waiting' = 'ready',
): Promise<number> {
  if (jobs.length === 0) return 0;
  const insert = db
    .insertInto('jobs')
    .values(
      jobs.map((j) => ({
        kind: j.kind,
        key: boundedKey(j.key),
        queue_key: j.queueKey == null ? null : boundedKey(j.queueKey),
        payload: JSON.stringify(j.payload),
        state,
        run_at: j.runAt ?? now,
        attempts: 0,
        max_attempts: j.maxAttempts ?? defaultMaxAttempts,
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.column('key').doNothing());
  const sink = foldSink(db);
  if (sink) {
    // In a folded completion (foldedCommit.ts) the statement announces the new jobs itself; how many were
    // new is not known before it runs: the count returned is of the jobs asked for.
    sink.jobInserts.push(fold(sink, insert.returning('id').compile()));
    return jobs.length;
  }
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // The NOTIFY rides in the insert's statement: one round trip instead of two. Several in one
    // transaction are folded into one notification by PostgreSQL (same channel and payload).
    const r = await db
      .with('ins', () => insert.returning('id'))
      .selectFrom('ins')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        sql<null>`CASE WHEN count(*) > 0 THEN pg_notify(${JOBS_CHANNEL}, '') END`.as('notified'),
      ])
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
  const res = await insert.executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0);
}
