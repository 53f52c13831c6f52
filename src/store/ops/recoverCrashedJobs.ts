import { sql, type Kysely, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import type { Database } from '../schema.ts';
import { dialectOf, leaseNow, type LeaseClock } from '../dbClock.ts';

/** Crashes after which a job is dead-lettered (default of `dispatcher.max_crashes`). */
export const DEFAULT_MAX_CRASHES = 3;

/**
 * Jobs found running whose worker is gone: `all` running ones (SQLite at start-up: the one process that
 * held them died) or those whose lease ran out before `now`. Each such job counts a crash. One that has
 * now crashed its worker `maxCrashes` times, or has used all its attempts, goes to the dead letters
 * (it would otherwise kill every worker that takes it, forever); the others become ready again.
 * Clearing `locked_by` means the old holder's completion, if it ever comes, is refused by its guard.
 */
export async function recoverCrashedJobs(
  db: Kysely<Database>,
  o: {
    all: boolean;
    now: number;
    maxCrashes?: number;
    runNow?: boolean;
    /** Clock the expiry is judged on (default `now`). */ leaseFrom?: LeaseClock;
  },
): Promise<{ ready: number; dead: number }> {
  const max = o.maxCrashes ?? DEFAULT_MAX_CRASHES;
  const expiredBefore = leaseNow(o.leaseFrom ?? o.now, dialectOf(db));
  return db.transaction().execute(async (trx) => {
    type JobsUpdate = UpdateQueryBuilder<Database, 'jobs', 'jobs', UpdateResult>;
    const gone = (q: JobsUpdate): JobsUpdate =>
      o.all
        ? q.where('state', '=', 'running')
        : q.where('state', '=', 'running').where('locked_until', '<', expiredBefore);
    const dead = await gone(trx.updateTable('jobs'))
      .where((eb) => eb.or([eb(sql`crashes + 1`, '>=', max), eb('attempts', '>=', eb.ref('max_attempts'))]))
      .set({
        state: 'dead',
        crashes: sql`crashes + 1`,
        locked_by: null,
        locked_until: null,
        updated_at: o.now,
        last_error: sql`${`its worker stopped while running it (process killed or lease expired)`} || ' ' || (crashes + 1) || ' time(s), after ' || attempts || ' attempt(s); dead-lettered so it cannot take the worker down again. Last error: ' || coalesce(last_error, 'none')`,
      })
      .returningAll()
      .execute();
    if (dead.length > 0) {
      await trx
        .insertInto('dead_letters')
        .values(
          dead.map((j) => ({
            job_id: Number(j.id),
            kind: j.kind,
            key: j.key,
            queue_key: j.queue_key,
            payload: j.payload,
            error: j.last_error ?? '',
            attempts: Number(j.attempts),
            failed_at: o.now,
            replayed_at: null,
          })),
        )
        .execute();
    }
    const ready = await gone(trx.updateTable('jobs'))
      .set({
        state: 'ready',
        crashes: sql`crashes + 1`,
        locked_by: null,
        locked_until: null,
        updated_at: o.now,
        ...(o.runNow ? { run_at: o.now } : {}),
      })
      .executeTakeFirst();
    return { ready: Number(ready.numUpdatedRows), dead: dead.length };
  });
}
