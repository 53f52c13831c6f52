import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * Count one request for `key` in the one-minute `window` and return the count so far, every instance on the
 * database counting into the same row (an upsert that adds one, then the row read back in one transaction).
 */
export async function countPageHit(db: Kysely<Database>, key: string, window: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('partner_page_hits')
      .values({ key, window, n: 1 })
      .onConflict((oc) =>
        oc.columns(['key', 'window']).doUpdateSet((eb) => ({ n: eb(eb.ref('partner_page_hits.n'), '+', 1) })),
      )
      .execute();
    const row = await trx
      .selectFrom('partner_page_hits')
      .select('n')
      .where('key', '=', key)
      .where('window', '=', window)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  });
}

/** Forget the windows before `window` (they can no longer refuse anything). */
export async function dropPageHitsBefore(db: Kysely<Database>, window: number): Promise<void> {
  await db.deleteFrom('partner_page_hits').where('window', '<', window).execute();
}
