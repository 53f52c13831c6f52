import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Jobs ready or running whose run time is at or before `until` (the demo waits for this to reach zero). */
export async function countDueJobs(db: Kysely<Database>, until: number): Promise<number> {
  const r = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', 'in', ['ready', 'running'])
    .where('run_at', '<=', until)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
