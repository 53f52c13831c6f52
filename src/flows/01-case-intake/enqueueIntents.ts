import type { Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { intentKey, type Intent } from '../../core/intents.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { newJob } from '../catalogue.ts';

/** Intents become jobs in the caller's transaction: the state change and its effects commit together. */
export async function enqueueIntents(
  trx: Transaction<Database>,
  intents: readonly Intent[],
  now: number,
  maxAttempts: number,
): Promise<void> {
  await enqueueJobs(
    trx,
    intents.map((i) => newJob(i.kind, i, { key: intentKey(i), queueKey: `case:${i.caseId}` })),
    now,
    maxAttempts,
  );
}
