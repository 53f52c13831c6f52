import { sql } from 'kysely';
import type { Store } from './db.ts';

export interface CopyReport {
  tables: Array<{ table: string; rows: number }>;
  /** Jobs that were running in the source: made ready again (their process is stopped). */
  releasedLeases: number;
}

const CHUNK = 500;

/**
 * Copy every table of a migrated source store into a migrated, empty target (SQLite → PostgreSQL is the
 * upgrade path to several instances). Rows are copied as they are, in one transaction on the target; id sequences
 * are moved past the copied ids; leases of jobs left running are released (stop the old bridge first).
 * Refuses a target that already holds jobs or events, so a copy cannot merge two histories by accident.
 */
export async function copyStore(
  from: Store,
  to: Store,
  onTable?: (table: string, rows: number) => void,
): Promise<CopyReport> {
  const srcTables = (await from.db.introspection.getTables()).filter((t) => !t.name.startsWith('kysely_'));
  const dstTables = new Map((await to.db.introspection.getTables()).map((t) => [t.name, t]));
  const missing = srcTables.filter((t) => !dstTables.has(t.name)).map((t) => t.name);
  if (missing.length > 0)
    throw new Error(
      `the target lacks table(s) ${missing.join(', ')}: run \`gridbridge migrate\` against it with this version first`,
    );
  for (const t of ['jobs', 'inbound_events', 'cases']) {
    const n = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(t)}`.execute(to.db);
    if (Number(n.rows[0]?.n) > 0)
      throw new Error(`the target ${to.location} is not empty (table ${t} has rows): refusing to merge two stores`);
  }
  const report: CopyReport = { tables: [], releasedLeases: 0 };
  await to.db.transaction().execute(async (trx) => {
    for (const t of srcTables) {
      const dst = dstTables.get(t.name)!;
      const cols = t.columns.map((c) => c.name).filter((c) => dst.columns.some((d) => d.name === c));
      const bool = new Set(dst.columns.filter((c) => /^bool/i.test(c.dataType)).map((c) => c.name));
      let rows = 0;
      for (let offset = 0; ; offset += CHUNK) {
        const batch = (
          await sql<
            Record<string, unknown>
          >`SELECT ${sql.join(cols.map((c) => sql.ref(c)))} FROM ${sql.table(t.name)} ORDER BY 1 LIMIT ${CHUNK} OFFSET ${offset}`.execute(
            from.db,
          )
        ).rows;
        if (batch.length === 0) break;
        const values = batch.map((r) => {
          const out: Record<string, unknown> = {};
          for (const c of cols) out[c] = bool.has(c) && typeof r[c] === 'number' ? r[c] !== 0 : r[c];
          if (t.name === 'jobs' && out.state === 'running') {
            out.state = 'ready';
            out.locked_by = null;
            out.locked_until = null;
            report.releasedLeases++;
          }
          return out;
        });
        await trx
          .insertInto(t.name as never)
          .values(values)
          .execute();
        rows += batch.length;
        if (batch.length < CHUNK) break;
      }
      report.tables.push({ table: t.name, rows });
      onTable?.(t.name, rows);
      if (to.dialect === 'postgres') {
        // Serial ids: the next id must come after the copied ones.
        for (const c of dst.columns.filter((c) => c.isAutoIncrementing)) {
          await sql`SELECT setval(pg_get_serial_sequence(${t.name}, ${c.name}), GREATEST((SELECT max(${sql.ref(c.name)}) FROM ${sql.table(t.name)}), 1))`.execute(
            trx,
          );
        }
      }
    }
  });
  return report;
}
