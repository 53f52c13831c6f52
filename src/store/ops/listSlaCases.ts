import { sql, type Kysely, type SqlBool } from 'kysely';
import type { CaseRecord } from '../../core/case.ts';
import type { Database } from '../schema.ts';

/**
 * Open cases that breached their due date or have under a quarter of their SLA window left, most urgent
 * first. The grouping (partner, manager) is done by the caller from the records.
 */
export async function listSlaCases(
  db: Kysely<Database>,
  now: number,
  limit = 1000,
): Promise<Array<{ record: CaseRecord; cuTaskId: string | null; breached: boolean }>> {
  const rows = await db
    .selectFrom('cases')
    .leftJoin('links', (j) => j.onRef('links.entity_id', '=', 'cases.id').on('links.entity', '=', 'case'))
    .select(['cases.data', 'cases.sla_due_at', 'links.cu_task_id'])
    .where('cases.resolved_at', 'is', null)
    .where('cases.state', '!=', 'closed')
    .where('cases.sla_due_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('cases.sla_due_at', '<', now),
        sql<SqlBool>`(cases.sla_due_at - ${now}) * 4 <= (cases.sla_due_at - cases.opened_at)`,
      ]),
    )
    .orderBy('cases.sla_due_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    record: JSON.parse(r.data) as CaseRecord,
    cuTaskId: r.cu_task_id ?? null,
    breached: Number(r.sla_due_at) < now,
  }));
}
