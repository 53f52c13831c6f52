import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { anyJob } from '../../../test/helpers/anyJob.ts';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { Database } from '../schema.ts';
import { readDbClock } from '../dbClock.ts';
import { compareAndSetCursor, initCursor, listCursors, readCursor, writeCursor } from './cursors.ts';
import { acquireNamedLease, releaseNamedLease } from './namedLease.ts';
import { enqueueJobs } from './enqueueJobs.ts';
import { claimJobs } from './claimJobs.ts';
import { retryJob } from './retryJob.ts';
import { extendLeases } from './extendLeases.ts';
import { holdsLease } from './holdsLease.ts';
import { DEFAULT_MAX_CRASHES, recoverCrashedJobs } from './recoverCrashedJobs.ts';
import { reclaimExpiredLeases } from './reclaimExpiredLeases.ts';
import { releaseOrphanedLeases } from './releaseOrphanedLeases.ts';

// Leases and positions kept between runs, checked by the rows they leave (both stores): cursors and their
// compare-and-set, named leases, a job's lease (renewed, held, run out) and what becomes of a job whose worker
// is gone (ready again or dead-lettered, each time a crash counted). `npm run mutate storeLeases` measures them.
const { describeStores, make } = await storesUnderTest('src/store/ops/jobLeases.test.ts');

const T = 1_700_000_000_000;

async function jobRow(db: Kysely<Database>, key: string) {
  const r = await db
    .selectFrom('jobs')
    .select(['state', 'run_at', 'attempts', 'crashes', 'locked_by', 'locked_until', 'last_error', 'updated_at'])
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  const n = (v: unknown) => (v === null ? null : Number(v));
  return {
    ...r,
    run_at: n(r.run_at),
    locked_until: n(r.locked_until),
    updated_at: n(r.updated_at),
    attempts: Number(r.attempts),
    crashes: Number(r.crashes),
  };
}

async function letters(db: Kysely<Database>) {
  return (await db.selectFrom('dead_letters').selectAll().orderBy('id').execute()).map((d) => ({
    job_id: Number(d.job_id),
    kind: d.kind,
    key: d.key,
    queue_key: d.queue_key,
    payload: d.payload,
    error: d.error,
    attempts: Number(d.attempts),
    failed_at: Number(d.failed_at),
    replayed_at: d.replayed_at,
  }));
}

const lease = async (db: Kysely<Database>, name: string) => {
  const r = await db.selectFrom('leases').select(['owner', 'expires_at']).where('name', '=', name).executeTakeFirst();
  return r ? { owner: r.owner, expires_at: Number(r.expires_at) } : null;
};

describeStores('leases and cursors on %s', (kind) => {
  it('cursors: written and overwritten with their time, created once, compared and set, listed by name', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await readCursor(db, 'b')).toBeNull();
    await writeCursor(db, 'b', 'one', T);
    await writeCursor(db, 'b', 'two', T + 1);
    await initCursor(db, 'b', 'ignored', T + 2);
    await initCursor(db, 'a', 'first', T + 3);
    expect(await compareAndSetCursor(db, 'c', null, 'made', T + 4)).toBe(true);
    expect(await compareAndSetCursor(db, 'c', 'made', 'next', T + 5)).toBe(true);
    expect(await compareAndSetCursor(db, 'c', 'made', 'stale', T + 6)).toBe(false);
    expect(await compareAndSetCursor(db, 'a', null, 'stale', T + 7)).toBe(false);
    expect((await listCursors(db)).map((c) => ({ ...c, updated_at: Number(c.updated_at) }))).toEqual([
      { name: 'a', value: 'first', updated_at: T + 3 },
      { name: 'b', value: 'two', updated_at: T + 1 },
      { name: 'c', value: 'next', updated_at: T + 5 },
    ]);
  });

  it('named lease: its end stored on the caller clock, renewed by its owner, free again exactly when it ends', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await acquireNamedLease(db, 'scan', 'a', 1000, T)).toBe(true);
    expect(await lease(db, 'scan')).toEqual({ owner: 'a', expires_at: T + 1000 });
    expect(await acquireNamedLease(db, 'scan', 'b', 5000, T + 999)).toBe(false);
    expect(await lease(db, 'scan')).toEqual({ owner: 'a', expires_at: T + 1000 });
    expect(await acquireNamedLease(db, 'scan', 'a', 2000, T + 500)).toBe(true);
    expect(await lease(db, 'scan')).toEqual({ owner: 'a', expires_at: T + 2500 });
    expect(await acquireNamedLease(db, 'scan', 'b', 100, T + 2500)).toBe(true);
    expect(await lease(db, 'scan')).toEqual({ owner: 'b', expires_at: T + 2600 });
    await releaseNamedLease(db, 'scan', 'a');
    expect(await lease(db, 'scan')).toEqual({ owner: 'b', expires_at: T + 2600 });
    await releaseNamedLease(db, 'scan', 'b');
    expect(await lease(db, 'scan')).toBeNull();
  });

  it("named lease on the database's clock by default: its end from the database's now, not the caller's", async () => {
    const { store } = await make(kind);
    const db = store.db;
    // A lease whose end is far in the caller's past but still ahead on the database's clock is not taken over.
    const before = await readDbClock(db);
    expect(await acquireNamedLease(db, 'scan', 'a', 60_000)).toBe(true);
    const after = await readDbClock(db);
    const held = (await lease(db, 'scan'))!;
    expect(held.expires_at).toBeGreaterThanOrEqual(before + 60_000);
    expect(held.expires_at).toBeLessThanOrEqual(after + 60_000);
    expect(await acquireNamedLease(db, 'scan', 'b', 60_000)).toBe(false);
    expect(await acquireNamedLease(db, 'scan', 'b', 60_000, after + 60_001)).toBe(true);
    // Ended on the database's clock (set in the past), it is free whatever the caller's clock says.
    await db
      .updateTable('leases')
      .set({ expires_at: before - 1 })
      .where('name', '=', 'scan')
      .execute();
    expect(await acquireNamedLease(db, 'scan', 'c', 60_000)).toBe(true);
  });

  it("a job's lease: renewed only for its holder while running, held until exactly its end, on either clock", async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      ['a', 'b', 'c'].map((key) => anyJob({ kind: 'k', key, payload: {} })),
      T,
    );
    const [a, b, c] = await claimJobs(db, store.dialect, 'w', 3, 1000, T);
    expect(await extendLeases(db, [], 'w', 5000, T)).toEqual(new Set());
    await retryJob(db, c!.id, 'w', T, 'back', T);
    expect(await extendLeases(db, [a!.id, b!.id, c!.id], 'w', 5000, T + 100)).toEqual(new Set([a!.id, b!.id]));
    expect(await extendLeases(db, [a!.id], 'other', 9000, T + 100)).toEqual(new Set());
    expect(await jobRow(db, 'a')).toMatchObject({ locked_until: T + 5100, locked_by: 'w' });
    expect(await jobRow(db, 'c')).toMatchObject({ locked_until: null, state: 'ready' });
    expect(await holdsLease(db, a!.id, 'w', T + 5099)).toBe(true);
    expect(await holdsLease(db, a!.id, 'w', T + 5100)).toBe(false);
    expect(await holdsLease(db, a!.id, 'other', T)).toBe(false);
    expect(await holdsLease(db, c!.id, 'w', T)).toBe(false);
    // On the database's clock: renewed from the database's now.
    const before = await readDbClock(db);
    expect(await extendLeases(db, [b!.id], 'w', 60_000, 'db')).toEqual(new Set([b!.id]));
    const after = await readDbClock(db);
    const until = (await jobRow(db, 'b')).locked_until!;
    expect(until).toBeGreaterThanOrEqual(before + 60_000);
    expect(until).toBeLessThanOrEqual(after + 60_000);
    expect(await holdsLease(db, b!.id, 'w', 'db')).toBe(true);
    expect(await holdsLease(db, a!.id, 'w', 'db')).toBe(false);
  });

  it('expired leases reclaimed: the job ready again with a crash counted; one at its crash or attempt limit dead-lettered with why', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      [
        anyJob({ kind: 'k', key: 'fresh', payload: { n: 1 } }),
        anyJob({ kind: 'k', key: 'crashy', payload: { n: 2 }, queueKey: 'case:9' }),
        anyJob({ kind: 'k', key: 'spent', payload: { n: 3 }, maxAttempts: 1 }),
        anyJob({ kind: 'k', key: 'alive', payload: {} }),
        anyJob({ kind: 'k', key: 'edge', payload: {} }),
      ],
      T - 100,
    );
    await db
      .updateTable('jobs')
      .set({ crashes: DEFAULT_MAX_CRASHES - 1 })
      .where('key', '=', 'crashy')
      .execute();
    await db.updateTable('jobs').set({ last_error: 'HTTP 500' }).where('key', '=', 'spent').execute();
    const claimed = await claimJobs(db, store.dialect, 'w', 5, 0, T - 100);
    expect(claimed).toHaveLength(5);
    // Lease ends: 'alive' after the reclaim's now, 'edge' exactly at it, the others before.
    const until = { fresh: T - 50, crashy: T - 50, spent: T - 1, alive: T + 1, edge: T };
    for (const [key, at] of Object.entries(until))
      await db.updateTable('jobs').set({ locked_until: at }).where('key', '=', key).execute();
    expect(await reclaimExpiredLeases(db, T)).toBe(3);
    expect(await jobRow(db, 'fresh')).toEqual({
      state: 'ready',
      run_at: T - 100,
      attempts: 1,
      crashes: 1,
      locked_by: null,
      locked_until: null,
      last_error: null,
      updated_at: T,
    });
    for (const key of ['alive', 'edge'])
      expect(await jobRow(db, key)).toMatchObject({ state: 'running', locked_by: 'w', crashes: 0 });
    const why = (crashes: number, attempts: number, last: string) =>
      `its worker stopped while running it (process killed or lease expired) ${crashes} time(s), after ${attempts} attempt(s); dead-lettered so it cannot take the worker down again. Last error: ${last}`;
    expect(await jobRow(db, 'crashy')).toEqual({
      state: 'dead',
      run_at: T - 100,
      attempts: 1,
      crashes: DEFAULT_MAX_CRASHES,
      locked_by: null,
      locked_until: null,
      last_error: why(DEFAULT_MAX_CRASHES, 1, 'none'),
      updated_at: T,
    });
    expect(await jobRow(db, 'spent')).toMatchObject({ state: 'dead', crashes: 1, last_error: why(1, 1, 'HTTP 500') });
    const ids = Object.fromEntries(claimed.map((j) => [j.key, j.id]));
    expect(await letters(db)).toEqual(
      expect.arrayContaining([
        {
          job_id: ids.crashy,
          kind: 'k',
          key: 'crashy',
          queue_key: 'case:9',
          payload: '{"n":2}',
          error: why(DEFAULT_MAX_CRASHES, 1, 'none'),
          attempts: 1,
          failed_at: T,
          replayed_at: null,
        },
        {
          job_id: ids.spent,
          kind: 'k',
          key: 'spent',
          queue_key: null,
          payload: '{"n":3}',
          error: why(1, 1, 'HTTP 500'),
          attempts: 1,
          failed_at: T,
          replayed_at: null,
        },
      ]),
    );
    expect(await letters(db)).toHaveLength(2);
    // Nothing expired: nothing changed, no dead letter written.
    expect(await reclaimExpiredLeases(db, T)).toBe(0);
    expect(await recoverCrashedJobs(db, { all: false, now: T })).toEqual({ ready: 0, dead: 0 });
    // A limit of crashes given (2, not the default 3): 'alive', which crashed once before, dies at its second.
    await db.updateTable('jobs').set({ crashes: 1 }).where('key', '=', 'alive').execute();
    expect(await recoverCrashedJobs(db, { all: false, now: T + 2, maxCrashes: 2 })).toEqual({ ready: 1, dead: 1 });
    expect(await jobRow(db, 'alive')).toMatchObject({ state: 'dead', crashes: 2 });
    expect(await jobRow(db, 'edge')).toMatchObject({ state: 'ready', crashes: 1, run_at: T - 100, updated_at: T + 2 });
  });

  it('reclaim on the database clock: a lease still running there is kept whatever the caller says; one over is taken back', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      ['running', 'over'].map((key) => anyJob({ kind: 'k', key, payload: {} })),
      T,
    );
    await claimJobs(db, store.dialect, 'w', 2, 60_000, T, 'db');
    const now = await readDbClock(db);
    await db
      .updateTable('jobs')
      .set({ locked_until: now - 1000 })
      .where('key', '=', 'over')
      .execute();
    // The caller's clock far ahead would take both; on the database's clock only the one that is over.
    expect(await reclaimExpiredLeases(db, now + 3_600_000, 1, 'db')).toBe(1);
    expect(await jobRow(db, 'over')).toMatchObject({ state: 'dead', crashes: 1 });
    expect(await jobRow(db, 'running')).toMatchObject({ state: 'running', crashes: 0 });
    expect(await reclaimExpiredLeases(db, now + 3_600_000, 1)).toBe(1);
    expect(await jobRow(db, 'running')).toMatchObject({ state: 'dead' });
  });

  it("orphaned leases at start-up (SQLite's one process): every running job back now or dead, whatever its lease; none on PostgreSQL", async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      [
        anyJob({ kind: 'k', key: 'later', payload: {}, runAt: T }),
        anyJob({ kind: 'k', key: 'doomed', payload: {} }),
        anyJob({ kind: 'k', key: 'waiting', payload: {}, runAt: T + 10_000_000 }),
      ],
      T - 100,
    );
    const [later, doomed] = await claimJobs(db, store.dialect, 'w', 2, 3_600_000, T);
    expect([later!.key, doomed!.key].sort()).toEqual(['doomed', 'later']);
    await db.updateTable('jobs').set({ crashes: 1 }).where('key', '=', 'doomed').execute();
    await db
      .updateTable('jobs')
      .set({ run_at: T - 50 })
      .where('key', '=', 'later')
      .execute();
    const n = await releaseOrphanedLeases(db, T + 5, 2);
    if (kind === 'postgres') {
      expect(n).toBe(0);
      expect(await jobRow(db, 'later')).toMatchObject({ state: 'running' });
      return;
    }
    expect(n).toBe(2);
    expect(await jobRow(db, 'later')).toMatchObject({
      state: 'ready',
      run_at: T + 5,
      crashes: 1,
      locked_by: null,
      updated_at: T + 5,
    });
    expect(await jobRow(db, 'doomed')).toMatchObject({ state: 'dead', crashes: 2 });
    expect(await jobRow(db, 'waiting')).toMatchObject({ state: 'ready', run_at: T + 10_000_000, crashes: 0 });
    expect(await letters(db)).toHaveLength(1);
    expect(await releaseOrphanedLeases(db, T + 6)).toBe(0);
  });
});
