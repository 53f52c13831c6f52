/** What a job to queue carries besides its kind and payload. */
export interface JobOptions {
  /** Idempotency key: queueing the same key twice is a no-op (unique index). */
  key: string;
  /** Jobs of one queue key run one at a time, in the order they were queued. */
  queueKey?: string | null;
  runAt?: number;
  maxAttempts?: number;
}

/** A job as the jobs table holds it: any kind, any payload. What the store reads back (a held change), never what it queues. */
export interface JobRecord extends JobOptions {
  kind: string;
  payload: unknown;
}

declare const checkedAgainstItsSchema: unique symbol;

/**
 * A job whose payload was checked against its kind's schema: made only by the job catalogues (`newJob` in
 * src/flows/catalogue.ts, `newEngineJob` in src/sync/engineJobs.ts), which take a kind and a payload of that kind's
 * type. The store's queue functions take only these, so a job queued anywhere else does not compile. Its payload is
 * parsed with the schema again when the job is claimed.
 */
export type CheckedJob = JobRecord & { readonly [checkedAgainstItsSchema]: true };

/**
 * Marks a job as checked. Only the job catalogues call it, on what their typed signatures let through
 * (test/unit/architecture checks no other file does).
 */
export function markChecked<J extends JobRecord>(job: J): J & CheckedJob {
  return job as J & CheckedJob;
}
