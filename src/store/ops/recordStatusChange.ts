import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { fold, foldSink } from '../foldedCommit.ts';
import { fixedStatement } from '../fixedStatement.ts';

const insertStatusChange = fixedStatement((db, caseId: string, status: string, at: number) => ({
  compile: () =>
    sql`
    INSERT INTO case_status_history (case_id, status, at)
    SELECT ${caseId}, ${status}, ${at}
    WHERE COALESCE((SELECT h.status FROM case_status_history h WHERE h.case_id = ${caseId} ORDER BY h.at DESC, h.id DESC LIMIT 1), '') <> ${status}`.compile(
      db,
    ),
}));

/**
 * Append a partner-status change to the case's history (the SLA clock replays it: pauses while
 * `awaiting_documents`, stops at `resolved`). One guarded statement: nothing is written when the
 * latest recorded status is already `status`, so callers may call it on every save. Returns whether a
 * row was added (inside a folded completion, foldedCommit.ts: true, since the statement has not run yet).
 * Call it in the same transaction as the `saveCase` that changes `partnerStatus`.
 */
export async function recordStatusChange(
  db: Kysely<Database> | Transaction<Database>,
  caseId: string,
  status: string,
  at: number,
): Promise<boolean> {
  const q = insertStatusChange(db, caseId, status, at);
  const sink = foldSink(db);
  if (sink) {
    fold(sink, q, `case_status_history:${caseId}`);
    return true;
  }
  const r = await db.executeQuery(q);
  return Number(r.numAffectedRows ?? 0) > 0;
}
