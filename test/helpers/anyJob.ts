import { markChecked, type CheckedJob, type JobRecord } from '../../src/core/checkedJob.ts';

/**
 * A job of a kind no catalogue holds ('k', 'a', 'bench.f'), for tests and benchmarks of the queue itself (the store,
 * the dispatcher), which run made-up kinds with their own handlers. Code that runs queues only catalogue jobs.
 */
export function anyJob(job: JobRecord): CheckedJob {
  return markChecked(job);
}

/** `anyJob` of each. */
export function anyJobs(jobs: readonly JobRecord[]): CheckedJob[] {
  return jobs.map(anyJob);
}
