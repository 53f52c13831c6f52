import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { withSlaTables, type SlaEscalationsTable } from '../slaTables.ts';

/** The ladder of a case (all rungs, lowest first). */
export async function listEscalations(
  db: Kysely<Database> | Transaction<Database>,
  caseId: string,
): Promise<SlaEscalationsTable[]> {
  return withSlaTables(db)
    .selectFrom('sla_escalations')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('level')
    .execute();
}
