import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { withSlaTables } from '../slaTables.ts';

export interface EscalationRung {
  caseId: string;
  level: number;
  manager: string | null;
  ruleIndex: number | null;
  explanation: string;
  dueAt: number | null;
}

/** A rung of the escalation ladder was decided (once per case and level: a repeat is a no-op). */
export async function recordEscalation(
  db: Kysely<Database> | Transaction<Database>,
  e: EscalationRung,
  now: number,
): Promise<void> {
  await withSlaTables(db)
    .insertInto('sla_escalations')
    .values({
      case_id: e.caseId,
      level: e.level,
      manager: e.manager,
      rule_index: e.ruleIndex,
      explanation: e.explanation,
      task_id: null,
      list_id: null,
      due_at: e.dueAt,
      created_at: now,
      task_created_at: null,
    })
    .onConflict((oc) => oc.columns(['case_id', 'level']).doNothing())
    .execute();
}
