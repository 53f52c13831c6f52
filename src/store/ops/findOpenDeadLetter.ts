import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Whether a dead letter of `kind` with exactly this error is waiting (not replayed): the same failure need not be filed again. */
export async function hasOpenDeadLetter(db: Kysely<Database>, kind: string, error: string): Promise<boolean> {
  const row = await db
    .selectFrom('dead_letters')
    .select('id')
    .where('kind', '=', kind)
    .where('error', '=', error)
    .where('replayed_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
