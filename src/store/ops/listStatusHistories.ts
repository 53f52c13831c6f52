import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { withSlaTables } from '../slaTables.ts';

export interface StatusChange {
  status: string;
  from: Date;
}

/** The status histories of several cases in one indexed query (case_status_history_case), oldest first. */
export async function listStatusHistories(
  db: Kysely<Database> | Transaction<Database>,
  caseIds: readonly string[],
): Promise<Map<string, StatusChange[]>> {
  const out = new Map<string, StatusChange[]>();
  if (caseIds.length === 0) return out;
  const rows = await withSlaTables(db)
    .selectFrom('case_status_history')
    .select(['case_id', 'status', 'at'])
    .where('case_id', 'in', caseIds)
    .orderBy('case_id')
    .orderBy('at')
    .orderBy('id')
    .execute();
  for (const r of rows) {
    let list = out.get(r.case_id);
    if (!list) out.set(r.case_id, (list = []));
    list.push({ status: r.status, from: new Date(Number(r.at)) });
  }
  return out;
}
