import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** The migrations applied to the store, with when; throws when the bookkeeping table does not exist yet. */
export async function listAppliedMigrations(db: Kysely<Database>): Promise<Array<{ name: string; timestamp: string }>> {
  const rows = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration`.execute(db);
  return rows.rows;
}
