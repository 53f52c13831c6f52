import { describe, expect, it } from 'vitest';
import type { Logger } from 'pino';
import type { Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import { anyJob, anyJobs } from '../../test/helpers/anyJob.ts';
import { storesUnderTest } from '../../test/helpers/pgStore.ts';
import { until } from '../../test/helpers/until.ts';
import { Dispatcher, type JobHandler } from './dispatcher.ts';
import { enqueueJobs, JOBS_CHANNEL } from '../store/ops/enqueueJobs.ts';
import type { Store } from '../store/db.ts';
import { appendAudit } from '../store/ops/audit.ts';
import { rememberField } from '../store/ops/fieldMemory.ts';
import { pgStatementsOf } from '../../test/helpers/pgStatements.ts';

// The dispatcher's PostgreSQL-only lines, as `npm run mutate dispatcherPg` measures them with
// dispatcher.shared.test.ts and foldedCommit.test.ts: LISTEN failing (a stand-in on SQLite), the optimistic group
// commit with a lease lost and no commit failing, and the announcement after a folded group commit.
const { pgUp, make } = await storesUnderTest('src/sync/dispatcher.pgCommit.test.ts');
const opts = { concurrency: 8, leaseMs: 30_000, pollMs: 10, backoffBaseMs: 10, backoffMaxMs: 100 };

/** The channels `s` announces from now on (NOTIFY after a commit): `Store.announce` is wrapped. */
function countAnnouncements(s: Store): () => string[] {
  const calls: string[] = [];
  const announce = s.announce!;
  s.announce = (channel) => {
    calls.push(channel);
    announce(channel);
  };
  return () => [...calls];
}

/** Jobs `keys` run by a dispatcher whose handlers all wait at one gate, so that they finish in one turn. */
async function finishTogether(
  store: Store,
  keys: string[],
  result: (key: string) => Awaited<ReturnType<JobHandler>>,
  extra: { foldCompletions?: boolean; beforeFinish?: () => Promise<void> } = {},
): Promise<Dispatcher> {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let started = 0;
  const handler: JobHandler = async (job) => {
    started++;
    await gate;
    return result((job.payload as { key: string }).key);
  };
  const d = new Dispatcher(store, new Map([['k', handler]]), { ...opts, foldCompletions: extra.foldCompletions });
  await enqueueJobs(store.db, anyJobs(keys.map((key) => ({ kind: 'k', key, payload: { key } }))), Date.now());
  const run = d.runUntilIdle(1);
  await until('every handler waiting', () => started === keys.length);
  await extra.beforeFinish?.();
  open();
  await run;
  await until('all settled', () => d.inFlightCount === 0);
  return d;
}

async function states(store: Store): Promise<Record<string, string>> {
  return Object.fromEntries(
    (await store.db.selectFrom('jobs').select(['key', 'state', 'locked_by']).execute()).map((r) => [
      r.key,
      r.state + (r.state === 'running' ? `:${r.locked_by}` : ''),
    ]),
  );
}

const cursorNames = async (store: Store) =>
  (await store.db.selectFrom('cursors').select('name').orderBy('name').execute()).map((r) => r.name);

describe('LISTEN for new jobs failing (a stand-in subscription on SQLite)', () => {
  it('is logged once and left to polling: jobs still run, and stop() returns, with a logger or without', async () => {
    for (const withLogger of [true, false]) {
      const { store } = await make('sqlite');
      const failure = new Error('LISTEN refused');
      let subscribed = 0;
      store.subscribe = (channel) => {
        subscribed++;
        expect(channel).toBe(JOBS_CHANNEL);
        return Promise.reject(failure);
      };
      const warned: unknown[][] = [];
      const logger = { warn: (...a: unknown[]) => void warned.push(a) } as unknown as Logger;
      let ran = 0;
      const d = new Dispatcher(store, new Map<string, JobHandler>([['k', async () => (ran++, { status: 'done' })]]), {
        ...opts,
        ...(withLogger ? { logger } : {}),
      });
      d.start();
      await enqueueJobs(store.db, [anyJob({ kind: 'k', key: `polled-${withLogger}`, payload: {} })], Date.now());
      await until('the job to run at a poll', () => ran === 1);
      await d.stop();
      expect(subscribed).toBe(1);
      expect(warned).toEqual(
        withLogger ? [[{ err: failure }, 'LISTEN for new jobs failed; idle workers fall back to polling']] : [],
      );
      expect(await states(store)).toEqual({ [`polled-${withLogger}`]: 'done' });
    }
  });

  it('a store without subscriptions (SQLite): start() listens for nothing and runs jobs at its polls', async () => {
    const { store } = await make('sqlite');
    expect(store.subscribe).toBeUndefined();
    let ran = 0;
    const d = new Dispatcher(
      store,
      new Map<string, JobHandler>([['k', async () => (ran++, { status: 'done' })]]),
      opts,
    );
    d.start();
    await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'polled', payload: {} })], Date.now());
    await until('the job to run at a poll', () => ran === 1);
    await d.stop();
    expect(await states(store)).toEqual({ polled: 'done' });
  });

  it('a subscription that holds: a NOTIFY wakes the idle worker, and stop() unsubscribes', async () => {
    const { store } = await make('sqlite');
    let notify: (() => void) | null = null;
    let unsubscribed = 0;
    store.subscribe = async (_channel, onNotify) => {
      notify = onNotify;
      return async () => void unsubscribed++;
    };
    let ran = 0;
    const d = new Dispatcher(store, new Map<string, JobHandler>([['k', async () => (ran++, { status: 'done' })]]), {
      ...opts,
      pollMs: 600_000,
    });
    d.start();
    await until('the subscription', () => notify !== null);
    // Idle for sure: its first claim found nothing and it waits for its next poll, ten minutes away.
    await until('the loop to wait', () => (d as unknown as { wakeUp: (() => void) | null }).wakeUp !== null);
    await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'woken', payload: {} })], Date.now());
    notify!();
    await until('the job to run when notified', () => ran === 1, 5_000);
    await d.stop();
    expect(unsubscribed).toBe(1);
  });
});

describe.skipIf(!pgUp)('group commits on PostgreSQL', () => {
  it('an optimistic batch with a lost lease and no failing commit: the batch taken job by job, the lost one undone alone', async () => {
    const { store } = await make('postgres');
    const d = await finishTogether(
      store,
      ['o1', 'o2', 'o3'],
      (key) => ({
        status: 'done',
        commit: async (trx) => {
          await trx.insertInto('cursors').values({ name: key, value: 'v', updated_at: 0 }).execute();
        },
      }),
      {
        // o2's lease went to another worker while its handler ran.
        beforeFinish: async () => {
          await store.db.updateTable('jobs').set({ locked_by: 'other' }).where('key', '=', 'o2').execute();
        },
      },
    );
    expect(d.counters).toMatchObject({ done: 2, leaseLost: 1 });
    expect(await cursorNames(store)).toEqual(['o1', 'o3']);
    expect(await states(store)).toEqual({ o1: 'done', o2: 'running:other', o3: 'done' });
  });

  it("a batch's jobs are marked done at the latest of their finishing times, optimistic or folded", async () => {
    for (const foldCompletions of [false, true]) {
      const { store } = await make('postgres');
      const base = 1_700_000_000_000;
      let clock = base;
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      let started = 0;
      const finish = { a: 1_000, b: 3_000, c: 2_000 };
      const keys = Object.keys(finish) as Array<keyof typeof finish>;
      const handler: JobHandler = async (job) => {
        started++;
        await gate;
        const key = (job.payload as { key: keyof typeof finish }).key;
        // Each job finishes in its own stretch of the same turn, on the clock it set: spaced by microtasks, far
        // more than the dispatcher's awaits between a handler's return and the settle that reads the clock.
        for (let i = 0; i < 200 * keys.indexOf(key); i++) await Promise.resolve();
        clock = base + finish[key];
        return { status: 'done' };
      };
      const d = new Dispatcher(store, new Map([['k', handler]]), { ...opts, foldCompletions, now: () => clock });
      await enqueueJobs(store.db, anyJobs(keys.map((key) => ({ kind: 'k', key, payload: { key } }))), base - 1);
      const run = d.runUntilIdle(1);
      await until('every handler waiting', () => started === keys.length);
      open();
      await run;
      await until('all settled', () => d.inFlightCount === 0);
      expect(d.counters).toMatchObject({ done: 3 });
      const rows = await store.db.selectFrom('jobs').select(['key', 'state', 'updated_at']).orderBy('key').execute();
      expect(rows.map((r) => [r.key, r.state, Number(r.updated_at)])).toEqual(
        keys.map((k) => [k, 'done', base + 3_000]),
      );
    }
  });

  it('folded together: announced once after the statement when any of the jobs queued a ready one; not when none did', async () => {
    const { store } = await make('postgres');
    const announced = countAnnouncements(store);
    // Appends only (foldable: foldedCommit.ts); a job of `queues` also queues a ready job.
    const appending = (queues: string[]) => (key: string) => ({
      status: 'done' as const,
      commit: async (trx: Transaction<Database>) => {
        await appendAudit(trx, { actor: 'a', entity: 'case', entityId: key, action: 'case_received' }, 5);
        if (queues.includes(key))
          await enqueueJobs(trx, [anyJob({ kind: 'next', key: `after-${key}`, payload: {}, runAt: 4e12 })], 5);
      },
    });
    // The enqueue of the jobs themselves is announced too: counted from after it.
    let before = 0;
    const first = await pgStatementsOf(() =>
      finishTogether(store, ['f1', 'f2', 'f3'], appending(['f2']), {
        foldCompletions: true,
        beforeFinish: async () => void (before = announced().length),
      }),
    );
    expect(first.result.counters).toMatchObject({ done: 3 });
    expect(first.statements.matching(/^WITH done AS/)).toHaveLength(1);
    expect(announced().slice(before)).toEqual([JOBS_CHANNEL]);
    const second = await pgStatementsOf(() =>
      finishTogether(store, ['g1', 'g2'], appending([]), {
        foldCompletions: true,
        beforeFinish: async () => void (before = announced().length),
      }),
    );
    expect(second.result.counters).toMatchObject({ done: 2 });
    expect(second.statements.matching(/^WITH done AS/)).toHaveLength(1);
    expect(announced().slice(before)).toEqual([]);
    const audited = await store.db.selectFrom('audit_log').select('entity_id').orderBy('entity_id').execute();
    expect(audited.map((r) => r.entity_id)).toEqual(['f1', 'f2', 'f3', 'g1', 'g2']);
    expect(await states(store)).toMatchObject({ f1: 'done', f2: 'done', f3: 'done', 'after-f2': 'ready', g1: 'done' });
  });

  it('folded alone, a job whose lease was lost: its folded statement tried once, then the transaction finds the lease gone', async () => {
    const { store } = await make('postgres');
    const lost = await pgStatementsOf(() =>
      finishTogether(
        store,
        ['l1'],
        (key) => ({
          status: 'done',
          commit: async (trx) => {
            await appendAudit(trx, { actor: 'a', entity: 'case', entityId: key, action: 'case_received' }, 5);
          },
        }),
        {
          foldCompletions: true,
          beforeFinish: async () => {
            await store.db.updateTable('jobs').set({ locked_by: 'other' }).where('key', '=', 'l1').execute();
          },
        },
      ),
    );
    expect(lost.result.counters).toMatchObject({ done: 0, leaseLost: 1 });
    expect(lost.statements.matching(/^WITH done AS/)).toHaveLength(1);
    expect(await store.db.selectFrom('audit_log').select('entity_id').execute()).toEqual([]);
    expect(await states(store)).toEqual({ l1: 'running:other' });
  });

  it('folded: two commits writing one row are not tried together, each folded alone; with nothing foldable no folded statement is sent', async () => {
    const { store } = await make('postgres');
    // Both remember the same field of the same case: in one statement PostgreSQL would refuse the second upsert.
    const sameRow = (key: string) => ({
      status: 'done' as const,
      commit: async (trx: Transaction<Database>) => {
        await rememberField(trx, 'case', 'C1', 'status', 'agreed', { value: key, at: 5 });
      },
    });
    const clash = await pgStatementsOf(() => finishTogether(store, ['s1', 's2'], sameRow, { foldCompletions: true }));
    expect(clash.result.counters).toMatchObject({ done: 2 });
    expect(clash.statements.matching(/^WITH done AS/)).toHaveLength(2);
    expect(clash.statements.transactions().filter((t) => !/"crashes" = crashes \+ 1/.test(t[1] ?? ''))).toEqual([]);
    // Commits that cannot fold (a write through Kysely's own builder): the optimistic transaction alone.
    const unfoldable = await pgStatementsOf(() =>
      finishTogether(
        store,
        ['u1', 'u2'],
        (key) => ({
          status: 'done',
          commit: async (trx) => {
            await trx.insertInto('cursors').values({ name: key, value: 'v', updated_at: 0 }).execute();
          },
        }),
        { foldCompletions: true },
      ),
    );
    expect(unfoldable.result.counters).toMatchObject({ done: 2 });
    expect(unfoldable.statements.matching(/^WITH done AS/)).toEqual([]);
    expect(await cursorNames(store)).toEqual(['u1', 'u2']);
    expect(await states(store)).toMatchObject({ s1: 'done', s2: 'done', u1: 'done', u2: 'done' });
  });
});
