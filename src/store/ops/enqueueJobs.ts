import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { boundedKey } from '../../core/boundedKey.ts';
import { fold, foldSink } from '../foldedCommit.ts';
import type { CheckedJob, JobRecord } from '../../core/checkedJob.ts';
import { fixedStatement } from '../fixedStatement.ts';
import { announceAfterCommit } from '../db.ts';

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

// One job per call is the common case (each handler queues its next step): its statements are built and
// compiled once per dialect (fixedStatement.ts), not per job.
const insertOne = fixedStatement((db, ...v: JobValues) => insertJobs(db, [v]));

/**
 * PostgreSQL: wake the idle workers of every instance (LISTEN in the dispatcher) once the jobs `db` queued are
 * committed: after the statement, or after the commit of the transaction `db` is (never inside the commit: see
 * pgAnnounce.ts). Nothing on SQLite.
 */
export function announceNewJobs(db: Db): Promise<void> {
  return announceAfterCommit(db, JOBS_CHANNEL);
}

/**
 * Insert jobs (checked against their kinds' schemas: the job catalogues make them); ones whose key exists already
 * are skipped by the unique index. Returns how many were new (inside a folded completion: how many were asked for).
 * On PostgreSQL new ready jobs are announced to idle workers of every instance (`announceNewJobs`): after the
 * statement, or inside a transaction after its commit. SQLite has one process: nothing to announce.
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
    // In a folded completion (foldedCommit.ts) the dispatcher announces the new jobs after the statement; how
    // many were new is not known before it runs: the count returned is of the jobs asked for.
    fold(sink, one ? insertOne(db, ...one) : insertJobs(db, rows).compile());
    sink.queuesJobs ||= state === 'ready';
    return jobs.length;
  }
  const res = await db.executeQuery(one ? insertOne(db, ...one) : insertJobs(db, rows).compile());
  const n = Number(res.numAffectedRows ?? 0);
  // Waiting jobs are not claimable: nothing to wake a worker for.
  if (n > 0 && state === 'ready') await announceNewJobs(db);
  return n;
}
