import { sql, type QueryExecutorProvider } from 'kysely';
import type { Dialect } from '../db.ts';

/** Whether a table exists: console views over tables other work adds later degrade to "no data yet". */
export async function tableExists(db: QueryExecutorProvider, dialect: Dialect, name: string): Promise<boolean> {
  const r =
    dialect === 'sqlite'
      ? await sql<{
          n: number;
        }>`select count(*) as n from sqlite_master where type = 'table' and name = ${name}`.execute(db)
      : await sql<{
          n: number;
        }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name = ${name}`.execute(
          db,
        );
  return Number(r.rows[0]?.n ?? 0) > 0;
}
