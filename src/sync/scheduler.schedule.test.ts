import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { Logger } from 'pino';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { throughout, until } from '../../test/helpers/until.ts';
import { Scheduler } from './scheduler.ts';

// What a schedule does between add() and stop(): the jobs it enqueues (key, queue key, payload), when it
// wakes the dispatcher, when it ticks at all, and what it does when its enqueue fails or hangs.

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function store() {
  const t = await tempSqliteStore();
  cleanups.push(t.cleanup);
  return t;
}

async function jobs(t: Awaited<ReturnType<typeof store>>) {
  return t.store.db.selectFrom('jobs').select(['kind', 'key', 'queue_key', 'payload']).orderBy('id').execute();
}

/**
 * How many jobs there are once an enqueue already under way (a tick that fired just before pause() or
 * stop()) has landed: the count once it has held for 300 ms (ticks are a second apart).
 */
async function landed(t: Awaited<ReturnType<typeof store>>): Promise<number> {
  for (;;) {
    const n = (await jobs(t)).length;
    try {
      await throughout('no enqueue landing', async () => (await jobs(t)).length === n, 300);
      return n;
    } catch {
      // One landed meanwhile: look again.
    }
  }
}

/** A logger that keeps what is logged at error level (the scheduler logs nothing else). */
function errorLog(): { logger: Logger; errors: Array<{ obj: Record<string, unknown>; msg: string }> } {
  const errors: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const logger = { error: (obj: Record<string, unknown>, msg: string) => errors.push({ obj, msg }) };
  return { logger: logger as unknown as Logger, errors };
}

/** A plugin that holds every INSERT's result until `release()`: an enqueue that hangs. */
/**
 * The store's database, seeing every insert into jobs as it is sent (`before`, which may hold it up). At the
 * statement actually executed, not the query builder: the one-job insert is compiled once (fixedStatement.ts),
 * so a Kysely plugin's transformQuery never sees it.
 */
function onJobInserts(db: Kysely<Database>, before: () => Promise<void> | void): Kysely<Database> {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'executeQuery')
        return async (q: CompiledQuery, ...rest: unknown[]) => {
          if (/^insert into "jobs"/i.test(q.sql)) await before();
          return (target.executeQuery as (...a: unknown[]) => unknown)(q, ...rest);
        };
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

function hangingInserts(db: Kysely<Database>): { db: Kysely<Database>; started: () => number; release: () => void } {
  let started = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  return {
    db: onJobInserts(db, async () => {
      started++;
      await gate;
    }),
    started: () => started,
    release,
  };
}

describe('the jobs a schedule enqueues', () => {
  it('a slot is enqueued once: its repeat enqueues nothing and does not wake the dispatcher', async () => {
    const t = await store();
    let woke = 0;
    const s = new Scheduler(t.store, () => woke++);
    const task = { kind: 'sla.sweep', cron: '* * * * *' } as const;
    expect(await s.enqueueSlot(task, 1_700_000_000_999)).toBe(true);
    expect(woke).toBe(1);
    expect(await s.enqueueSlot(task, 1_700_000_000_000)).toBe(false);
    expect(woke).toBe(1);
    expect(await s.enqueueSlot(task, 1_700_000_001_000)).toBe(true);
    expect(woke).toBe(2);
  });

  it('one queue per schedule: the kind alone, or the kind and its fields; the payload is the fields and the slot', async () => {
    const t = await store();
    const s = new Scheduler(t.store, () => undefined);
    await s.enqueueSlot({ kind: 'metrics.push', cron: '* * * * *' }, 1_700_000_060_500);
    await s.enqueueSlot({ kind: 'metrics.push', cron: '* * * * *', payload: { period: '2026-11' } }, 1_700_000_120_000);
    expect(await jobs(t)).toEqual([
      {
        kind: 'metrics.push',
        key: 'sched:metrics.push:1700000060000',
        queue_key: 'sched:metrics.push',
        payload: JSON.stringify({ slot: 1_700_000_060_000 }),
      },
      {
        kind: 'metrics.push',
        key: 'sched:metrics.push:1700000120000',
        queue_key: 'sched:metrics.push:{"period":"2026-11"}',
        payload: JSON.stringify({ period: '2026-11', slot: 1_700_000_120_000 }),
      },
    ]);
  });

  it('runNow tries maxSlots slots and no more: with all of them taken it enqueues nothing and says so', async () => {
    const t = await store();
    const s = new Scheduler(t.store, () => undefined);
    const task = { kind: 'sla.sweep', cron: '* * * * *' } as const;
    for (let i = 0; i < 3; i++) await s.enqueueSlot(task, 1_700_000_000_000 + i * 1000);
    expect(await s.runNow(task, 1_700_000_000_500, 3)).toBe(null);
    expect((await jobs(t)).map((j) => j.key)).toEqual([
      'sched:sla.sweep:1700000000000',
      'sched:sla.sweep:1700000001000',
      'sched:sla.sweep:1700000002000',
    ]);
    expect(await s.runNow(task, 1_700_000_000_500, 4)).toBe(1_700_000_003_000);
  });

  it('scheduledKinds names the kinds added, in order', async () => {
    const t = await store();
    const s = new Scheduler(t.store, () => undefined);
    expect(s.scheduledKinds()).toEqual([]);
    s.add({ kind: 'sla.sweep', cron: '0 * * * *' });
    s.add({ kind: 'store.prune', cron: '0 3 * * *' });
    expect(s.scheduledKinds()).toEqual(['sla.sweep', 'store.prune']);
    s.stop();
  });
});

describe('ticking', () => {
  it('nothing ticks before start(); after pause() nothing more; start() again resumes; stop() ends it', async () => {
    const t = await store();
    let woke = 0;
    const s = new Scheduler(t.store, () => woke++);
    cleanups.push(() => s.stop());
    s.add({ kind: 'rollouts.scan', cron: '* * * * * *' });
    // A tick a second: 2.5 s holds at least two tick times.
    await throughout('no tick before start()', async () => (await jobs(t)).length === 0, 2_500);
    s.start();
    const first = await until('a first tick', async () => (await jobs(t)).length >= 1 && (await jobs(t)));
    expect(first[0]).toMatchObject({ kind: 'rollouts.scan', queue_key: 'sched:rollouts.scan' });
    // Each tick's job is keyed by its own whole second.
    const slot = Number(first[0]!.key.split(':').pop());
    expect(slot % 1000).toBe(0);
    expect(JSON.parse(first[0]!.payload)).toEqual({ slot });
    s.pause();
    const paused = await landed(t);
    await throughout('no tick while paused', async () => (await jobs(t)).length === paused, 2_500);
    s.start();
    await until('a tick after start() again', async () => (await jobs(t)).length > paused);
    s.stop();
    const stopped = await landed(t);
    await throughout('no tick after stop()', async () => (await jobs(t)).length === stopped, 2_500);
    expect(woke).toBe(stopped);
  });

  it("a tick that fires late (the event loop busy across its time) still keys the pattern's slot, not the second it ran in", async () => {
    const t = await store();
    const s = new Scheduler(t.store, () => undefined);
    cleanups.push(() => s.stop());
    s.add({ kind: 'sla.sweep', cron: '*/2 * * * * *' });
    s.start();
    // Just before the next even second, block the event loop for 1.3 s: the tick fires over a second late.
    const boundary = Math.ceil((Date.now() + 400) / 2000) * 2000;
    await new Promise((r) => setTimeout(r, boundary - 150 - Date.now())); // sleep-ok: reach the moment before a tick, to block the loop across it
    const busyUntil = boundary + 1_150;
    while (Date.now() < busyUntil) {
      // the event loop is held (a long synchronous task, or a starved process)
    }
    // The slot before the boundary may have ticked on time before the loop was blocked (it can be up to
    // 400 ms ahead when the boundary is chosen): only the ticks from the blocked one on are the late ones.
    const slotOf = (key: string) => Number(key.split(':').at(-1));
    const late = await until('the late tick to enqueue', async () => {
      const r = (await jobs(t)).filter((j) => slotOf(j.key) >= boundary);
      return r.length >= 1 && r;
    });
    s.stop();
    // Two instances, one on time and one late, must key the same slot: an even second, not the one it ran in.
    expect(late[0]!.key).toBe(`sched:sla.sweep:${boundary}`);
  });

  it('a tick that fires at the very millisecond of its slot keys that slot, not the one before', async () => {
    // croner's real timer fires a few ms after its target; a fake clock fires it exactly on time.
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 7, 12, 0, 0, 500) });
    cleanups.push(() => void vi.useRealTimers());
    const s = new Scheduler({} as never, () => undefined);
    const slots: number[] = [];
    s.enqueueSlot = async (_task, slotMs) => {
      slots.push(slotMs);
      return true;
    };
    cleanups.push(() => s.stop());
    s.add({ kind: 'sla.sweep', cron: '* * * * * *' });
    s.start();
    await vi.advanceTimersByTimeAsync(500);
    s.stop();
    expect(Date.now()).toBe(Date.UTC(2026, 11, 7, 12, 0, 1));
    expect(slots).toStrictEqual([Date.UTC(2026, 11, 7, 12, 0, 1)]);
  });

  it('a tick whose enqueue fails logs it with the kind and the error, and the next tick tries again', async () => {
    const t = await store();
    const { logger, errors } = errorLog();
    const s = new Scheduler(t.store, () => undefined, logger);
    cleanups.push(() => s.stop());
    s.add({ kind: 'sla.sweep', cron: '* * * * * *' });
    await t.store.db.schema.dropTable('jobs').execute();
    s.start();
    await until('two failed ticks', () => errors.length >= 2);
    s.stop();
    for (const e of errors) {
      expect(e.msg).toBe('could not enqueue a scheduled job; the next tick tries again');
      expect(e.obj.kind).toBe('sla.sweep');
      expect(String((e.obj.err as Error).message)).toMatch(/no such table: jobs/);
    }
  });

  it('without a logger, a tick whose enqueue fails is dropped quietly (no unhandled rejection) and the next tick tries again', async () => {
    const t = await store();
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    cleanups.push(() => void process.off('unhandledRejection', onRejection));
    let tries = 0;
    const counting = onJobInserts(t.store.db, () => void tries++);
    const s = new Scheduler({ ...t.store, db: counting }, () => undefined);
    cleanups.push(() => s.stop());
    s.add({ kind: 'sla.sweep', cron: '* * * * * *' });
    await t.store.db.schema.dropTable('jobs').execute();
    s.start();
    await until('two failed ticks', () => tries >= 2);
    s.stop();
    // A rejection is reported on the turn after it: one more tick's worth of turns.
    await throughout('no unhandled rejection', () => rejections.length === 0, 200);
  });

  it('a tick whose enqueue hangs is not overlapped by the next ones (they are skipped, not piled up)', async () => {
    const t = await store();
    const hang = hangingInserts(t.store.db);
    const s = new Scheduler({ ...t.store, db: hang.db }, () => undefined);
    cleanups.push(() => s.stop());
    cleanups.push(() => hang.release());
    s.add({ kind: 'sla.sweep', cron: '* * * * * *' });
    s.start();
    await until('a tick to start its enqueue', () => hang.started() === 1);
    await throughout('no second enqueue while the first hangs', () => hang.started() === 1, 2_500);
  });
});
