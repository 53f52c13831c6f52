import { afterAll, describe, expect, it } from 'vitest';
import { anyJob, anyJobs } from '../../test/helpers/anyJob.ts';
import { sql } from 'kysely';
import pg from 'pg';
import { createPgDatabase, storesUnderTest } from '../../test/helpers/pgStore.ts';
import { pgStatementsOf, type PgStatements } from '../../test/helpers/pgStatements.ts';
import { Dispatcher, type JobHandler } from './dispatcher.ts';
import { enqueueJobs, JOBS_CHANNEL } from '../store/ops/enqueueJobs.ts';
import { claimJobs } from '../store/ops/claimJobs.ts';
import { releaseOrphanedLeases } from '../store/ops/releaseOrphanedLeases.ts';
import { openMigratedStore, type Store } from '../store/db.ts';

const { describeStores, pgUp, cleanups, make } = await storesUnderTest('src/sync/dispatcher.shared.test.ts');
const opts = { concurrency: 16, leaseMs: 10_000, pollMs: 10, backoffBaseMs: 100, backoffMaxMs: 1000 };

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10)); // sleep-ok: the poll interval of a condition wait
  }
}

describeStores('group commit of done jobs on %s', (kind) => {
  it('jobs finishing together commit together, and one that lost its lease is undone alone', async () => {
    const t = await make(kind);
    const store = t.store;
    const handler: JobHandler = async (job) => ({
      status: 'done',
      commit: async (trx) => {
        const payload = job.payload as { n: number };
        await trx
          .insertInto('cursors')
          .values({ name: `c${payload.n}`, value: 'v', updated_at: 0 })
          .execute();
        // Job 3 finds its lease taken over while committing.
        if (payload.n === 3)
          await trx.updateTable('jobs').set({ locked_by: 'other' }).where('key', '=', 'k3').execute();
        if (payload.n === 5) throw new Error('bug in commit of job 5');
      },
    });
    const d = new Dispatcher(store, new Map([['k', handler]]), opts);
    await enqueueJobs(
      store.db,
      anyJobs([1, 2, 3, 4, 5, 6].map((n) => ({ kind: 'k', key: `k${n}`, payload: { n } }))),
      Date.now(),
    );
    await d.runUntilIdle(1);
    await until('all settled', () => d.inFlightCount === 0);
    const names = (await store.db.selectFrom('cursors').select('name').orderBy('name').execute()).map((r) => r.name);
    expect(names).toEqual(['c1', 'c2', 'c4', 'c6']);
    const states = Object.fromEntries(
      (await store.db.selectFrom('jobs').select(['key', 'state']).execute()).map((r) => [r.key, r.state]),
    );
    expect(states).toEqual({ k1: 'done', k2: 'done', k3: 'running', k4: 'done', k5: 'running', k6: 'done' });
    expect(d.counters).toMatchObject({ done: 4, leaseLost: 1 });
  });
});

describe.skipIf(!pgUp)('several instances on PostgreSQL', () => {
  let db: { url: string; drop: () => Promise<void> } | null = null;
  afterAll(async () => {
    await db?.drop();
  });
  async function instance(): Promise<Store> {
    db ??= await createPgDatabase();
    const s = await openMigratedStore(db.url, { poolMax: 4 });
    cleanups.push(() => s.close());
    return s;
  }

  it('three dispatchers sharing the outbox run every job exactly once (SKIP LOCKED leases)', async () => {
    const stores = [await instance(), await instance(), await instance()];
    await sql`TRUNCATE jobs RESTART IDENTITY`.execute(stores[0]!.db);
    const runs = new Map<number, number>();
    const byWorker = new Map<string, number>();
    const ds = stores.map(
      (s, i) =>
        new Dispatcher(
          s,
          new Map<string, JobHandler>([
            [
              'k',
              async (job) => {
                const payload = job.payload as { n: number };
                runs.set(payload.n, (runs.get(payload.n) ?? 0) + 1);
                byWorker.set(`w${i}`, (byWorker.get(`w${i}`) ?? 0) + 1);
                await new Promise((r) => setTimeout(r, 2)); // sleep-ok: the handler's own work
                return { status: 'done' };
              },
            ],
          ]),
          { ...opts, pollMs: 20, workerId: `w${i}` },
        ),
    );
    const N = 600;
    await enqueueJobs(
      stores[0]!.db,
      anyJobs(
        Array.from({ length: N }, (_, n) => ({
          kind: 'k',
          key: `m${n}`,
          queueKey: n % 10 === 0 ? 'q:shared' : null,
          payload: { n },
        })),
      ),
      Date.now(),
    );
    ds.forEach((d) => d.start());
    try {
      await until(
        'all jobs done',
        async () =>
          Number(
            (
              await stores[0]!.db
                .selectFrom('jobs')
                .select((eb) => eb.fn.countAll().as('n'))
                .where('state', '=', 'done')
                .executeTakeFirst()
            )?.n,
          ) === N,
        30_000,
      );
    } finally {
      await Promise.all(ds.map((d) => d.stop()));
    }
    expect(runs.size).toBe(N);
    expect([...runs.values()].every((c) => c === 1)).toBe(true);
    // Work was shared, not taken by one instance.
    expect(byWorker.size).toBe(3);
  });

  it('an idle worker is woken by NOTIFY when another instance enqueues (no poll needed)', async () => {
    const [a, b] = [await instance(), await instance()];
    let ranAt = 0;
    let warm = false;
    const d = new Dispatcher(
      a,
      new Map<string, JobHandler>([
        [
          'wake',
          async () => {
            ranAt = Date.now();
            return { status: 'done' };
          },
        ],
        [
          'warm',
          async () => {
            warm = true;
            return { status: 'done' };
          },
        ],
      ]),
      { ...opts, pollMs: 60_000 },
    );
    // Idle, for sure: a first job ran and settled (its claim is behind us), its LISTEN is in place, and the
    // next poll is a minute away. Only NOTIFY can make the next job run within the test's time.
    await enqueueJobs(a.db, [anyJob({ kind: 'warm', key: `warm-${Date.now()}`, payload: {} })], Date.now());
    d.start();
    cleanups.push(() => d.stop());
    await until(
      'the first job to settle',
      async () =>
        warm &&
        d.inFlightCount === 0 &&
        (await a.db.selectFrom('jobs').select('state').where('kind', '=', 'warm').executeTakeFirst())?.state === 'done',
    );
    await until(
      'the dispatcher to LISTEN',
      async () =>
        Number(
          (
            await sql<{
              n: string;
            }>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE ${`LISTEN%${JOBS_CHANNEL}%`}`.execute(
              b.db,
            )
          ).rows[0]!.n,
        ) > 0,
    );
    const t0 = Date.now();
    await enqueueJobs(b.db, [anyJob({ kind: 'wake', key: `wake-${t0}`, payload: {} })], Date.now());
    await until('the job to run', () => ranAt > 0, 5000);
    expect(ranAt - t0).toBeLessThan(3000);
  });

  it('enqueueing announces new jobs after the commit, never inside it: once per transaction, and not for keys that existed', async () => {
    const s = await instance();
    const listener = new pg.Client({ connectionString: db!.url });
    await listener.connect();
    cleanups.push(() => listener.end());
    let heard = 0;
    listener.on('notification', (m) => m.channel === JOBS_CHANNEL && heard++);
    await listener.query(`LISTEN ${JOBS_CHANNEL}`);
    const announced = countAnnouncements(s);
    const key = `n-${Date.now()}`;
    const { statements } = await pgStatementsOf(async (sofar) => {
      await s.db.transaction().execute(async (trx) => {
        expect(
          await enqueueJobs(
            trx,
            [anyJob({ kind: 'k', key: `${key}-1`, payload: {} }), anyJob({ kind: 'k', key: `${key}-2`, payload: {} })],
            Date.now(),
          ),
        ).toBe(2);
        expect(await enqueueJobs(trx, [anyJob({ kind: 'k', key: `${key}-3`, payload: {} })], Date.now())).toBe(1);
        expect(announced()).toEqual([]);
      });
      expect(notifyingCommits(sofar)).toEqual([]);
      // Announced as the commit returned, once for the transaction.
      expect(announced()).toEqual([JOBS_CHANNEL]);
      await until('the announcement', () => heard > 0, 5000);
      // Rolled back: nothing to announce.
      await s.db
        .transaction()
        .execute(async (trx) => {
          await enqueueJobs(trx, [anyJob({ kind: 'k', key: `${key}-4`, payload: {} })], Date.now());
          throw new Error('roll back');
        })
        .catch(() => undefined);
      expect(await enqueueJobs(s.db, [anyJob({ kind: 'k', key: `${key}-1`, payload: {} })], Date.now())).toBe(0);
      expect(announced()).toEqual([JOBS_CHANNEL]);
      // Outside a transaction: after the statement.
      expect(await enqueueJobs(s.db, [anyJob({ kind: 'k', key: `${key}-5`, payload: {} })], Date.now())).toBe(1);
      expect(announced()).toEqual([JOBS_CHANNEL, JOBS_CHANNEL]);
    });
    expect(notifyingCommits(statements)).toEqual([]);
  });

  it.each([false, true])(
    "a job queued by another job's completion (fold_completions %s) is announced after the completion's commit: another instance's idle worker runs it without polling",
    async (foldCompletions) => {
      const [a, b] = [await instance(), await instance()];
      const tag = `${foldCompletions}-${Date.now()}`;
      let ran = false;
      let warm = false;
      const idle = new Dispatcher(
        b,
        new Map<string, JobHandler>([
          [
            `next-${tag}`,
            async () => {
              ran = true;
              return { status: 'done' };
            },
          ],
          [
            `warm-${tag}`,
            async () => {
              warm = true;
              return { status: 'done' };
            },
          ],
        ]),
        { ...opts, pollMs: 60_000 },
      );
      // Idle for sure (as in the NOTIFY test above): a first job settled, LISTEN is in place, the next poll a minute away.
      await enqueueJobs(b.db, [anyJob({ kind: `warm-${tag}`, key: `warm-${tag}`, payload: {} })], Date.now());
      idle.start();
      cleanups.push(() => idle.stop());
      await until('the idle worker to settle its first job and LISTEN', async () => warm && (await listening(b)));
      await until(
        'its first job to be done',
        async () => idle.inFlightCount === 0 && (await stateOf(b, `warm-${tag}`)) === 'done',
      );
      // Due an hour from now, and the worker below runs an hour ahead: only it claims the first job, even when the
      // idle worker is woken by this enqueue's announcement.
      const hour = 3_600_000;
      await enqueueJobs(
        a.db,
        [anyJob({ kind: `first-${tag}`, key: `first-${tag}`, payload: {}, runAt: Date.now() + hour })],
        Date.now(),
      );
      const announced = countAnnouncements(a);
      const d = new Dispatcher(
        a,
        new Map<string, JobHandler>([
          [
            `first-${tag}`,
            async () => ({
              status: 'done',
              commit: async (trx) => {
                await enqueueJobs(trx, [anyJob({ kind: `next-${tag}`, key: `next-${tag}`, payload: {} })], Date.now());
              },
            }),
          ],
        ]),
        { ...opts, foldCompletions, now: () => Date.now() + hour },
      );
      // The statements of this worker's round (not the idle worker's: it runs on its own).
      const { statements } = await pgStatementsOf(async (sofar) => {
        // One round: this worker claims the first job and completes it, and leaves the next one to the idle worker.
        await d.runUntilIdle(1);
        expect(await stateOf(a, `first-${tag}`)).toBe('done');
        expect(notifyingCommits(sofar)).toEqual([]);
        expect(announced()).toEqual([JOBS_CHANNEL]);
      });
      await until('the idle worker to run the queued job', () => ran, 5000);
      expect(notifyingCommits(statements)).toEqual([]);
      // The completion took the path asked for: one folded statement, or a transaction.
      expect(statements.matching(/^WITH done AS/).length > 0).toBe(foldCompletions);
    },
  );

  it('claim connections plan per execution (plan_cache_mode), and a backlog arriving after an idle start drains in order', async () => {
    const s = await instance();
    await sql`TRUNCATE jobs RESTART IDENTITY`.execute(s.db);
    const mode = await sql<{ plan_cache_mode: string }>`SHOW plan_cache_mode`.execute(s.db);
    expect(mode.rows[0]!.plan_cache_mode).toBe('force_custom_plan');
    for (let i = 0; i < 8; i++) expect(await claimJobs(s.db, 'postgres', 'w', 10, 1000, Date.now())).toEqual([]);
    await enqueueJobs(
      s.db,
      anyJobs(Array.from({ length: 2000 }, (_, n) => ({ kind: 'k', key: `b${n}`, payload: {}, runAt: 1000 + n }))),
      Date.now(),
    );
    await sql`ANALYZE jobs`.execute(s.db);
    const plan = await sql<{
      'QUERY PLAN': string;
    }>`EXPLAIN SELECT id FROM jobs WHERE state = 'ready' AND run_at <= ${Date.now()} ORDER BY run_at, id LIMIT 10`.execute(
      s.db,
    );
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index/);
    const first = await claimJobs(s.db, 'postgres', 'w', 10, 1000, Date.now());
    expect(first.map((j) => j.key).sort()).toEqual(Array.from({ length: 10 }, (_, n) => `b${n}`).sort());
  });

  it('on PostgreSQL, jobs finishing together complete in one optimistic statement: no savepoint per job, no folded statement unless fold_completions', async () => {
    // A database of its own: the idle workers of the tests above still poll the shared one.
    const own = await createPgDatabase();
    const store = await openMigratedStore(own.url, { poolMax: 4 });
    cleanups.push(async () => {
      await store.close();
      await own.drop();
    });
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let started = 0;
    const handler: JobHandler = async (job) => {
      started++;
      await gate;
      const n = (job.payload as { n: number }).n;
      // Half without a commit: those would fold (foldedCommit.ts) if the folded path were taken with it off.
      if (n % 2 === 0) return { status: 'done' };
      return {
        status: 'done',
        commit: async (trx) => {
          await trx
            .insertInto('cursors')
            .values({ name: `s${n}`, value: 'v', updated_at: 0 })
            .execute();
        },
      };
    };
    const d = new Dispatcher(store, new Map([['k', handler]]), opts);
    await enqueueJobs(
      store.db,
      anyJobs([1, 2, 3, 4].map((n) => ({ kind: 'k', key: `s${n}`, payload: { n } }))),
      Date.now(),
    );
    const { statements } = await pgStatementsOf(async () => {
      const run = d.runUntilIdle(1);
      await until('all four handlers waiting', () => started === 4);
      open();
      await run;
      await until('all settled', () => d.inFlightCount === 0);
    });
    expect(d.counters).toMatchObject({ done: 4 });
    expect(statements.matching(/^SAVEPOINT/i)).toEqual([]);
    expect(statements.matching(/^WITH done AS/)).toEqual([]);
    // The four finished in one turn, so their completion is one statement for all of them.
    expect(statements.matching(/^UPDATE jobs SET state = 'done'/i)).toHaveLength(1);
  });

  it('start-up does not release leases on PostgreSQL: they belong to live instances and expire instead', async () => {
    const s = await instance();
    await sql`TRUNCATE jobs RESTART IDENTITY`.execute(s.db);
    await enqueueJobs(s.db, [anyJob({ kind: 'k', key: 'live', payload: {} })], Date.now());
    const [j] = await claimJobs(s.db, 'postgres', 'other-instance', 1, 60_000, Date.now());
    expect(await releaseOrphanedLeases(s.db, Date.now())).toBe(0);
    const row = await s.db.selectFrom('jobs').selectAll().where('id', '=', j!.id).executeTakeFirstOrThrow();
    expect([row.state, row.locked_by]).toEqual(['running', 'other-instance']);
    void pg;
  });
});

/** The channels `s` announced (NOTIFY after a commit), from now on: `Store.announce` is wrapped. */
function countAnnouncements(s: Store): () => string[] {
  const calls: string[] = [];
  const announce = s.announce!;
  s.announce = (channel) => {
    calls.push(channel);
    announce(channel);
  };
  return () => [...calls];
}

/**
 * The statements that would make a commit that writes data NOTIFY (which PostgreSQL serialises until its WAL
 * flush): a NOTIFY between BEGIN and COMMIT, or one inside a statement that also writes. The only NOTIFY
 * allowed is the announcement's own `SELECT pg_notify($1, $2)`, outside a transaction.
 */
function notifyingCommits(statements: PgStatements): string[] {
  const bad: string[] = [];
  for (const texts of statements.byClient.values()) {
    let inTransaction = false;
    for (const t of texts) {
      if (/^begin\b/i.test(t)) inTransaction = true;
      else if (/^(commit|rollback)\b/i.test(t)) inTransaction = false;
      else if (/notify/i.test(t) && (inTransaction || t !== 'SELECT pg_notify($1, $2)')) bad.push(t);
    }
  }
  return bad;
}

async function listening(s: Store): Promise<boolean> {
  const r = await sql<{
    n: string;
  }>`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE ${`LISTEN%${JOBS_CHANNEL}%`}`.execute(
    s.db,
  );
  return Number(r.rows[0]!.n) > 0;
}

async function stateOf(s: Store, key: string): Promise<string | undefined> {
  return (await s.db.selectFrom('jobs').select('state').where('key', '=', key).executeTakeFirst())?.state;
}
