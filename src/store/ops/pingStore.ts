import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** One round trip to the database; throws when it cannot be reached (the readiness probe). */
export async function pingStore(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
