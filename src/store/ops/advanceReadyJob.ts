import type { Transaction } from 'kysely';
import { boundedKey } from '../../core/boundedKey.ts';
import type { Database } from '../schema.ts';

/** Make a waiting job (by its key) due now, e.g. one parked until something else happened. One guarded statement. */
export async function advanceReadyJob(trx: Transaction<Database>, key: string, now: number): Promise<boolean> {
  const r = await trx
    .updateTable('jobs')
    .set({ run_at: now, updated_at: now })
    .where('key', '=', boundedKey(key))
    .where('state', '=', 'ready')
    .where('run_at', '>', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
