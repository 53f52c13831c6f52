import type { Transaction } from 'kysely';
import type { Database } from '../schema.ts';

/** Replace the hold reason of a held case (column and JSON record together), in the caller's transaction. */
export async function setCaseHoldReason(trx: Transaction<Database>, caseId: string, reason: string): Promise<boolean> {
  const row = await trx.selectFrom('cases').select(['data', 'state']).where('id', '=', caseId).executeTakeFirst();
  if (!row || row.state !== 'needs_mapping') return false;
  const data = JSON.stringify({ ...(JSON.parse(row.data) as object), holdReason: reason });
  const r = await trx
    .updateTable('cases')
    .set({ hold_reason: reason, data })
    .where('id', '=', caseId)
    .where('state', '=', 'needs_mapping')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
