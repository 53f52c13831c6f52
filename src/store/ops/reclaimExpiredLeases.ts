import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { recoverCrashedJobs } from './recoverCrashedJobs.ts';
import type { LeaseClock } from '../dbClock.ts';

/**
 * Jobs whose lease ran out (their worker died or stalled) become ready again, each counting a crash; one
 * that has crashed its worker too often goes to the dead letters (recoverCrashedJobs). "Ran out" is judged
 * on `leaseFrom` (`'db'`: the database's clock, the dispatcher's; default the caller's `now`).
 */
export async function reclaimExpiredLeases(
  db: Kysely<Database>,
  now: number,
  maxCrashes?: number,
  leaseFrom: LeaseClock = now,
): Promise<number> {
  const r = await recoverCrashedJobs(db, { all: false, now, maxCrashes, leaseFrom });
  return r.ready + r.dead;
}
