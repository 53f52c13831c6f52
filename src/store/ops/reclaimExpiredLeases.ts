import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { recoverCrashedJobs } from './recoverCrashedJobs.ts';

/**
 * Jobs whose lease ran out (their worker died or stalled) become ready again, each counting a crash; one
 * that has crashed its worker too often goes to the dead letters (recoverCrashedJobs).
 */
export async function reclaimExpiredLeases(db: Kysely<Database>, now: number, maxCrashes?: number): Promise<number> {
  const r = await recoverCrashedJobs(db, { all: false, now, maxCrashes });
  return r.ready + r.dead;
}
