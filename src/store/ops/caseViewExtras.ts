import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { withSlaTables } from '../slaTables.ts';

export interface CaseViewExtras {
  /** The task's status as ClickUp names it, as last seen or written by the bridge. */
  clickupStatus: string | null;
  /** The highest rung of the escalation ladder, if the case was escalated. */
  escalation: {
    level: number;
    manager: string | null;
    taskId: string | null;
    explanation: string;
    dueAt: number | null;
  } | null;
}

/**
 * What the console and the API show beside a case record: the escalation (kept in sla_escalations by
 * flow 5) and the ClickUp status (kept in the sync memory), neither of which is on the case record.
 */
export async function caseViewExtras(
  db: Kysely<Database> | Transaction<Database>,
  caseIds: readonly string[],
): Promise<Map<string, CaseViewExtras>> {
  const out = new Map<string, CaseViewExtras>();
  if (caseIds.length === 0) return out;
  const ids = [...new Set(caseIds)];
  const [names, rungs] = await Promise.all([
    db
      .selectFrom('sync_hashes')
      .select(['entity_id', 'hash'])
      .where('entity', '=', 'case')
      .where('field', '=', 'status_name')
      .where('side', '=', 'clickup')
      .where('entity_id', 'in', ids)
      .execute(),
    withSlaTables(db).selectFrom('sla_escalations').selectAll().where('case_id', 'in', ids).orderBy('level').execute(),
  ]);
  for (const id of ids) out.set(id, { clickupStatus: null, escalation: null });
  for (const n of names) out.get(n.entity_id)!.clickupStatus = n.hash;
  for (const r of rungs)
    out.get(r.case_id)!.escalation = {
      level: Number(r.level),
      manager: r.manager,
      taskId: r.task_id,
      explanation: r.explanation,
      dueAt: r.due_at === null ? null : Number(r.due_at),
    };
  return out;
}
