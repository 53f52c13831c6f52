import { afterEach, describe, expect, it } from 'vitest';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { Scheduler } from './scheduler.ts';
import { until } from '../../test/helpers/until.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('scheduler', () => {
  it('two instances ticking for the same slot enqueue one job', async () => {
    const t = await tempSqliteStore();
    cleanups.push(t.cleanup);
    const a = new Scheduler(t.store, () => undefined);
    const b = new Scheduler(t.store, () => undefined);
    const task = { kind: 'sla.sweep', cron: '* * * * *' } as const;
    const results = await Promise.all([a.enqueueSlot(task, 1_700_000_000_123), b.enqueueSlot(task, 1_700_000_000_456)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await t.store.db.selectFrom('jobs').select('key').execute()).toEqual([
      { key: 'sched:sla.sweep:1700000000000' },
    ]);
    expect(await a.enqueueSlot(task, 1_700_000_060_000)).toBe(true);
  });

  it('a started schedule enqueues on its ticks', async () => {
    const t = await tempSqliteStore();
    cleanups.push(t.cleanup);
    let woke = 0;
    const s = new Scheduler(t.store, () => woke++);
    s.add({ kind: 'rollouts.scan', cron: '* * * * * *' });
    s.start();
    // A tick every second: wait for the first job it enqueues (not a fixed time that a loaded machine overruns).
    await until(
      'a tick to enqueue its job',
      async () => (await t.store.db.selectFrom('jobs').select('kind').execute()).length >= 1,
      10_000,
    );
    s.stop();
    const jobs = await t.store.db.selectFrom('jobs').select('kind').execute();
    expect(jobs.map((j) => j.kind)).toEqual(jobs.map(() => 'rollouts.scan'));
    expect(woke).toBe(jobs.length);
  });
});
