import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * Keep the leases of jobs still in flight; a job whose lease was taken over is not renewed. Returns the
 * ids renewed: one asked for and missing lost its lease (the caller stops that handler).
 */
export async function extendLeases(db: Kysely<Database>, ids: readonly number[], workerId: string, until: number): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db.updateTable('jobs').set({ locked_until: until }).where('id', 'in', ids).where('locked_by', '=', workerId).where('state', '=', 'running').returning('id').execute();
  return new Set(rows.map((r) => Number(r.id)));
}
