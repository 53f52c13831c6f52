import type { Kysely, Transaction } from 'kysely';
import type { CaseRecord } from '../../core/case.ts';
import type { Database } from '../schema.ts';
import { withSlaTables } from '../slaTables.ts';

export interface SweepCaseRow {
  record: CaseRecord;
  /** The ClickUp task of the case (null while not created yet). */
  cuTaskId: string | null;
  cuListId: string | null;
  /** What earlier sweeps recorded; null before the first. */
  sla: { state: string; dueAt: number | null; reminders: number[]; escalationLevel: number } | null;
}

/**
 * One page of open cases (active, not resolved) after `afterId`, in id order: a keyset walk over the
 * `cases_sweep` index (state, resolved_at, id), so a sweep over 100,000 cases never re-reads a page.
 */
export async function listOpenCasesForSweep(
  db: Kysely<Database> | Transaction<Database>,
  afterId: string,
  limit: number,
): Promise<SweepCaseRow[]> {
  const rows = await withSlaTables(db)
    .selectFrom('cases as c')
    .leftJoin('case_sla as s', 's.case_id', 'c.id')
    .leftJoin('links as l', (j) => j.onRef('l.entity_id', '=', 'c.id').on('l.entity', '=', 'case'))
    .select([
      'c.id',
      'c.data',
      's.state',
      's.due_at',
      's.reminders',
      's.escalation_level',
      'l.cu_task_id',
      'l.cu_list_id',
    ])
    .where('c.state', '=', 'active')
    .where('c.resolved_at', 'is', null)
    // Test-interchange cases are held to no SLA: no reminders, no escalation.
    .where('c.source', '<>', 'mailbox_test')
    .where('c.id', '>', afterId)
    .orderBy('c.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    record: JSON.parse(r.data) as CaseRecord,
    cuTaskId: r.cu_task_id ?? null,
    cuListId: r.cu_list_id ?? null,
    sla:
      r.state === null || r.state === undefined
        ? null
        : {
            state: r.state,
            dueAt: r.due_at === null ? null : Number(r.due_at),
            reminders: JSON.parse(r.reminders ?? '[]') as number[],
            escalationLevel: Number(r.escalation_level ?? 0),
          },
  }));
}
