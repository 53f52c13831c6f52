import type { z } from 'zod';
import { markChecked, type CheckedJob, type JobRecord } from '../core/checkedJob.ts';
import { intakeJobs } from './01-case-intake/jobs.ts';
import { statusSyncJobs } from './02-status-sync/jobs.ts';
import { documentJobs } from './03-documents/jobs.ts';
import { onboardingJobs } from './04-onboarding/jobs.ts';
import { escalationJobs } from './05-escalation/jobs.ts';
import { approvalJobs } from './06-approvals/jobs.ts';
import { scorecardJobs } from './07-scorecards/jobs.ts';
import { rolloutJobs } from './08-rollouts/jobs.ts';
import { taskGroupJobs } from './shared/taskGroupJobs.ts';
import { mailboxJobs } from '../channels/tradinggrid-mailbox/jobs.ts';
import { partnerEmailJobs } from '../channels/partner-email/jobs.ts';
import { ediPartnerJobs } from '../channels/edi-partner/jobs.ts';

/**
 * Every job kind of the flows and of the channels (src/channels) with its payload schema. Kind strings are stored in the jobs table: renaming
 * one needs a migration. The registry refuses to start when a kind here has no handler.
 *
 * This file imports only the jobs files (zod and src/core): pure decisions name `Job` with `import type` from here.
 */
export const jobSchemas = {
  ...intakeJobs,
  ...statusSyncJobs,
  ...documentJobs,
  ...onboardingJobs,
  ...taskGroupJobs,
  ...escalationJobs,
  ...approvalJobs,
  ...scorecardJobs,
  ...rolloutJobs,
  ...mailboxJobs,
  ...partnerEmailJobs,
  ...ediPartnerJobs,
} as const;

export type JobKind = keyof typeof jobSchemas;
/** The payload of a kind as its handler receives it (parsed by the kind's schema when the job is claimed). */
export type JobPayload<K extends JobKind> = z.output<(typeof jobSchemas)[K]>;
/** The payload of a kind as it is queued (what the kind's schema accepts). */
export type JobInput<K extends JobKind> = z.input<(typeof jobSchemas)[K]>;

/**
 * A kind with its payload, the pair checked against the kind's schema at compile time: `{ kind: 'sla.remind', payload }`
 * is refused when `payload` is not a remind's. `Call<'a' | 'b'>` is either pair, never a's kind with b's payload.
 */
export type JobCall<K extends JobKind = JobKind> = { [P in K]: { kind: P; payload: JobInput<P> } }[K];

/**
 * The one vocabulary of a job to queue, wherever it is decided (a pure decision, a route, a handler, the CLI): a
 * checked kind and payload, the idempotency key (the same effect asked twice is one job), and the queue (jobs of
 * one entity run one at a time). A decision returns these as literals; what queues them marks them with `checked`.
 */
export type Job<K extends JobKind = JobKind> = JobCall<K> & {
  key: string;
  queueKey?: string;
  runAt?: number;
  maxAttempts?: number;
};

/**
 * A `Job` the store's queue takes (`enqueueJobs`, `recordInboundEvent` take nothing else): made only here, from a kind
 * and a payload of that kind's type, so a job queued with an unchecked payload does not compile.
 */
export type QueuedJob<K extends JobKind = JobKind> = Job<K> & CheckedJob;

/** A job to queue, its payload checked against its kind's schema at compile time (and parsed again when claimed). */
export function newJob<K extends JobKind>(
  kind: K,
  payload: JobInput<K>,
  opts: { key: string; queueKey?: string; runAt?: number; maxAttempts?: number },
): QueuedJob<K> {
  const job: Job<K> = { kind, payload, ...opts };
  return markChecked(job);
}

/** Jobs a decision returned (typed `Job`s, so checked at compile time), ready for the store's queue. */
export function checked<K extends JobKind>(jobs: readonly Job<K>[]): QueuedJob<K>[] {
  return jobs.map((j) => markChecked(j));
}

/**
 * A job read back from the store to queue again (a held change an admin released): it was checked when it was first
 * queued, and its payload is parsed with its kind's schema when claimed (one that does not parse is a dead letter).
 */
export function requeued(job: JobRecord): CheckedJob {
  return markChecked(job);
}
