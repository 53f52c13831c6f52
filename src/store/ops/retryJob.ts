import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Put a leased job back in the queue to run at `runAt`. Guarded by the lease like every state change. */
export async function retryJob(
  db: Kysely<Database>,
  id: number,
  workerId: string,
  runAt: number,
  error: string,
  now: number,
  /**
   * `failure: false`: not a failure of the job (a shutdown handing it back): failing_since is left as it is.
   * `waitingOn`: the remote whose outage the job waits out (made due when it answers again: makeDueAfterOutage);
   * any other retry clears it.
   */
  opts: { refundAttempt?: boolean; failure?: boolean; waitingOn?: string | null } = {},
): Promise<boolean> {
  const q = db
    .updateTable('jobs')
    .set((eb) => ({
      state: 'ready' as const,
      run_at: runAt,
      locked_by: null,
      locked_until: null,
      last_error: error,
      waiting_on: opts.waitingOn ?? null,
      // The first failure of a run starts the patience clocks (retryDecision.ts); done clears it.
      ...(opts.failure === false ? {} : { failing_since: eb.fn.coalesce('failing_since', eb.val(now)) }),
      updated_at: now,
      // A wait imposed by the remote (rate limit) is not the job's fault: it does not use up an attempt.
      ...(opts.refundAttempt ? { attempts: eb('attempts', '-', 1) } : {}),
    }))
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .where('state', '=', 'running');
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
