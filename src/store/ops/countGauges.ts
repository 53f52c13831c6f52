import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { withSlaTables } from '../slaTables.ts';

export interface GaugeCounts {
  jobsByState: Array<{ kind: string; state: string; n: number }>;
  deadLettersPending: number;
  casesByState: Array<{ state: string; partnerStatus: string; n: number }>;
  casesBySlaState: Array<{ state: string; n: number }>;
}

/** The counts /metrics exposes, each one GROUP BY (jobs_due / cases_state / case_sla_state indexes help). */
export async function countGauges(db: Kysely<Database>): Promise<GaugeCounts> {
  const s = withSlaTables(db);
  const [jobs, dead, cases, sla] = await Promise.all([
    db
      .selectFrom('jobs')
      .select(['kind', 'state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['kind', 'state'])
      .execute(),
    db
      .selectFrom('dead_letters')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('replayed_at', 'is', null)
      .executeTakeFirst(),
    db
      .selectFrom('cases')
      .select(['state', 'partner_status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['state', 'partner_status'])
      .execute(),
    // Only cases still open count by SLA state; a resolved case's last state stays in case_sla for the console.
    s
      .selectFrom('case_sla as s')
      .innerJoin('cases as c', 'c.id', 's.case_id')
      .select(['s.state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('c.resolved_at', 'is', null)
      .where('c.state', '=', 'active')
      .groupBy('s.state')
      .execute(),
  ]);
  return {
    jobsByState: jobs.map((r) => ({ kind: r.kind, state: r.state, n: Number(r.n) })),
    deadLettersPending: Number(dead?.n ?? 0),
    casesByState: cases.map((r) => ({ state: r.state, partnerStatus: r.partner_status, n: Number(r.n) })),
    casesBySlaState: sla.map((r) => ({ state: r.state, n: Number(r.n) })),
  };
}
