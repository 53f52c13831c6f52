import { sql, type Kysely, type Transaction } from 'kysely';
import type { CaseRecord } from '../../core/case.ts';
import type { Database } from '../schema.ts';
import type { Link } from './links.ts';

/**
 * A case's record and its ClickUp link in one read. The flow-1 jobs need both before they decide, and on
 * PostgreSQL a round trip costs more CPU (both sides) than reading the two rows; either may be missing.
 * `cursor`: also the value of that cursor (null when unset), in the same round trip.
 */
export async function getCaseWithLink(
  db: Kysely<Database> | Transaction<Database>,
  id: string,
  cursor?: string,
): Promise<{ record: CaseRecord | null; link: Link | null; cursor: string | null }> {
  const r = await sql<{
    data: string | null;
    cu_task_id: string | null;
    cu_list_id: string | null;
    cursor: string | null;
  }>`
    SELECT (SELECT c.data FROM cases c WHERE c.id = ${id}) AS data, l.cu_task_id, l.cu_list_id,
      ${cursor === undefined ? sql`NULL` : sql`(SELECT k.value FROM cursors k WHERE k.name = ${cursor})`} AS cursor
    FROM (SELECT 1 AS one) AS x LEFT JOIN links l ON l.entity = 'case' AND l.entity_id = ${id}`.execute(db);
  const row = r.rows[0];
  return {
    cursor: row?.cursor ?? null,
    record: row?.data ? (JSON.parse(row.data) as CaseRecord) : null,
    link: row?.cu_task_id
      ? { entity: 'case', entityId: id, cuTaskId: row.cu_task_id, cuListId: row.cu_list_id! }
      : null,
  };
}
