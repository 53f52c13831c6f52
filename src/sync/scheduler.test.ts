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

  it('runNow queues a run even when this second already has one (the minute tick at :00, an earlier run now)', async () => {
    const t = await tempSqliteStore();
    cleanups.push(t.cleanup);
    const s = new Scheduler(t.store, () => undefined);
    const task = { kind: 'rollouts.scan', cron: '* * * * *' } as const;
    // The minute's tick ran at :00; a change made later in that second is seen only by a run of its own.
    expect(await s.enqueueSlot(task, 1_700_000_040_000)).toBe(true);
    expect(await s.enqueueSlot(task, 1_700_000_040_400)).toBe(false);
    expect(await s.runNow(task, 1_700_000_040_400)).toBe(1_700_000_041_000);
    expect(await s.runNow(task, 1_700_000_040_900)).toBe(1_700_000_042_000);
    expect(await s.runNow(task, 1_700_000_050_000)).toBe(1_700_000_050_000);
    expect(await s.runNow(task, 1_700_000_040_000, 2)).toBeNull();
    expect((await t.store.db.selectFrom('jobs').select('key').orderBy('id').execute()).map((j) => j.key)).toEqual([
      'sched:rollouts.scan:1700000040000',
      'sched:rollouts.scan:1700000041000',
      'sched:rollouts.scan:1700000042000',
      'sched:rollouts.scan:1700000050000',
    ]);
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
