import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { withSlaTables } from '../slaTables.ts';

export interface CaseSlaUpdate {
  caseId: string;
  state: string;
  policy: string;
  share: number;
  /** Present: the due date now asked for on the ClickUp task. */
  dueAt?: number | null;
  /** Present: the full set of reminder thresholds enqueued so far. */
  reminders?: readonly number[];
  /** Present: the highest escalation level enqueued so far. */
  escalationLevel?: number;
}

/** Record what a sweep decided for a case (upsert); fields left out keep their stored value. */
export async function saveCaseSla(
  db: Kysely<Database> | Transaction<Database>,
  u: CaseSlaUpdate,
  now: number,
): Promise<void> {
  const set = {
    state: u.state,
    policy: u.policy,
    share: u.share,
    updated_at: now,
    ...(u.dueAt !== undefined ? { due_at: u.dueAt } : {}),
    ...(u.reminders !== undefined ? { reminders: JSON.stringify([...u.reminders].sort((a, b) => a - b)) } : {}),
    ...(u.escalationLevel !== undefined ? { escalation_level: u.escalationLevel } : {}),
  };
  await withSlaTables(db)
    .insertInto('case_sla')
    .values({ case_id: u.caseId, due_at: null, reminders: '[]', escalation_level: 0, escalation_task_id: null, ...set })
    .onConflict((oc) => oc.column('case_id').doUpdateSet(set))
    .execute();
}
