import type { z } from 'zod';
import type { NewJob } from '../store/ops/enqueueJobs.ts';
import { intakeJobs } from './01-case-intake/jobs.ts';
import { statusSyncJobs } from './02-status-sync/jobs.ts';
import { documentJobs } from './03-documents/jobs.ts';
import { scorecardJobs } from './07-scorecards/jobs.ts';

/**
 * Every job kind of the flows with its payload schema. Kind strings are stored in the jobs table: renaming
 * one needs a migration. The registry refuses to start when a kind here has no handler.
 */
export const jobSchemas = { ...intakeJobs, ...statusSyncJobs, ...documentJobs, ...scorecardJobs } as const;

export type JobKind = keyof typeof jobSchemas;
export type JobPayload<K extends JobKind> = z.infer<(typeof jobSchemas)[K]>;

/** A job to queue, its payload checked against its kind's schema at compile time (and parsed again when claimed). */
export function newJob<K extends JobKind>(kind: K, payload: JobPayload<K>, opts: { key: string; queueKey?: string; runAt?: number; maxAttempts?: number }): NewJob {
  return { kind, payload, ...opts };
}
