import { afterEach, describe, expect, it } from 'vitest';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { Scheduler } from './scheduler.ts';
import { Dispatcher } from './dispatcher.ts';
import { throughout } from '../../test/helpers/until.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('scheduled runs that overrun their interval', () => {
  it('the next slot does not run beside a slot still running: it waits its turn', async () => {
    const t = await tempSqliteStore();
    cleanups.push(t.cleanup);
    let running = 0;
    let peak = 0;
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const d = new Dispatcher(
      t.store,
      new Map([
        [
          'tradinggrid.poll',
          async () => {
            running++;
            peak = Math.max(peak, running);
            await slow;
            running--;
            return { status: 'done' as const };
          },
        ],
      ]),
      { concurrency: 8, leaseMs: 10_000, pollMs: 10, backoffBaseMs: 10, backoffMaxMs: 100 },
    );
    const s = new Scheduler(t.store, () => d.wake());
    const task = { kind: 'tradinggrid.poll', cron: '* * * * *' } as const;
    expect(await s.enqueueSlot(task, 60_000)).toBe(true);
    d.start();
    cleanups.push(() => d.stop());
    while (running === 0) await new Promise((r) => setTimeout(r, 10)); // sleep-ok: the poll interval of a condition wait
    // The first run overruns: two more slots come due while it runs.
    expect(await s.enqueueSlot(task, 120_000)).toBe(true);
    expect(await s.enqueueSlot(task, 180_000)).toBe(true);
    // While the first run overruns, never a second one at the same time.
    await throughout('one run at a time', () => peak === 1, 200);
    release();
    while ((await t.store.db.selectFrom('jobs').select('id').where('state', '!=', 'done').execute()).length > 0)
      await new Promise((r) => setTimeout(r, 10)); // sleep-ok: the poll interval of a condition wait
    expect(peak).toBe(1);
    expect((await t.store.db.selectFrom('jobs').select('key').orderBy('id').execute()).map((j) => j.key)).toEqual([
      'sched:tradinggrid.poll:60000',
      'sched:tradinggrid.poll:120000',
      'sched:tradinggrid.poll:180000',
    ]);
  });
});
