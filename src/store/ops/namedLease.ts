import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * Take the named lease (e.g. one mailbox's scan) for `owner` until `until`, in one guarded statement: it
 * is taken when free, expired, or already ours. True when `owner` holds it afterwards.
 */
export async function acquireNamedLease(
  db: Kysely<Database>,
  name: string,
  owner: string,
  until: number,
  now: number,
): Promise<boolean> {
  await db
    .insertInto('leases')
    .values({ name, owner, expires_at: until })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ owner, expires_at: until })
        .where((eb) => eb.or([eb('leases.expires_at', '<=', now), eb('leases.owner', '=', owner)])),
    )
    .execute();
  const row = await db.selectFrom('leases').select('owner').where('name', '=', name).executeTakeFirst();
  return row?.owner === owner;
}

/** Give the lease back (only if still ours). */
export async function releaseNamedLease(db: Kysely<Database>, name: string, owner: string): Promise<void> {
  await db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
}
