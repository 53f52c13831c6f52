import { caseRecord } from '../../../test/helpers/caseRecord.ts';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { expect, it, vi } from 'vitest';
import { anyJob } from '../../../test/helpers/anyJob.ts';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { Store } from '../db.ts';
import { enqueueJobs, JOBS_CHANNEL } from './enqueueJobs.ts';
import { claimJobs } from './claimJobs.ts';
import { deadLetterJob } from './deadLetterJob.ts';
import { countDueJobs } from './countDueJobs.ts';
import { makeDueAfterOutage } from './makeDueAfterOutage.ts';
import { parkJob } from './parkJob.ts';
import { clickUpBudgetFor, takeClickUpBudget } from './takeClickUpBudget.ts';
import { pingStore } from './pingStore.ts';
import { listAppliedMigrations } from './appliedMigrations.ts';
import { listDeadLetterDetails } from './listDeadLetterDetails.ts';
import { hasOpenDeadLetter } from './findOpenDeadLetter.ts';
import { dueBacklog, summarizeQueue } from './summarizeQueue.ts';
import { countGauges } from './countGauges.ts';
import { saveCase } from './cases.ts';
import { saveCaseSla } from './saveCaseSla.ts';
import type { CaseRecord } from '../../core/case.ts';

// The store's small reads and writes the engine, the health view and the ClickUp limiter use (storeReads in
// scripts/mutate.mjs): each answer and each row it writes checked whole, on both stores.
const { describeStores, make } = await storesUnderTest('src/store/ops/storeReads.test.ts');

const T = 1_700_000_000_000;

function aCase(id: string, over: Partial<CaseRecord> = {}): CaseRecord {
  return caseRecord(id, over);
}

const jobRow = async (store: Store, key: string) =>
  store.db
    .selectFrom('jobs')
    .select(['state', 'run_at', 'attempts', 'locked_by', 'locked_until', 'last_error', 'waiting_on', 'updated_at'])
    .where('key', '=', key)
    .executeTakeFirstOrThrow()
    .then((r) => ({
      ...r,
      run_at: Number(r.run_at),
      attempts: Number(r.attempts),
      locked_until: r.locked_until === null ? null : Number(r.locked_until),
      updated_at: Number(r.updated_at),
    }));

describeStores('store reads on %s', (kind) => {
  it('countDueJobs: ready and running jobs due by the time asked, not waiting, dead or done ones', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await countDueJobs(db, T)).toBe(0);
    await enqueueJobs(
      db,
      ['run', 'due', 'at', 'later', 'dead', 'done'].map((key) =>
        anyJob({ kind: 'k', key, payload: {}, runAt: key === 'later' ? T + 10 : key === 'at' ? T + 5 : T }),
      ),
      T,
    );
    await enqueueJobs(db, [anyJob({ kind: 'k', key: 'parked', payload: {} })], T, 10, 'waiting');
    await db.updateTable('jobs').set({ state: 'running', locked_by: 'w' }).where('key', '=', 'run').execute();
    await db.updateTable('jobs').set({ state: 'dead' }).where('key', '=', 'dead').execute();
    await db.updateTable('jobs').set({ state: 'done' }).where('key', '=', 'done').execute();
    expect(await countDueJobs(db, T)).toBe(2);
    expect(await countDueJobs(db, T + 4)).toBe(2);
    expect(await countDueJobs(db, T + 5)).toBe(3);
    expect(await countDueJobs(db, T + 10)).toBe(4);
  });

  it('makeDueAfterOutage: only the ready jobs waiting on that remote and not yet due; announced when there are any', async () => {
    const { store } = await make(kind);
    const db = store.db;
    // SQLite has no announcer: one stands in so the decision to announce is seen on both stores.
    if (!store.announce) store.announce = () => {};
    await enqueueJobs(
      db,
      ['a', 'b', 'due', 'other', 'running', 'none'].map((key) =>
        anyJob({ kind: 'k', key, payload: {}, runAt: T + 60_000 }),
      ),
      T,
    );
    await db
      .updateTable('jobs')
      .set({ waiting_on: 'clickup' })
      .where('key', 'in', ['a', 'b', 'due', 'running'])
      .execute();
    await db.updateTable('jobs').set({ waiting_on: 'tradinggrid' }).where('key', '=', 'other').execute();
    await db
      .updateTable('jobs')
      .set({ run_at: T + 100 })
      .where('key', '=', 'due')
      .execute();
    await db.updateTable('jobs').set({ state: 'running' }).where('key', '=', 'running').execute();
    const announced = vi.spyOn(store as Required<Pick<Store, 'announce'>>, 'announce');
    expect(await makeDueAfterOutage(db, 'clickup', T + 100)).toBe(2);
    expect(announced.mock.calls).toEqual([[JOBS_CHANNEL]]);
    const runAt = Object.fromEntries(
      (await db.selectFrom('jobs').select(['key', 'run_at', 'waiting_on', 'attempts']).execute()).map((r) => [
        r.key,
        [Number(r.run_at), r.waiting_on, Number(r.attempts)],
      ]),
    );
    expect(runAt).toEqual({
      a: [T + 100, 'clickup', 0],
      b: [T + 100, 'clickup', 0],
      due: [T + 100, 'clickup', 0],
      other: [T + 60_000, 'tradinggrid', 0],
      running: [T + 60_000, 'clickup', 0],
      none: [T + 60_000, null, 0],
    });
    // Nothing left to make due: nothing announced.
    expect(await makeDueAfterOutage(db, 'clickup', T + 100)).toBe(0);
    expect(await makeDueAfterOutage(db, 'nobody', T)).toBe(0);
    expect(announced).toHaveBeenCalledTimes(1);
  });

  it("parkJob: a leased job parked with its attempt given back; not another worker's, not one no longer running", async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      [anyJob({ kind: 'k', key: 'p', payload: {} }), anyJob({ kind: 'k', key: 'q', payload: {} })],
      T,
    );
    await db.updateTable('jobs').set({ waiting_on: 'clickup' }).where('key', '=', 'p').execute();
    const claimed = await claimJobs(db, store.dialect, 'w', 2, 10_000, T);
    const id = (key: string) => claimed.find((j) => j.key === key)!.id;
    const before = await jobRow(store, 'p');
    expect(await db.transaction().execute((trx) => parkJob(trx, id('p'), 'other', 'held', T + 1))).toBe(false);
    expect(await jobRow(store, 'p')).toEqual(before);
    expect(await db.transaction().execute((trx) => parkJob(trx, id('p'), 'w', 'case held: no task yet', T + 2))).toBe(
      true,
    );
    expect(await jobRow(store, 'p')).toEqual({
      state: 'waiting',
      run_at: T,
      attempts: 0,
      locked_by: null,
      locked_until: null,
      last_error: 'case held: no task yet',
      waiting_on: null,
      updated_at: T + 2,
    });
    // Parked already (no longer running): a second park changes nothing.
    expect(await db.transaction().execute((trx) => parkJob(trx, id('p'), 'w', 'again', T + 3))).toBe(false);
    expect((await jobRow(store, 'p')).last_error).toBe('case held: no task yet');
    // Its lease lost to a done state under the same worker: not parked either.
    await db.updateTable('jobs').set({ state: 'done' }).where('key', '=', 'q').execute();
    expect(await db.transaction().execute((trx) => parkJob(trx, id('q'), 'w', 'x', T + 4))).toBe(false);
    expect((await jobRow(store, 'q')).state).toBe('done');
  });

  it('takeClickUpBudget: all or none, capped at the limit, a new window on expiry, aligned with the remote within one window', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const row = async (key: string) =>
      (
        await sql<{
          window_ends_at: number;
          used: number;
          updated_at: number;
        }>`SELECT window_ends_at, used, updated_at FROM clickup_budget WHERE token_key = ${key}`.execute(db)
      ).rows.map((r) => [Number(r.window_ends_at), Number(r.used), Number(r.updated_at)]);
    // More units than the limit take the whole limit; fewer than one take one.
    expect(await takeClickUpBudget(db, 'k1', 5, 1000, T, 9)).toEqual({ until: T + 1000 });
    expect(await row('k1')).toEqual([[T + 1000, 5, T]]);
    expect(await takeClickUpBudget(db, 'k1', 5, 1000, T + 10, 1)).toEqual({ wait: 990 });
    expect(await row('k1')).toEqual([[T + 1000, 5, T]]);
    expect(await takeClickUpBudget(db, 'k2', 5, 1000, T, 0)).toEqual({ until: T + 1000 });
    expect(await takeClickUpBudget(db, 'k2', 5, 1000, T + 1, 4)).toEqual({ until: T + 1000 });
    expect(await row('k2')).toEqual([[T + 1000, 5, T + 1]]);
    // The window's last millisecond still waits (1 ms at least); at its end a new one starts with the units taken.
    expect(await takeClickUpBudget(db, 'k2', 5, 1000, T + 999, 1)).toEqual({ wait: 1 });
    expect(await takeClickUpBudget(db, 'k2', 5, 1000, T + 1000, 2)).toEqual({ until: T + 2000 });
    expect(await row('k2')).toEqual([[T + 2000, 2, T + 1000]]);
    expect(await takeClickUpBudget(db, 'k2', 5, 1000, T + 1001, 3)).toEqual({ until: T + 2000 });
    expect(await row('k2')).toEqual([[T + 2000, 5, T + 1001]]);
    // The remote's end: exactly one window ahead is taken (rounded), one past it or not ahead of now is not.
    expect(await takeClickUpBudget(db, 'r1', 5, 1000, T, 1, T + 1000)).toEqual({ until: T + 1000 });
    expect(await takeClickUpBudget(db, 'r2', 5, 1000, T, 1, T + 300.4)).toEqual({ until: T + 300 });
    expect(await takeClickUpBudget(db, 'r3', 5, 1000, T, 1, T + 1001)).toEqual({ until: T + 1000 });
    expect(await takeClickUpBudget(db, 'r4', 5, 1000, T, 1, T)).toEqual({ until: T + 1000 });
    expect(await takeClickUpBudget(db, 'r5', 5, 1000, T, 1, Number.NaN)).toEqual({ until: T + 1000 });
    expect(await takeClickUpBudget(db, 'r6', 5, 1000, T, 1, T + 1)).toEqual({ until: T + 1 });
    expect(await row('r6')).toEqual([[T + 1, 1, T]]);
    // By the token's hash, never the token; the clock asked at each take.
    let now = T;
    const b = clickUpBudgetFor(db, 'pk_secret', () => now);
    expect(await b.take(2, 500, 2, T + 100)).toEqual({ until: T + 100 });
    now = T + 40;
    expect(await b.take(2, 500, 1)).toEqual({ wait: 60 });
    const key = createHash('sha256').update('pk_secret').digest('hex');
    expect(await row(key)).toEqual([[T + 100, 2, T]]);
    expect(
      (await sql<{ token_key: string }>`SELECT token_key FROM clickup_budget`.execute(db)).rows
        .map((r) => r.token_key)
        .sort(),
    ).toEqual(['k1', 'k2', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', key].sort());
  });

  it('takeClickUpBudget: a token whose row is gone between the two statements waits at least a millisecond', async () => {
    const { store } = await make(kind);
    // The upsert refused (the window full), the row not found by the read after it: the wait falls back to 1 ms.
    let statements = 0;
    const db = store.db.withPlugin({
      transformQuery: (a) => a.node,
      transformResult: (a) => Promise.resolve(++statements === 2 ? { ...a.result, rows: [] } : a.result),
    });
    expect(await takeClickUpBudget(store.db, 'g', 1, 1000, T, 1)).toEqual({ until: T + 1000 });
    expect(await takeClickUpBudget(db, 'g', 1, 1000, T + 5, 1)).toEqual({ wait: 1 });
  });

  it('pingStore answers, listAppliedMigrations lists every migration in order with its time', async () => {
    const { store } = await make(kind);
    await expect(pingStore(store.db)).resolves.toBeUndefined();
    const applied = await listAppliedMigrations(store.db);
    const names = applied.map((m) => m.name);
    expect(names[0]).toBe('001_initial');
    expect(names).toContain('024_job_claims');
    expect([...names].sort()).toEqual(names);
    expect(Object.keys(applied[0]!).sort()).toEqual(['name', 'timestamp']);
    for (const m of applied) expect(Number.isNaN(new Date(m.timestamp).getTime())).toBe(false);
  });

  it('pingStore throws when the store cannot be reached', async () => {
    const { store } = await make(kind);
    const broken = store.db.withPlugin({
      transformQuery: (a) => a.node,
      transformResult: () => Promise.reject(new Error('connection refused')),
    });
    await expect(pingStore(broken)).rejects.toThrow('connection refused');
  });

  it('dead letters: the newest first, a limit, by id whether replayed or not, a queue key that is not a case', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      [
        anyJob({ kind: 'a', key: 'x', payload: { n: 1 }, queueKey: 'partner:P-1' }),
        anyJob({ kind: 'a', key: 'y', payload: {} }),
        anyJob({ kind: 'b', key: 'z', payload: {}, queueKey: 'case:C-9' }),
      ],
      T,
    );
    const claimed = await claimJobs(db, store.dialect, 'w', 3, 10_000, T);
    const id = (key: string) => claimed.find((j) => j.key === key)!.id;
    for (const [i, key] of ['x', 'y', 'z'].entries()) await deadLetterJob(db, id(key), 'w', `err ${key}`, T + i);
    const all = await listDeadLetterDetails(db);
    expect(all.map((d) => [d.key, d.caseId, d.failedAt, d.jobState])).toEqual([
      ['z', 'C-9', T + 2, 'dead'],
      ['y', null, T + 1, 'dead'],
      ['x', null, T, 'dead'],
    ]);
    expect((await listDeadLetterDetails(db, { limit: 2 })).map((d) => d.key)).toEqual(['z', 'y']);
    // Replayed: out of the default list, in with includeReplayed, and by its id.
    const zId = all[0]!.id;
    await db
      .updateTable('dead_letters')
      .set({ replayed_at: T + 9 })
      .where('id', '=', zId)
      .execute();
    await db.deleteFrom('jobs').where('key', '=', 'z').execute();
    expect((await listDeadLetterDetails(db)).map((d) => d.key)).toEqual(['y', 'x']);
    // The gauges and the queue summary count the dead letters not replayed yet.
    expect((await countGauges(db)).deadLettersPending).toBe(2);
    expect((await summarizeQueue(db, T)).deadLettersOpen).toBe(2);
    expect((await listDeadLetterDetails(db, { includeReplayed: true })).map((d) => d.key)).toEqual(['z', 'y', 'x']);
    expect(await listDeadLetterDetails(db, { id: zId })).toEqual([
      {
        id: zId,
        jobId: id('z'),
        kind: 'b',
        key: 'z',
        caseId: 'C-9',
        payload: '{}',
        error: 'err z',
        attempts: 1,
        failedAt: T + 2,
        replayedAt: T + 9,
        // Its job gone: no state, no error.
        jobState: null,
        jobLastError: null,
      },
    ]);
    expect(await listDeadLetterDetails(db, { id: zId + 100 })).toEqual([]);
    expect(await hasOpenDeadLetter(db, 'b', 'err z')).toBe(false);
    expect(await hasOpenDeadLetter(db, 'a', 'err y')).toBe(true);
  });

  it('queue summary and gauges: running and waiting jobs, an empty queue, cases by SLA state while open and active', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await summarizeQueue(db, T)).toEqual({
      ready: 0,
      due: 0,
      running: 0,
      dead: 0,
      waiting: 0,
      oldestDueAgeMs: 0,
      deadLettersOpen: 0,
      byKind: [],
    });
    expect(await dueBacklog(db, T)).toEqual({ due: 0, oldestDueAgeMs: 0 });
    expect(await countGauges(db)).toEqual({
      jobsByState: [],
      deadLettersPending: 0,
      casesByState: [],
      casesBySlaState: [],
    });
    await enqueueJobs(
      db,
      [
        anyJob({ kind: 'a', key: 'r1', payload: {}, runAt: T - 50 }),
        // A second due job, younger: the oldest age is the older one's (min, not max, of the due times).
        anyJob({ kind: 'a', key: 'r0', payload: {}, runAt: T - 30 }),
        anyJob({ kind: 'a', key: 'r2', payload: {}, runAt: T + 50 }),
        anyJob({ kind: 'a', key: 'run', payload: {} }),
        anyJob({ kind: 'b', key: 'done', payload: {} }),
      ],
      T - 100,
    );
    await enqueueJobs(db, [anyJob({ kind: 'b', key: 'w', payload: {} })], T, 10, 'waiting');
    await db
      .updateTable('jobs')
      .set({ state: 'running', run_at: T - 80 })
      .where('key', '=', 'run')
      .execute();
    await db.updateTable('jobs').set({ state: 'done' }).where('key', '=', 'done').execute();
    const sorted = <X extends { kind: string; state: string }>(xs: X[]) =>
      [...xs].sort((x, y) => `${x.kind}${x.state}`.localeCompare(`${y.kind}${y.state}`));
    const q = await summarizeQueue(db, T);
    expect({ ...q, byKind: sorted(q.byKind) }).toEqual({
      ready: 3,
      due: 2,
      running: 1,
      dead: 0,
      waiting: 1,
      oldestDueAgeMs: 50,
      deadLettersOpen: 0,
      byKind: [
        { kind: 'a', state: 'ready', n: 3 },
        { kind: 'a', state: 'running', n: 1 },
        { kind: 'b', state: 'waiting', n: 1 },
      ],
    });
    // A due job whose time is ahead of the clock handed in (a clock read earlier): never a negative age.
    expect(await dueBacklog(db, T - 50)).toEqual({ due: 1, oldestDueAgeMs: 0 });
    expect((await summarizeQueue(db, T - 50)).oldestDueAgeMs).toBe(0);
    expect(await dueBacklog(db, T)).toEqual({ due: 2, oldestDueAgeMs: 50 });

    await saveCase(db, aCase('open-1'));
    await saveCase(db, aCase('open-2'));
    await saveCase(db, aCase('open-3'));
    await saveCase(db, aCase('held', { state: 'needs_mapping' }));
    await saveCase(db, aCase('resolved', { partnerStatus: 'resolved', resolvedAt: T }));
    for (const [caseId, state] of [
      ['open-1', 'breached'],
      ['open-2', 'breached'],
      ['open-3', 'on_track'],
      ['held', 'at_risk'],
      ['resolved', 'met'],
    ] as const)
      await saveCaseSla(db, { caseId, state, policy: 'default', share: 0.5 }, T);
    const g = await countGauges(db);
    expect({
      ...g,
      jobsByState: sorted(g.jobsByState),
      casesByState: [...g.casesByState].sort((x, y) =>
        `${x.state}${x.partnerStatus}`.localeCompare(`${y.state}${y.partnerStatus}`),
      ),
      casesBySlaState: [...g.casesBySlaState].sort((x, y) => x.state.localeCompare(y.state)),
    }).toEqual({
      jobsByState: [
        { kind: 'a', state: 'ready', n: 3 },
        { kind: 'a', state: 'running', n: 1 },
        { kind: 'b', state: 'done', n: 1 },
        { kind: 'b', state: 'waiting', n: 1 },
      ],
      deadLettersPending: 0,
      casesByState: [
        { state: 'active', partnerStatus: 'received', n: 3 },
        { state: 'active', partnerStatus: 'resolved', n: 1 },
        { state: 'needs_mapping', partnerStatus: 'received', n: 1 },
      ],
      casesBySlaState: [
        { state: 'breached', n: 2 },
        { state: 'on_track', n: 1 },
      ],
    });
  });
});
