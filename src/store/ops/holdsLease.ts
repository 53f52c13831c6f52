import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { dialectOf, leaseNow, type LeaseClock } from '../dbClock.ts';
import { fixedStatement } from '../fixedStatement.ts';

const leaseHeld = (db: Kysely<Database>, id: number, workerId: string, clock: LeaseClock) =>
  db
    .selectFrom('jobs')
    .select('id')
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .where('locked_until', '>', leaseNow(clock, dialectOf(db)));
// Two shapes: the database's clock is SQL text, a caller's clock a bound value.
const heldOnDbClock = fixedStatement((db, id: number, workerId: string) =>
  leaseHeld(db as Kysely<Database>, id, workerId, 'db'),
);
const heldAt = fixedStatement((db, id: number, workerId: string, at: number) =>
  leaseHeld(db as Kysely<Database>, id, workerId, at),
);

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
  const q = clock === 'db' ? heldOnDbClock(db, id, workerId) : heldAt(db, id, workerId, clock);
  const row = (await db.executeQuery(q)).rows[0];
  return row !== undefined;
}
