import { sql, type Kysely } from 'kysely';
import type { CaseRecord } from '../../core/case.ts';
import type { Database } from '../schema.ts';

export type SlaFilter = 'breached' | 'at_risk' | 'on_track' | 'none' | 'met' | 'missed';

export interface CaseSearch {
  /** Free text: case id, partner id or name, title, transaction reference. */
  q?: string;
  partnerId?: string;
  kind?: string;
  state?: string;
  partnerStatus?: string;
  sla?: SlaFilter;
  limit?: number;
  offset?: number;
}

export interface CaseSearchRow {
  record: CaseRecord;
  cuTaskId: string | null;
  cuListId: string | null;
}

/**
 * Cases for the console, newest first, with their ClickUp link. SLA filters follow `slaState`: at risk is
 * open with under a quarter of its window left.
 */
export async function searchCases(
  db: Kysely<Database>,
  s: CaseSearch,
  now: number,
): Promise<{ total: number; rows: CaseSearchRow[] }> {
  let q = db
    .selectFrom('cases')
    .leftJoin('links', (j) => j.onRef('links.entity_id', '=', 'cases.id').on('links.entity', '=', 'case'));
  if (s.partnerId) q = q.where('cases.partner_id', '=', s.partnerId);
  if (s.kind) q = q.where('cases.kind', '=', s.kind);
  if (s.state) q = q.where('cases.state', '=', s.state);
  if (s.partnerStatus) q = q.where('cases.partner_status', '=', s.partnerStatus);
  if (s.q && s.q.trim()) {
    const needle = `%${s.q
      .trim()
      .toLowerCase()
      .replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb(sql`lower(cases.id)`, 'like', sql`${needle} escape '\\'`),
        eb(sql`lower(cases.data)`, 'like', sql`${needle} escape '\\'`),
        eb('links.cu_task_id', '=', s.q!.trim()),
      ]),
    );
  }
  switch (s.sla) {
    case 'breached':
      q = q.where('cases.resolved_at', 'is', null).where('cases.sla_due_at', '<', now);
      break;
    case 'at_risk':
      q = q
        .where('cases.resolved_at', 'is', null)
        .where('cases.sla_due_at', '>=', now)
        .where(sql<boolean>`(cases.sla_due_at - ${now}) * 4 <= (cases.sla_due_at - cases.opened_at)`);
      break;
    case 'on_track':
      q = q
        .where('cases.resolved_at', 'is', null)
        .where('cases.sla_due_at', '>=', now)
        .where(sql<boolean>`(cases.sla_due_at - ${now}) * 4 > (cases.sla_due_at - cases.opened_at)`);
      break;
    case 'none':
      q = q.where('cases.sla_due_at', 'is', null);
      break;
    case 'met':
      q = q.where('cases.resolved_at', 'is not', null).where(sql<boolean>`cases.resolved_at <= cases.sla_due_at`);
      break;
    case 'missed':
      q = q.where('cases.resolved_at', 'is not', null).where(sql<boolean>`cases.resolved_at > cases.sla_due_at`);
      break;
  }
  const [count, rows] = await Promise.all([
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    q
      .select(['cases.data', 'links.cu_task_id', 'links.cu_list_id'])
      .orderBy('cases.opened_at', 'desc')
      .orderBy('cases.id')
      .limit(Math.min(500, s.limit ?? 50))
      .offset(s.offset ?? 0)
      .execute(),
  ]);
  return {
    total: Number(count?.n ?? 0),
    rows: rows.map((r) => ({
      record: JSON.parse(r.data) as CaseRecord,
      cuTaskId: r.cu_task_id ?? null,
      cuListId: r.cu_list_id ?? null,
    })),
  };
}
