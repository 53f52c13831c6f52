import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { dialectOf, leaseUntil, type LeaseClock } from '../dbClock.ts';

/**
 * Keep the leases of jobs still in flight for `leaseMs` more from `from` (`'db'`: the database's clock, the
 * dispatcher's; a number: the caller's); a job whose lease was taken over is not renewed. Returns the
 * ids renewed: one asked for and missing lost its lease (the caller stops that handler).
 */
export async function extendLeases(
  db: Kysely<Database>,
  ids: readonly number[],
  workerId: string,
  leaseMs: number,
  from: LeaseClock,
): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const until = leaseUntil(from, leaseMs, dialectOf(db));
  const rows = await db
    .updateTable('jobs')
    .set({ locked_until: until })
    .where('id', 'in', ids)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running')
    .returning('id')
    .execute();
  return new Set(rows.map((r) => Number(r.id)));
}
