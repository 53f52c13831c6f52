import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * The jobs of `kinds` that are ready after having run (attempts above 0) and never lost a worker, by id, with
 * their claims so far (migration 024). A job listed here had ended every run it had when this was read: a later
 * claim of it that counts one claim more is the first run since (savedTaskReads.ts). A job whose worker died or
 * stalled (crashes) is left out, as a stalled worker may still send what its run was sending.
 */
export async function listReadyRetries(db: Kysely<Database>, kinds: string[]): Promise<Map<number, number>> {
  if (kinds.length === 0) return new Map();
  const rows = await db
    .selectFrom('jobs')
    .select(['id', 'claims'])
    .where('state', '=', 'ready')
    .where('kind', 'in', kinds)
    .where('attempts', '>', 0)
    .where('crashes', '=', 0)
    .execute();
  return new Map(rows.map((r) => [Number(r.id), Number(r.claims)]));
}
