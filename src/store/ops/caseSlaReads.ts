import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import { withSlaTables, type CaseSlaTable } from '../slaTables.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The SLA row of one case (state, reminders sent), or undefined before its first sweep. */
export async function getCaseSla(db: Db, caseId: string): Promise<CaseSlaTable | undefined> {
  return withSlaTables(db).selectFrom('case_sla').selectAll().where('case_id', '=', caseId).executeTakeFirst();
}

/** Open (unresolved) cases counted by their SLA state. */
export async function countOpenCasesBySlaState(db: Db): Promise<Array<{ state: string; n: number }>> {
  const rows = await withSlaTables(db)
    .selectFrom('case_sla as s')
    .innerJoin('cases as c', 'c.id', 's.case_id')
    .select(['s.state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('c.resolved_at', 'is', null)
    .groupBy('s.state')
    .execute();
  return rows.map((r) => ({ state: r.state, n: Number(r.n) }));
}
