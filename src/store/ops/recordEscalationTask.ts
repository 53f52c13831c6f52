import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { withSlaTables } from '../slaTables.ts';

/**
 * The ClickUp task of an escalation rung exists: store it on the rung (first writer wins) and, when it is
 * the case's highest rung, as the case's current escalation task. Returns the task id stored on the rung.
 */
export async function recordEscalationTask(
  db: Kysely<Database> | Transaction<Database>,
  caseId: string,
  level: number,
  taskId: string,
  listId: string,
  now: number,
): Promise<string> {
  const s = withSlaTables(db);
  await s
    .updateTable('sla_escalations')
    .set({ task_id: taskId, list_id: listId, task_created_at: now })
    .where('case_id', '=', caseId)
    .where('level', '=', level)
    .where('task_id', 'is', null)
    .execute();
  const rung = await s
    .selectFrom('sla_escalations')
    .select('task_id')
    .where('case_id', '=', caseId)
    .where('level', '=', level)
    .executeTakeFirst();
  const stored = rung?.task_id ?? taskId;
  await s
    .updateTable('case_sla')
    .set({ escalation_task_id: stored, updated_at: now })
    .where('case_id', '=', caseId)
    .where('escalation_level', '<=', level)
    .execute();
  return stored;
}
