import { sql, type Kysely } from 'kysely';
import { expect, it, vi } from 'vitest';
import { anyJob } from '../../../test/helpers/anyJob.ts';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { boundedKey } from '../../core/boundedKey.ts';
import type { Database } from '../schema.ts';
import { COMPLETE_JOB } from '../fastPath/statements.ts';
import { enqueueJobs, JOBS_CHANNEL } from './enqueueJobs.ts';
import type { Store } from '../db.ts';
import { collectFoldable } from '../foldedCommit.ts';
import { claimJobs } from './claimJobs.ts';
import { completeJob, completeJobs, jobSavepoint } from './completeJob.ts';
import { retryJob } from './retryJob.ts';
import { deadLetterJob } from './deadLetterJob.ts';
import { listDeadLetters, replayDeadLetter } from './replayDeadLetter.ts';
import { advanceReadyJob, enqueueOrMakeDue } from './advanceReadyJob.ts';

// The job queue's store operations, each checked by the rows it leaves (both stores): what a job is stored
// as, what each guarded state change writes and refuses, the dead letters and their replay. `npm run mutate
// storeQueue` measures them with this file (docs/TESTING.md lists what survives and why).
const { describeStores, make } = await storesUnderTest('src/store/ops/jobQueue.test.ts');

const T = 1_700_000_000_000;
const LONG = `case-${'x'.repeat(300)}`;

async function job(db: Kysely<Database>, key: string) {
  const r = await db
    .selectFrom('jobs')
    .select([
      'kind',
      'key',
      'queue_key',
      'payload',
      'state',
      'run_at',
      'attempts',
      'max_attempts',
      'locked_by',
      'locked_until',
      'last_error',
      'failing_since',
      'crashes',
      'created_at',
      'updated_at',
    ])
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  const n = (v: unknown) => (v === null ? null : Number(v));
  return {
    ...r,
    run_at: n(r.run_at),
    locked_until: n(r.locked_until),
    failing_since: n(r.failing_since),
    created_at: n(r.created_at),
    updated_at: n(r.updated_at),
    attempts: Number(r.attempts),
    max_attempts: Number(r.max_attempts),
    crashes: Number(r.crashes),
  };
}

async function deadLetterRows(db: Kysely<Database>) {
  return (await db.selectFrom('dead_letters').selectAll().orderBy('id').execute()).map((d) => ({
    ...d,
    id: Number(d.id),
    job_id: Number(d.job_id),
    attempts: Number(d.attempts),
    failed_at: Number(d.failed_at),
    replayed_at: d.replayed_at === null ? null : Number(d.replayed_at),
  }));
}

describeStores('job queue on %s', (kind) => {
  it('enqueue: each job stored whole (defaults filled in, long keys bounded), a repeated key skipped, the new ones counted', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await enqueueJobs(db, [], T)).toBe(0);
    expect(
      await enqueueJobs(
        db,
        [
          anyJob({ kind: 'a', key: 'plain', payload: { n: 1, s: 'é' } }),
          anyJob({ kind: 'b', key: LONG, queueKey: LONG, payload: [], runAt: T + 50, maxAttempts: 3 }),
          anyJob({ kind: 'c', key: 'queued', queueKey: 'case:1', payload: null }),
        ],
        T,
      ),
    ).toBe(3);
    const base = {
      state: 'ready',
      attempts: 0,
      locked_by: null,
      locked_until: null,
      last_error: null,
      failing_since: null,
      crashes: 0,
      created_at: T,
      updated_at: T,
    };
    expect(await job(db, 'plain')).toEqual({
      ...base,
      kind: 'a',
      key: 'plain',
      queue_key: null,
      payload: '{"n":1,"s":"é"}',
      run_at: T,
      max_attempts: 10,
    });
    expect(boundedKey(LONG)).not.toBe(LONG);
    expect(await job(db, boundedKey(LONG))).toEqual({
      ...base,
      kind: 'b',
      key: boundedKey(LONG),
      queue_key: boundedKey(LONG),
      payload: '[]',
      run_at: T + 50,
      max_attempts: 3,
    });
    expect(await job(db, 'queued')).toMatchObject({ queue_key: 'case:1', payload: 'null' });
    // A key already queued is skipped (the first job stays as it was); only the new one is counted. The
    // caller's default of attempts applies to a job that names none.
    expect(
      await enqueueJobs(
        db,
        [
          anyJob({ kind: 'z', key: 'plain', payload: { other: true } }),
          anyJob({ kind: 'z', key: LONG, payload: {} }),
          anyJob({ kind: 'd', key: 'fresh', payload: {} }),
        ],
        T + 7,
        4,
      ),
    ).toBe(1);
    expect(await job(db, 'plain')).toMatchObject({ kind: 'a', payload: '{"n":1,"s":"é"}', created_at: T });
    expect(await job(db, 'fresh')).toMatchObject({ max_attempts: 4, run_at: T + 7, created_at: T + 7 });
    expect(await db.selectFrom('jobs').select('id').execute()).toHaveLength(4);
  });

  it('enqueue announces new ready jobs to idle workers: once per statement that queued one, after the commit of a transaction; not for repeats alone or parked jobs', async () => {
    const { store } = await make(kind);
    const db = store.db;
    // SQLite has no announcer (one process, no other instance to wake): one stands in so the decision, the same on
    // both stores, is seen; on PostgreSQL the store's own is watched.
    if (!store.announce) store.announce = () => {};
    const announced = vi.spyOn(store as Required<Pick<Store, 'announce'>>, 'announce');
    const one = (key: string) => anyJob({ kind: 'k', key, payload: {} });
    expect(await enqueueJobs(db, [one('a')], T)).toBe(1);
    expect(announced.mock.calls).toEqual([[JOBS_CHANNEL]]);
    // A repeat alone: nothing new to claim.
    expect(await enqueueJobs(db, [one('a')], T)).toBe(0);
    // Parked jobs are not claimable: nothing to wake a worker for.
    expect(await enqueueJobs(db, [one('parked'), one('parked-too')], T, 10, 'waiting')).toBe(2);
    expect(announced).toHaveBeenCalledTimes(1);
    // Several in one statement, one of them new: announced once.
    expect(await enqueueJobs(db, [one('a'), one('b'), one('parked')], T)).toBe(1);
    expect(announced).toHaveBeenCalledTimes(2);
    // In a transaction: noted, and announced after its commit (PostgreSQL's driver); SQLite's have nothing to wake.
    let inTransaction = -1;
    await db.transaction().execute(async (trx) => {
      expect(await enqueueJobs(trx, [one('c')], T)).toBe(1);
      inTransaction = announced.mock.calls.length;
    });
    expect(inTransaction).toBe(2);
    expect(announced).toHaveBeenCalledTimes(kind === 'postgres' ? 3 : 2);
    // Rolled back: nothing announced.
    await expect(
      db.transaction().execute(async (trx) => {
        await enqueueJobs(trx, [one('d')], T);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(announced).toHaveBeenCalledTimes(kind === 'postgres' ? 3 : 2);
    expect(announced.mock.calls.every((c) => c.length === 1 && c[0] === JOBS_CHANNEL)).toBe(true);
    expect((await db.selectFrom('jobs').select('key').orderBy('key').execute()).map((r) => r.key)).toEqual([
      'a',
      'b',
      'c',
      'parked',
      'parked-too',
    ]);
  });

  it("enqueue inside a folded completion: the insert handed to the completion's statement, the jobs asked for counted, announced after it only when one is ready", async () => {
    const { store } = await make(kind);
    const sinkOf = (jobs: Array<[string, 'ready' | 'waiting']>) =>
      collectFoldable(async (trx) => {
        for (const [key, state] of jobs)
          expect(await enqueueJobs(trx, [anyJob({ kind: 'k', key, payload: { key } })], T, 10, state)).toBe(1);
      });
    const waiting = await sinkOf([['w', 'waiting']]);
    expect(waiting).toMatchObject({ queuesJobs: false, unfoldable: false });
    expect(waiting!.writes).toHaveLength(1);
    expect(waiting!.writes[0]!.sql).toMatch(/^insert into "jobs"/);
    expect(waiting!.writes[0]!.parameters).toEqual(['k', 'w', null, '{"key":"w"}', 'waiting', T, 0, 10, T, T]);
    expect(await sinkOf([['r', 'ready']])).toMatchObject({ queuesJobs: true });
    // Once a ready job is queued, a parked one after it does not take the announcement back.
    expect(
      await sinkOf([
        ['r', 'ready'],
        ['w', 'waiting'],
      ]),
    ).toMatchObject({ queuesJobs: true });
    expect(
      await sinkOf([
        ['w', 'waiting'],
        ['r', 'ready'],
      ]),
    ).toMatchObject({ queuesJobs: true });
    // Several jobs in one call: one insert of them all, each counted whether new or not (it has not run yet).
    const several = await collectFoldable(async (trx) => {
      const jobs = ['x', 'y', 'x'].map((key) => anyJob({ kind: 'k', key, payload: {} }));
      expect(await enqueueJobs(trx, jobs, T)).toBe(3);
    });
    expect(several).toMatchObject({ queuesJobs: true, unfoldable: false });
    expect(several!.writes).toHaveLength(1);
    expect(several!.writes[0]!.parameters.filter((v) => v === 'x' || v === 'y')).toEqual(['x', 'y', 'x']);
    // Nothing reached the store.
    expect(await store.db.selectFrom('jobs').select('key').execute()).toEqual([]);
  });

  it('claim: due jobs in run_at then id order up to the limit, one at a time per queue key, leased and counted', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      [
        anyJob({ kind: 'k', key: 'q1', queueKey: 'case:1', payload: {} }),
        anyJob({ kind: 'k', key: 'q2', queueKey: 'case:1', payload: {} }),
        anyJob({ kind: 'k', key: 'late', payload: {}, runAt: T + 1000 }),
        anyJob({ kind: 'k', key: 'early', payload: {}, runAt: T - 5 }),
        anyJob({ kind: 'k', key: 'free', payload: {} }),
      ],
      T,
    );
    // Which jobs were taken is the order's work; the rows come back in no particular order (PostgreSQL).
    const first = (await claimJobs(db, store.dialect, 'w1', 2, 500, T)).sort((x, y) => x.key.localeCompare(y.key));
    expect(first.map((j) => [j.key, j.state, j.locked_by, Number(j.locked_until), j.attempts])).toEqual([
      ['early', 'running', 'w1', T + 500, 1],
      ['q1', 'running', 'w1', T + 500, 1],
    ]);
    expect(first.every((j) => typeof j.id === 'number')).toBe(true);
    // q2 waits behind q1 (same queue key, unfinished); 'late' is not due.
    const second = await claimJobs(db, store.dialect, 'w2', 10, 500, T);
    expect(second.map((j) => j.key)).toEqual(['free']);
    expect(await claimJobs(db, store.dialect, 'w2', 10, 500, T)).toEqual([]);
    expect(await completeJob(db, first[1]!.id, 'w1', T + 1)).toBe(true);
    expect(
      (await claimJobs(db, store.dialect, 'w2', 10, 500, T + 2)).map((j) => [j.key, Number(j.locked_until)]),
    ).toEqual([['q2', T + 502]]);
    expect((await claimJobs(db, store.dialect, 'w3', 10, 500, T + 1000)).map((j) => j.key)).toEqual(['late']);
  });

  it('claim on SQLite runs its cached statement on the raw connection; inside a transaction the same text through Kysely', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      [anyJob({ kind: 'k', key: 'a', payload: {} }), anyJob({ kind: 'k', key: 'b', payload: {} })],
      T,
    );
    if (store.sqlite) {
      const prepare = vi.spyOn(store.sqlite, 'prepare');
      expect((await claimJobs(db, store.dialect, 'w', 1, 100, T)).map((j) => j.key)).toEqual(['a']);
      expect(prepare).toHaveBeenCalledTimes(1);
      prepare.mockRestore();
    } else expect((await claimJobs(db, store.dialect, 'w', 1, 100, T)).map((j) => j.key)).toEqual(['a']);
    const inTrx = await db.transaction().execute((trx) => claimJobs(trx, store.dialect, 'w', 5, 100, T));
    expect(inTrx.map((j) => [j.key, j.locked_by, Number(j.locked_until)])).toEqual([['b', 'w', T + 100]]);
    expect(typeof inTrx[0]!.id).toBe('number');
  });

  it('complete: only by the lease holder of a running job; inside a transaction with or without the raw connection; several at once', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      ['a', 'b', 'c', 'd', 'e'].map((key) => anyJob({ kind: 'k', key, payload: {} })),
      T,
    );
    const [a, b, c, d, e] = await claimJobs(db, store.dialect, 'w', 5, 1000, T);
    expect(await retryJob(db, a!.id, 'w', T + 10, 'transient', T + 1)).toBe(true);
    expect(await job(db, 'a')).toMatchObject({ state: 'ready', failing_since: T + 1, last_error: 'transient' });
    const [a2] = await claimJobs(db, store.dialect, 'w', 1, 1000, T + 10);
    expect(await completeJob(db, a2!.id, 'other', T + 11)).toBe(false);
    expect(await completeJob(db, a2!.id, 'w', T + 11)).toBe(true);
    expect(await job(db, 'a')).toMatchObject({
      state: 'done',
      locked_by: null,
      locked_until: null,
      last_error: null,
      failing_since: null,
      updated_at: T + 11,
    });
    // In a transaction, through the raw connection it holds (SQLite) or without it.
    const prepare = store.sqlite ? vi.spyOn(store.sqlite, 'prepare') : null;
    expect(await db.transaction().execute((trx) => completeJob(trx, b!.id, 'other', T + 12, store.sqlite))).toBe(false);
    expect(await db.transaction().execute((trx) => completeJob(trx, b!.id, 'w', T + 12, store.sqlite))).toBe(true);
    if (prepare) {
      expect(prepare.mock.calls.map((x) => x[0])).toEqual([COMPLETE_JOB, COMPLETE_JOB]);
      prepare.mockRestore();
    }
    expect(await db.transaction().execute((trx) => completeJob(trx, c!.id, 'w', T + 13))).toBe(true);
    expect(await db.transaction().execute((trx) => completeJob(trx, c!.id, 'w', T + 14))).toBe(false);
    // Outside a transaction the raw connection is not used even when given.
    expect(await completeJob(db, d!.id, 'other', T + 15, store.sqlite)).toBe(false);
    expect(await job(db, 'd')).toMatchObject({ state: 'running', locked_by: 'w' });
    expect(await completeJobs(db, [], 'w', T + 16)).toEqual(new Set());
    expect(await completeJobs(db, [d!.id, e!.id, a2!.id], 'w', T + 16)).toEqual(new Set([d!.id, e!.id]));
    expect(await completeJobs(db, [d!.id], 'w', T + 17)).toEqual(new Set());
    for (const [key, at] of [
      ['b', T + 12],
      ['c', T + 13],
      ['d', T + 16],
      ['e', T + 16],
    ] as const)
      expect(await job(db, key)).toMatchObject({ state: 'done', locked_by: null, updated_at: at });
  });

  it('a savepoint around one completion: rolled back to, the completion is undone; released, it stays', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      [anyJob({ kind: 'k', key: 'a', payload: {} }), anyJob({ kind: 'k', key: 'b', payload: {} })],
      T,
    );
    const [a, b] = await claimJobs(db, store.dialect, 'w', 2, 1000, T);
    const prepare = store.sqlite ? vi.spyOn(store.sqlite, 'prepare') : null;
    await db.transaction().execute(async (trx) => {
      await jobSavepoint(trx, 'SAVEPOINT', store.sqlite);
      expect(await completeJob(trx, a!.id, 'w', T + 1, store.sqlite)).toBe(true);
      await jobSavepoint(trx, 'ROLLBACK TO', store.sqlite);
      await jobSavepoint(trx, 'RELEASE', store.sqlite);
      await jobSavepoint(trx, 'SAVEPOINT');
      expect(await completeJob(trx, b!.id, 'w', T + 2)).toBe(true);
      await jobSavepoint(trx, 'RELEASE');
    });
    if (prepare) {
      expect(prepare.mock.calls.map((x) => x[0])).toEqual([
        'SAVEPOINT job_completion',
        COMPLETE_JOB,
        'ROLLBACK TO job_completion',
        'RELEASE job_completion',
      ]);
      prepare.mockRestore();
    }
    expect(await job(db, 'a')).toMatchObject({ state: 'running', locked_by: 'w' });
    expect(await job(db, 'b')).toMatchObject({ state: 'done', updated_at: T + 2 });
  });

  it('retry: back to ready at its time, unleased, with its error; the first failure starts failing_since; a refund gives the attempt back', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(db, [anyJob({ kind: 'k', key: 'r', payload: {} })], T);
    let [r] = await claimJobs(db, store.dialect, 'w', 1, 1000, T);
    expect(await retryJob(db, r!.id, 'other', T + 5, 'x', T + 1)).toBe(false);
    expect(await job(db, 'r')).toMatchObject({ state: 'running', locked_by: 'w', last_error: null });
    expect(await retryJob(db, r!.id, 'w', T + 100, 'remote 500', T + 1)).toBe(true);
    expect(await job(db, 'r')).toMatchObject({
      state: 'ready',
      run_at: T + 100,
      attempts: 1,
      locked_by: null,
      locked_until: null,
      last_error: 'remote 500',
      failing_since: T + 1,
      updated_at: T + 1,
    });
    // Not running any more: refused.
    expect(await retryJob(db, r!.id, 'w', T + 200, 'again', T + 2)).toBe(false);
    expect(await job(db, 'r')).toMatchObject({ run_at: T + 100, last_error: 'remote 500', updated_at: T + 1 });
    // A second failure keeps the first one's failing_since; a refunded attempt (a rate limit) is given back.
    [r] = await claimJobs(db, store.dialect, 'w', 1, 1000, T + 100);
    expect(r!.attempts).toBe(2);
    expect(await retryJob(db, r!.id, 'w', T + 300, 'ClickUp 429', T + 101, { refundAttempt: true })).toBe(true);
    expect(await job(db, 'r')).toMatchObject({
      attempts: 1,
      failing_since: T + 1,
      last_error: 'ClickUp 429',
      run_at: T + 300,
    });
    // Handed back at shutdown (no failure): the attempt stays used, failing_since as it was.
    [r] = await claimJobs(db, store.dialect, 'w', 1, 1000, T + 300);
    expect(await retryJob(db, r!.id, 'w', T + 400, 'shutdown', T + 301, { failure: false })).toBe(true);
    expect(await job(db, 'r')).toMatchObject({ attempts: 2, failing_since: T + 1, last_error: 'shutdown' });
    [r] = await claimJobs(db, store.dialect, 'w', 1, 1000, T + 400);
    expect(await completeJob(db, r!.id, 'w', T + 401)).toBe(true);
    // After a success the clock starts over; a handing back on a fresh run does not start it.
    await enqueueJobs(db, [anyJob({ kind: 'k', key: 's', payload: {} })], T + 500);
    const [s] = await claimJobs(db, store.dialect, 'w', 1, 1000, T + 500);
    expect(await retryJob(db, s!.id, 'w', T + 600, 'shutdown', T + 501, { failure: false, refundAttempt: false })).toBe(
      true,
    );
    expect(await job(db, 's')).toMatchObject({ attempts: 1, failing_since: null });
    expect(await job(db, 'r')).toMatchObject({ state: 'done', failing_since: null });
  });

  it('dead letter: the job dead and unleased, its letter holding the job as it was; refused for another worker or a job not running', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      [
        anyJob({ kind: 'cu.create_task', key: 'd1', queueKey: 'case:C-9', payload: { caseId: 'C-9' } }),
        anyJob({ kind: 'k', key: 'd2', payload: {} }),
      ],
      T,
    );
    const [d1, d2] = await claimJobs(db, store.dialect, 'w', 2, 1000, T);
    expect(await deadLetterJob(db, d1!.id, 'other', 'no', T + 1)).toBe(false);
    expect(await deadLetterRows(db)).toEqual([]);
    expect(await job(db, 'd1')).toMatchObject({ state: 'running', locked_by: 'w' });
    expect(await deadLetterJob(db, d1!.id, 'w', 'gave up: 400 bad request', T + 2)).toBe(true);
    expect(await job(db, 'd1')).toMatchObject({
      state: 'dead',
      locked_by: null,
      locked_until: null,
      last_error: 'gave up: 400 bad request',
      updated_at: T + 2,
    });
    const [letter] = await deadLetterRows(db);
    expect(letter).toEqual({
      id: letter!.id,
      job_id: d1!.id,
      kind: 'cu.create_task',
      key: 'd1',
      queue_key: 'case:C-9',
      payload: '{"caseId":"C-9"}',
      error: 'gave up: 400 bad request',
      attempts: 1,
      failed_at: T + 2,
      replayed_at: null,
    });
    expect(await deadLetterJob(db, d1!.id, 'w', 'again', T + 3)).toBe(false);
    // Completed first: not running, nothing dead-lettered.
    expect(await completeJob(db, d2!.id, 'w', T + 3)).toBe(true);
    expect(await deadLetterJob(db, d2!.id, 'w', 'late', T + 4)).toBe(false);
    expect(await deadLetterRows(db)).toHaveLength(1);
    expect(await job(db, 'd2')).toMatchObject({ state: 'done', last_error: null });
  });

  it('replay: the job ready now with fresh attempts (at least two allowed) and no crash or failure history; refused, with its reason, when it cannot be done', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      [
        anyJob({ kind: 'k', key: 'once', payload: {}, maxAttempts: 1, queueKey: 'case:1' }),
        anyJob({ kind: 'k', key: 'many', payload: {}, maxAttempts: 5 }),
      ],
      T,
    );
    const [once, many] = await claimJobs(db, store.dialect, 'w', 2, 1000, T);
    await retryJob(db, many!.id, 'w', T, 'first', T);
    await db.updateTable('jobs').set({ crashes: 2 }).where('key', '=', 'many').execute();
    const [many2] = await claimJobs(db, store.dialect, 'w', 1, 1000, T);
    await deadLetterJob(db, once!.id, 'w', 'e1', T + 1);
    await deadLetterJob(db, many2!.id, 'w', 'e2', T + 1);
    const [l1, l2] = await deadLetterRows(db);
    expect(await replayDeadLetter(db, l1!.id, T + 10)).toEqual({ ok: true, jobId: once!.id });
    expect(await replayDeadLetter(db, l2!.id, T + 11)).toEqual({ ok: true, jobId: many!.id });
    const fresh = {
      state: 'ready',
      attempts: 1,
      crashes: 0,
      failing_since: null,
      locked_by: null,
      locked_until: null,
    };
    expect(await job(db, 'once')).toMatchObject({ ...fresh, run_at: T + 10, updated_at: T + 10, max_attempts: 2 });
    expect(await job(db, 'many')).toMatchObject({ ...fresh, run_at: T + 11, updated_at: T + 11, max_attempts: 5 });
    expect((await deadLetterRows(db)).map((d) => d.replayed_at)).toEqual([T + 10, T + 11]);
    expect(await replayDeadLetter(db, l1!.id, T + 12)).toEqual({
      ok: false,
      reason: `dead letter ${l1!.id} was already replayed`,
    });
    expect(await replayDeadLetter(db, 999_999, T + 12)).toEqual({ ok: false, reason: 'no dead letter 999999' });
    expect((await deadLetterRows(db)).map((d) => d.replayed_at)).toEqual([T + 10, T + 11]);
    // The job came back to life some other way: refused, and the letter stays replayable.
    const [again] = await claimJobs(db, store.dialect, 'w', 1, 1000, T + 20);
    await deadLetterJob(db, again!.id, 'w', 'e3', T + 21);
    const l3 = (await deadLetterRows(db))[2]!;
    await db.updateTable('jobs').set({ state: 'done' }).where('id', '=', again!.id).execute();
    expect(await replayDeadLetter(db, l3.id, T + 22)).toEqual({
      ok: false,
      reason: `job ${again!.id} of dead letter ${l3.id} is no longer dead`,
    });
    expect((await deadLetterRows(db))[2]!.replayed_at).toBeNull();
    expect(await job(db, again!.key)).toMatchObject({ state: 'done', updated_at: T + 21 });
  });

  it('replay: a store error is thrown, not turned into a refusal', async () => {
    const { store } = await make(kind);
    const db = store.db;
    // The table out of the way for the call (PostgreSQL keeps one database for the file's tests: put back).
    await sql`ALTER TABLE dead_letters RENAME TO dead_letters_away`.execute(db);
    try {
      await expect(replayDeadLetter(db, 1, T)).rejects.toThrow(/dead_letters/);
    } finally {
      await sql`ALTER TABLE dead_letters_away RENAME TO dead_letters`.execute(db);
    }
  });

  it('dead letters listed newest first, the replayed ones only when asked, up to a limit (100 by default)', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const letter = (i: number) => ({
      job_id: i,
      kind: 'k',
      key: `j${i}`,
      queue_key: null,
      payload: '{}',
      error: `e${i}`,
      attempts: 1,
      failed_at: T + i,
      replayed_at: i === 2 ? T + 50 : null,
    });
    await db.insertInto('dead_letters').values([1, 2, 3].map(letter)).execute();
    const open = await listDeadLetters(db);
    expect(open.map((d) => [d.key, typeof d.id, d.job_id])).toEqual([
      ['j3', 'number', 3],
      ['j1', 'number', 1],
    ]);
    expect((await listDeadLetters(db, { includeReplayed: true })).map((d) => d.key)).toEqual(['j3', 'j2', 'j1']);
    expect((await listDeadLetters(db, { includeReplayed: true, limit: 2 })).map((d) => d.key)).toEqual(['j3', 'j2']);
    await db
      .insertInto('dead_letters')
      .values(Array.from({ length: 110 }, (_, i) => letter(10 + i)))
      .execute();
    const page = await listDeadLetters(db);
    expect(page).toHaveLength(100);
    expect(page[0]!.key).toBe('j119');
  });

  it('advance: a parked job of the key (bounded like the queue) made due now; one already due, or not ready, left alone', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      [
        anyJob({ kind: 'k', key: LONG, payload: {}, runAt: T + 60_000 }),
        anyJob({ kind: 'k', key: 'due', payload: {}, runAt: T - 1 }),
        anyJob({ kind: 'k', key: 'parked', payload: {}, runAt: T + 60_000 }),
      ],
      T - 10,
    );
    const adv = (key: string, now: number) => db.transaction().execute((trx) => advanceReadyJob(trx, key, now));
    expect(await adv(LONG, T)).toBe(true);
    expect(await job(db, boundedKey(LONG))).toMatchObject({ run_at: T, updated_at: T });
    expect(await adv(LONG, T + 1)).toBe(false);
    expect(await adv('due', T)).toBe(false);
    expect(await job(db, 'due')).toMatchObject({ run_at: T - 1, updated_at: T - 10 });
    // A running job is not made due again, however far its run_at.
    await db.updateTable('jobs').set({ state: 'running' }).where('key', '=', 'parked').execute();
    expect(await adv('parked', T)).toBe(false);
    expect(await job(db, 'parked')).toMatchObject({ run_at: T + 60_000 });
    expect(await adv('missing', T)).toBe(false);
  });

  it('enqueue or make due: a new job queued; a parked one of its key made due now, its own fields kept', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(db, [anyJob({ kind: 'k', key: 'parked', payload: { v: 1 }, runAt: T + 60_000 })], T - 10);
    await db.transaction().execute(async (trx) => {
      await enqueueOrMakeDue(trx, anyJob({ kind: 'k', key: 'parked', payload: { v: 2 } }), T);
      await enqueueOrMakeDue(trx, anyJob({ kind: 'k', key: 'new', payload: {}, runAt: T + 5 }), T, 7);
    });
    expect(await job(db, 'parked')).toMatchObject({ run_at: T, payload: '{"v":1}', updated_at: T });
    // The new one, queued for later, is made due at once as well.
    expect(await job(db, 'new')).toMatchObject({ run_at: T, max_attempts: 7, created_at: T });
  });
});
