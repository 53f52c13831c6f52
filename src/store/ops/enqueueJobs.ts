import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

export interface NewJob {
  kind: string;
  /** Idempotency key: enqueueing the same key twice is a no-op (unique index). */
  key: string;
  queueKey?: string | null;
  payload: unknown;
  runAt?: number;
  maxAttempts?: number;
}

/** Insert jobs; ones whose key exists already are skipped by the unique index. Returns how many were new. */
export async function enqueueJobs(db: Kysely<Database> | Transaction<Database>, jobs: readonly NewJob[], now: number, defaultMaxAttempts = 10): Promise<number> {
  if (jobs.length === 0) return 0;
  const res = await db
    .insertInto('jobs')
    .values(
      jobs.map((j) => ({
        kind: j.kind,
        key: j.key,
        queue_key: j.queueKey ?? null,
        payload: JSON.stringify(j.payload),
        state: 'ready' as const,
        run_at: j.runAt ?? now,
        attempts: 0,
        max_attempts: j.maxAttempts ?? defaultMaxAttempts,
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0);
}
