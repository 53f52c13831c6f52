import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * Jobs whose lease ran out (their worker died or stalled) become ready again. Clearing `locked_by`
 * means the old holder's completion, if it ever comes, is refused by its guard.
 */
export async function reclaimExpiredLeases(db: Kysely<Database>, now: number): Promise<number> {
  const r = await db
    .updateTable('jobs')
    .set({ state: 'ready', locked_by: null, locked_until: null, updated_at: now })
    .where('state', '=', 'running')
    .where('locked_until', '<', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
