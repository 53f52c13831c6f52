import type { z } from 'zod';
import type { NewJob } from '../store/ops/enqueueJobs.ts';
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

/**
 * Every job kind of the flows and of the channels (src/channels) with its payload schema. Kind strings are stored in the jobs table: renaming
 * one needs a migration. The registry refuses to start when a kind here has no handler.
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
} as const;

export type JobKind = keyof typeof jobSchemas;
export type JobPayload<K extends JobKind> = z.infer<(typeof jobSchemas)[K]>;

/** A job to queue, its payload checked against its kind's schema at compile time (and parsed again when claimed). */
export function newJob<K extends JobKind>(
  kind: K,
  payload: JobPayload<K>,
  opts: { key: string; queueKey?: string; runAt?: number; maxAttempts?: number },
): NewJob {
  return { kind, payload, ...opts };
}
