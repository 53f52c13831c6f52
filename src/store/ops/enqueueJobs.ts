import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { boundedKey } from '../../core/boundedKey.ts';
import { fold, foldSink } from '../foldedCommit.ts';
import type { CheckedJob, JobRecord } from '../../core/checkedJob.ts';
import { fixedStatement } from '../fixedStatement.ts';

/** A job as the jobs table holds it (a held change stores one); to queue one, the store takes only a `CheckedJob`. */
export type NewJob = JobRecord;

/** NOTIFY channel on which new jobs are announced to idle workers (PostgreSQL). */
export const JOBS_CHANNEL = 'gridbridge_jobs';

type Db = Kysely<Database> | Transaction<Database>;
type JobValues = [
  kind: string,
  key: string,
  queueKey: string | null,
  payload: string,
  runAt: number,
  maxAttempts: number,
  now: number,
  state: 'ready' | 'waiting',
];

function insertJobs(db: Db, rows: readonly JobValues[]) {
  return db
    .insertInto('jobs')
    .values(
      rows.map(([kind, key, queueKey, payload, runAt, maxAttempts, now, state]) => ({
        kind,
        key,
        queue_key: queueKey,
        payload,
        state,
        run_at: runAt,
        attempts: 0,
        max_attempts: maxAttempts,
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.column('key').doNothing());
}

/** On PostgreSQL the NOTIFY rides in the insert's statement: one round trip instead of two. */
function insertJobsAndNotify(db: Db, rows: readonly JobValues[]) {
  return db
    .with('ins', () => insertJobs(db, rows).returning('id'))
    .selectFrom('ins')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      sql<null>`CASE WHEN count(*) > 0 THEN pg_notify(${JOBS_CHANNEL}, '') END`.as('notified'),
    ]);
}

// One job per call is the common case (each handler queues its next step): its three statements are built and
// compiled once per dialect (fixedStatement.ts), not per job.
const insertOne = fixedStatement((db, ...v: JobValues) => insertJobs(db, [v]));
const insertOneReturning = fixedStatement((db, ...v: JobValues) => insertJobs(db, [v]).returning('id'));
const insertOneAndNotify = fixedStatement((db, ...v: JobValues) => insertJobsAndNotify(db, [v]));

/**
 * Insert jobs (checked against their kinds' schemas: the job catalogues make them); ones whose key exists already
 * are skipped by the unique index. Returns how many were new (inside a folded completion: how many were asked for).
 * On PostgreSQL new jobs are announced to idle workers of every instance (LISTEN in the dispatcher); inside
 * a transaction the notification is delivered at commit. SQLite has one process: nothing to announce.
 * `state: 'waiting'` parks the jobs instead (waitingJobs.ts): never claimed until taken out again.
 */
export async function enqueueJobs(
  db: Db,
  jobs: readonly CheckedJob[],
  now: number,
  defaultMaxAttempts = 10,
  state: 'ready' | 'waiting' = 'ready',
): Promise<number> {
  if (jobs.length === 0) return 0;
  const rows = jobs.map((j): JobValues => [
    j.kind,
    boundedKey(j.key),
    j.queueKey == null ? null : boundedKey(j.queueKey),
    JSON.stringify(j.payload),
    j.runAt ?? now,
    j.maxAttempts ?? defaultMaxAttempts,
    now,
    state,
  ]);
  const one = rows.length === 1 ? rows[0]! : null;
  const sink = foldSink(db);
  if (sink) {
    // In a folded completion (foldedCommit.ts) the statement announces the new jobs itself; how many were
    // new is not known before it runs: the count returned is of the jobs asked for.
    sink.jobInserts.push(
      fold(sink, one ? insertOneReturning(db, ...one) : insertJobs(db, rows).returning('id').compile()),
    );
    return jobs.length;
  }
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // Several in one transaction are folded into one notification by PostgreSQL (same channel and payload).
    const q = one ? insertOneAndNotify(db, ...one) : insertJobsAndNotify(db, rows).compile();
    const r = (await db.executeQuery<{ n: number | string }>(q)).rows[0];
    if (!r) throw new Error('enqueueJobs: the insert returned no count');
    return Number(r.n);
  }
  const res = await db.executeQuery(one ? insertOne(db, ...one) : insertJobs(db, rows).compile());
  return Number(res.numAffectedRows ?? 0);
}
