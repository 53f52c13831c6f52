import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export interface DeadLetterDetail {
  id: number;
  jobId: number;
  kind: string;
  key: string;
  caseId: string | null;
  payload: string;
  error: string;
  attempts: number;
  failedAt: number;
  replayedAt: number | null;
  /** Where the job stands now: `dead` until replayed, then `ready`/`running`/`done` (or `dead` again). */
  jobState: string | null;
  jobLastError: string | null;
}

/** Dead letters with the current state of their job, so a replay can be seen to succeed. */
export async function listDeadLetterDetails(
  db: Kysely<Database>,
  opts: { includeReplayed?: boolean; id?: number; limit?: number } = {},
): Promise<DeadLetterDetail[]> {
  let q = db
    .selectFrom('dead_letters')
    .leftJoin('jobs', 'jobs.id', 'dead_letters.job_id')
    .select([
      'dead_letters.id',
      'dead_letters.job_id',
      'dead_letters.kind',
      'dead_letters.key',
      'dead_letters.queue_key',
      'dead_letters.payload',
      'dead_letters.error',
      'dead_letters.attempts',
      'dead_letters.failed_at',
      'dead_letters.replayed_at',
      'jobs.state as job_state',
      'jobs.last_error as job_last_error',
    ])
    .orderBy('dead_letters.id', 'desc')
    .limit(opts.limit ?? 200);
  if (opts.id !== undefined) q = q.where('dead_letters.id', '=', opts.id);
  else if (!opts.includeReplayed) q = q.where('dead_letters.replayed_at', 'is', null);
  return (await q.execute()).map((r) => ({
    id: Number(r.id),
    jobId: Number(r.job_id),
    kind: r.kind,
    key: r.key,
    caseId: r.queue_key?.startsWith('case:') ? r.queue_key.slice(5) : null,
    payload: r.payload,
    error: r.error,
    attempts: Number(r.attempts),
    failedAt: Number(r.failed_at),
    replayedAt: r.replayed_at === null ? null : Number(r.replayed_at),
    jobState: r.job_state ?? null,
    jobLastError: r.job_last_error ?? null,
  }));
}
