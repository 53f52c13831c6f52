import { describe, expect, it } from 'vitest';
import type { DispatcherOptions, JobHandler, JobOutcome } from './dispatcher.ts';
import { sqliteDispatchers } from '../../test/helpers/sqliteDispatcher.ts';
import { until } from '../../test/helpers/until.ts';

// The SQLite group commit of done jobs (a batch in one transaction, a savepoint per job with a commit): what
// each job of a batch settles as when its lease was lost, its commit threw, or the transaction itself failed;
// and the dead-letter tail of settle without a logger.

const dispatchers = sqliteDispatchers();

async function setup(handlers: Record<string, JobHandler>, opts: Partial<DispatcherOptions> = {}) {
  const w = await dispatchers.setup(handlers, opts);
  const cursors = async () =>
    (await w.store.db.selectFrom('cursors').select('name').orderBy('name').execute()).map((r) => r.name);
  return { ...w, cursors };
}

/** Handlers that all wait for one release, so their jobs finish in the same turn: one group commit. */
function together(): { wait: Promise<void>; release: () => void; started: () => number; enter: () => void } {
  let release!: () => void;
  const wait = new Promise<void>((r) => (release = r));
  let started = 0;
  return { wait, release, started: () => started, enter: () => void started++ };
}

describe('the group commit of done jobs (SQLite)', () => {
  it('each job of a batch settles on its own: done, its lease lost (with or without a commit), its commit thrown', async () => {
    const t = together();
    const row =
      (name: string) => async (trx: Parameters<NonNullable<Extract<JobOutcome, { status: 'done' }>['commit']>>[0]) => {
        await trx.insertInto('cursors').values({ name, value: 'v', updated_at: 0 }).execute();
      };
    const w = await setup({
      k: async (ctx) => {
        t.enter();
        await t.wait;
        const key = ctx.job.key;
        if (key === 'plain' || key === 'lostPlain') return { status: 'done' };
        if (key === 'throws')
          return {
            status: 'done',
            commit: async (trx) => {
              await row(key)(trx);
              throw new Error('bug in the commit');
            },
          };
        return { status: 'done', commit: row(key) };
      },
    });
    await w.enqueue('k', ['plain', 'lostPlain', 'withCommit', 'throws', 'lostCommit']);
    w.d.start();
    await until('all five to run', () => t.started() === 5);
    // Two leases go to another worker while their handlers run (the upkeep, every 10 s, does not see it first).
    await w.store.db
      .updateTable('jobs')
      .set({ locked_by: 'someone-else' })
      .where('key', 'in', ['lostPlain', 'lostCommit'])
      .execute();
    t.release();
    await until('all five to settle', () => w.settled.length === 5);
    expect(w.bySettledKey()).toEqual([
      { key: 'lostCommit', outcome: 'lease_lost' },
      { key: 'lostPlain', outcome: 'lease_lost' },
      { key: 'plain', outcome: 'done' },
      { key: 'throws', outcome: 'retry', error: 'could not record the outcome: bug in the commit' },
      { key: 'withCommit', outcome: 'done' },
    ]);
    // Only the done job's commit stays; the lost one's and the throwing one's are rolled back.
    expect(await w.cursors()).toEqual(['withCommit']);
    const states = await Promise.all(
      ['plain', 'lostPlain', 'withCommit', 'throws', 'lostCommit'].map(async (k) => {
        const j = await w.job(k);
        return [k, j.state, j.locked_by];
      }),
    );
    expect(states).toEqual([
      ['plain', 'done', null],
      ['lostPlain', 'running', 'someone-else'],
      ['withCommit', 'done', null],
      ['throws', 'running', w.d.workerId],
      ['lostCommit', 'running', 'someone-else'],
    ]);
    expect(w.d.counters).toEqual({ done: 2, retried: 0, dead: 0, leaseLost: 2, parked: 0 });
  });

  it('a batch whose transaction fails records none of its jobs: each settles as not recorded, and runs again later', async () => {
    const t = together();
    const w = await setup({
      k: async () => {
        t.enter();
        await t.wait;
        return { status: 'done' };
      },
    });
    await w.enqueue('k', ['a', 'b']);
    w.d.start();
    await until('both to run', () => t.started() === 2);
    // The table is away when their completions are written: the batch's transaction fails.
    await w.store.db.schema.alterTable('jobs').renameTo('jobs_away').execute();
    t.release();
    await until('both to settle', () => w.settled.length === 2);
    await w.store.db.schema.alterTable('jobs_away').renameTo('jobs').execute();
    expect(w.bySettledKey()).toEqual([
      { key: 'a', outcome: 'retry', error: 'could not record the outcome: no such table: jobs' },
      { key: 'b', outcome: 'retry', error: 'could not record the outcome: no such table: jobs' },
    ]);
    for (const k of ['a', 'b'])
      expect([(await w.job(k)).state, (await w.job(k)).locked_by]).toEqual(['running', w.d.workerId]);
    expect(w.d.counters).toEqual({ done: 0, retried: 0, dead: 0, leaseLost: 0, parked: 0 });
  });

  it('without a logger, a job given up on is still dead-lettered and settles as failed', async () => {
    const w = await setup(
      { k: async () => ({ status: 'fail', error: 'refused by the remote' }) },
      { logger: undefined },
    );
    await w.enqueue('k', ['j']);
    w.d.start();
    await until('the job to settle', () => w.settled.length === 1);
    expect(w.settled).toEqual([{ key: 'j', outcome: 'fail', error: 'refused by the remote' }]);
    expect((await w.job('j')).state).toBe('dead');
    expect(w.d.counters).toEqual({ done: 0, retried: 0, dead: 1, leaseLost: 0, parked: 0 });
  });
});
