import { afterAll, describe, expect, it } from 'vitest';
import { anyJob, anyJobs } from '../../test/helpers/anyJob.ts';
import { sql } from 'kysely';
import pg from 'pg';
import { createPgDatabase, storesUnderTest } from '../../test/helpers/pgStore.ts';
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

  it('enqueueing announces new jobs in the same statement: once per transaction, at commit, and not for keys that existed', async () => {
    const s = await instance();
    const listener = new pg.Client({ connectionString: db!.url });
    await listener.connect();
    cleanups.push(() => listener.end());
    const heard: string[] = [];
    listener.on('notification', (m) => {
      if (m.channel === JOBS_CHANNEL) heard.push(m.payload ?? '');
    });
    await listener.query(`LISTEN ${JOBS_CHANNEL}`);
    // Absence without sleeping: PostgreSQL delivers notifications in commit order, so once a sentinel
    // notified after a point has arrived, anything committed before that point has arrived too.
    let sentinels = 0;
    const barrier = async () => {
      const tag = `sentinel-${++sentinels}`;
      await listener.query(`NOTIFY ${JOBS_CHANNEL}, '${tag}'`);
      await until(`the ${tag} notification`, () => heard.includes(tag), 5000);
    };
    const jobs = () => heard.filter((p) => !p.startsWith('sentinel-'));
    const key = `n-${Date.now()}`;
    await s.db.transaction().execute(async (trx) => {
      expect(
        await enqueueJobs(
          trx,
          [anyJob({ kind: 'k', key: `${key}-1`, payload: {} }), anyJob({ kind: 'k', key: `${key}-2`, payload: {} })],
          Date.now(),
        ),
      ).toBe(2);
      expect(await enqueueJobs(trx, [anyJob({ kind: 'k', key: `${key}-3`, payload: {} })], Date.now())).toBe(1);
      await barrier();
      expect(jobs()).toEqual([]);
    });
    await barrier();
    expect(jobs()).toEqual(['']);
    expect(await enqueueJobs(s.db, [anyJob({ kind: 'k', key: `${key}-1`, payload: {} })], Date.now())).toBe(0);
    await barrier();
    expect(jobs()).toEqual(['']);
  });

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
