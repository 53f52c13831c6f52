import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Keep the leases of jobs still in flight; a job whose lease was taken over is not renewed. */
export async function extendLeases(db: Kysely<Database>, ids: readonly number[], workerId: string, until: number): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('jobs').set({ locked_until: until }).where('id', 'in', ids).where('locked_by', '=', workerId).where('state', '=', 'running').execute();
}
