import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { dialectOf, leaseNow, type LeaseClock } from '../dbClock.ts';

/**
 * Whether `workerId` still holds job `id`'s lease now (running, ours, not run out on `clock`). Read before
 * each external write a handler makes (core/jobSignal.ts `mayWrite`).
 */
export async function holdsLease(
  db: Kysely<Database>,
  id: number,
  workerId: string,
  clock: LeaseClock,
): Promise<boolean> {
  const row = await db
    .selectFrom('jobs')
    .select('id')
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .where('locked_until', '>', leaseNow(clock, dialectOf(db)))
    .executeTakeFirst();
  return row !== undefined;
}
