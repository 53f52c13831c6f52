import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { dialectOf, leaseNow, leaseUntil, type LeaseClock } from '../dbClock.ts';

/**
 * Take the named lease (e.g. one mailbox's scan) for `owner` for `leaseMs`, in one guarded statement: it
 * is taken when free, expired, or already ours. True when `owner` holds it afterwards.
 *
 * `clock` is where "now" comes from: the database's clock by default, like job leases, so a worker whose
 * own clock runs minutes ahead does not take over a scan that is still running elsewhere, and one that
 * runs behind does not wait out a lease that is over for everyone else. A number is the caller's clock
 * (tests that drive time by hand).
 */
export async function acquireNamedLease(
  db: Kysely<Database>,
  name: string,
  owner: string,
  leaseMs: number,
  clock: LeaseClock = 'db',
): Promise<boolean> {
  const dialect = dialectOf(db);
  const until = leaseUntil(clock, leaseMs, dialect);
  await db
    .insertInto('leases')
    .values({ name, owner, expires_at: until })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ owner, expires_at: until })
        .where((eb) =>
          eb.or([eb('leases.expires_at', '<=', leaseNow(clock, dialect)), eb('leases.owner', '=', owner)]),
        ),
    )
    .execute();
  const row = await db.selectFrom('leases').select('owner').where('name', '=', name).executeTakeFirst();
  return row?.owner === owner;
}

/** Give the lease back (only if still ours). */
export async function releaseNamedLease(db: Kysely<Database>, name: string, owner: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
}
