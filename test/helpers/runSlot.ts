import type { ScheduledKind } from '../../src/sync/engineJobs.ts';
import type { Bridge } from '../../src/server/bridge.ts';
import { eventually } from './world.ts';

/**
 * A runner for scheduled kinds: each call enqueues the next one-second slot of `kind` and waits until it
 * and everything it caused (due within 3 s of `clock`) is done. One runner per test file keeps slots distinct.
 */
export function slotRunner(clock: () => number): (b: Bridge, kind: ScheduledKind) => Promise<void> {
  let slot = 0;
  return async (b, kind) => {
    const at = Date.now() + ++slot * 1000;
    await b.scheduler.enqueueSlot({ kind, cron: '* * * * *' }, at);
    b.dispatcher.wake();
    await eventually(
      `${kind} and its work to finish`,
      async () => {
        const busy = await b.store.db
          .selectFrom('jobs')
          .select(['kind', 'state'])
          .where('state', 'in', ['ready', 'running'])
          .where('run_at', '<=', clock() + 3000)
          .execute();
        return busy.length === 0 && b.dispatcher.inFlightCount === 0;
      },
      15_000,
    );
  };
}
