import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { withSlaTables } from '../slaTables.ts';

/**
 * The SLA due date was decided again outside a sweep (the partner reclassified the case): record it as the
 * date asked for on the task, so the next sweep does not write it once more, nor over a date a person set on
 * the task since. A case no sweep has seen yet has no row: nothing to do.
 */
export async function setCaseSlaDueAt(
  db: Kysely<Database> | Transaction<Database>,
  caseId: string,
  dueAt: number,
  now: number,
): Promise<void> {
  await withSlaTables(db)
    .updateTable('case_sla')
    .set({ due_at: dueAt, updated_at: now })
    .where('case_id', '=', caseId)
    .execute();
}
