import { describe, expect, it } from 'vitest';
import { anyJob } from '../../test/helpers/anyJob.ts';
import pg from 'pg';
import { sql } from 'kysely';
import { storesUnderTest } from '../../test/helpers/pgStore.ts';
import { pgStatementsOf, type PgStatements } from '../../test/helpers/pgStatements.ts';
import { Dispatcher, type JobHandler } from '../sync/dispatcher.ts';
import { enqueueJobs, JOBS_CHANNEL } from './ops/enqueueJobs.ts';
import { enqueueOrMakeDue } from './ops/advanceReadyJob.ts';
import { appendAudit, listAudit } from './ops/audit.ts';
import { getCase, saveCase, setCasePartnerStatus } from './ops/cases.ts';
import { rememberField } from './ops/fieldMemory.ts';
import { recordLink, getLink } from './ops/links.ts';
import type { CaseRecord } from '../core/case.ts';
import type { Store } from './db.ts';

// On PostgreSQL a job whose commit only appends and upserts rows completes in one statement (its writes
// and the guarded "done" update as CTEs, no BEGIN/COMMIT), with the same guarantees as the transaction:
// all or nothing, nothing written once the lease is lost, new jobs announced.

const { pgUp, make, cleanups } = await storesUnderTest('src/store/foldedCommit.test.ts');
const opts = {
  concurrency: 4,
  leaseMs: 30_000,
  pollMs: 10,
  backoffBaseMs: 10,
  backoffMaxMs: 100,
  foldCompletions: true,
};

const aCase = (id: string, over: Partial<CaseRecord> = {}): CaseRecord => ({
  id,
  source: 'community',
  partnerId: 'P1',
  partnerName: null,
  partnerTier: null,
  kind: 'dispute',
  title: 't',
  description: 'd',
  transactionRef: null,
  value: null,
  partnerStatus: 'open',
  state: 'active',
  holdReason: null,
  slaDueAt: null,
  openedAt: 1,
  resolvedAt: null,
  updatedAt: 1,
  ...over,
});

/** The transactions besides the lease reclaim's (runUntilIdle reclaims expired leases each round). */
function transactionsBesidesReclaim(statements: PgStatements): string[][] {
  return statements.transactions().filter((t) => !t.some((s) => /"crashes" = crashes \+ 1/.test(s)));
}

async function runOne(
  store: Store,
  handler: JobHandler,
  extra: Partial<typeof opts & { foldCompletions: boolean }> = {},
) {
  const d = new Dispatcher(store, new Map([['k', handler]]), { ...opts, ...extra });
  await enqueueJobs(store.db, [anyJob({ kind: 'k', key: 'the-job', payload: {} })], Date.now());
  await d.runUntilIdle();
  return d;
}

const appendsOnly: JobHandler = async () => ({
  status: 'done',
  commit: async (trx) => {
    await saveCase(trx, aCase('C1'));
    await appendAudit(trx, { actor: 'a', entity: 'case', entityId: 'C1', action: 'case_received' }, 5);
    await rememberField(trx, 'case', 'C1', 'status', 'agreed', { value: 'open', at: 5 });
    await recordLink(trx, { entity: 'case', entityId: 'C1', cuTaskId: 'T1', cuListId: 'L1' }, 5);
    // Due later: the test's dispatcher has no handler for it.
    await enqueueJobs(trx, [anyJob({ kind: 'next', key: 'follow-up', payload: { n: 1 }, runAt: 4e12 })], 5);
  },
});

async function written(store: Store) {
  return {
    case: (await getCase(store.db, 'C1'))?.title ?? null,
    audit: (await listAudit(store.db, 'case', 'C1')).map((a) => a.action),
    link: (await getLink(store.db, 'case', 'C1'))?.cuTaskId ?? null,
    memory: (await store.db.selectFrom('sync_hashes').select('hash').execute()).map((r) => r.hash),
    jobs: Object.fromEntries(
      (await store.db.selectFrom('jobs').select(['key', 'state', 'locked_by']).execute()).map((r) => [
        r.key,
        r.state + (r.locked_by ? `:${r.locked_by}` : ''),
      ]),
    ),
  };
}

describe.skipIf(!pgUp)('a job completion folded into one statement (PostgreSQL)', () => {
  it('writes the commit and marks the job done in one statement, without BEGIN or COMMIT, and announces the new job', async () => {
    const { store, url } = await make('postgres');
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    cleanups.push(() => listener.end());
    let notified = 0;
    listener.on('notification', (n) => n.channel === JOBS_CHANNEL && notified++);
    await listener.query(`LISTEN ${JOBS_CHANNEL}`);
    const { result: d, statements } = await pgStatementsOf(() => runOne(store, appendsOnly));
    expect(d.counters).toMatchObject({ done: 1, leaseLost: 0 });
    expect(await written(store)).toEqual({
      case: 't',
      audit: ['case_received'],
      link: 'T1',
      memory: ['open'],
      jobs: { 'the-job': 'done', 'follow-up': 'ready' },
    });
    expect(statements.matching(/^WITH done AS/)).toHaveLength(1);
    expect(
      statements.matching(
        /^(update "jobs" set "state" = \$1, "locked_by"|insert into "(audit_log|cases|links|sync_hashes)")/i,
      ),
    ).toEqual([]);
    // The only transactions are the lease upkeep's.
    expect(transactionsBesidesReclaim(statements)).toEqual([]);
    // The enqueue before the run announced too; the announcement after the folded statement is the second.
    const { until } = await import('../../test/helpers/until.ts');
    await until('the new job announced', () => notified >= 2, 5_000);
  });

  it('the same commit without folding takes a transaction and a statement per write, to the same rows', async () => {
    const { store } = await make('postgres');
    const { statements } = await pgStatementsOf(() => runOne(store, appendsOnly, { foldCompletions: false }));
    expect((await written(store)).jobs).toEqual({ 'the-job': 'done', 'follow-up': 'ready' });
    // One transaction: each write its own statement, then the guarded completion.
    expect(
      transactionsBesidesReclaim(statements).map((t) =>
        t.map((s) => /^(begin|commit|insert into "\w+"|update jobs set state = 'done')/i.exec(s)?.[0] ?? s),
      ),
    ).toEqual([
      [
        'begin',
        'insert into "cases"',
        'insert into "audit_log"',
        'insert into "sync_hashes"',
        'insert into "links"',
        'insert into "jobs"',
        "UPDATE jobs SET state = 'done'",
        'commit',
      ],
    ]);
    expect(statements.matching(/^WITH done AS/)).toEqual([]);
  });

  it('a commit that queues a job whose key waits parked makes the parked job due, folded or not', async () => {
    for (const foldCompletions of [true, false]) {
      const { store } = await make('postgres');
      // Parked an hour ahead (the mailbox's upload of a held case's file, say); the job's commit queues it again.
      await enqueueJobs(
        store.db,
        [anyJob({ kind: 'next', key: 'parked', payload: {}, runAt: Date.now() + 3_600_000 })],
        1,
      );
      const before = Date.now();
      await runOne(
        store,
        async () => ({
          status: 'done',
          commit: (trx) => enqueueOrMakeDue(trx, anyJob({ kind: 'next', key: 'parked', payload: {} }), Date.now()),
        }),
        { foldCompletions },
      );
      const parked = await store.db.selectFrom('jobs').select('run_at').where('key', '=', 'parked').executeTakeFirst();
      expect({
        foldCompletions,
        due: Number(parked?.run_at) <= Date.now() && Number(parked?.run_at) >= before,
      }).toEqual({
        foldCompletions,
        due: true,
      });
    }
  });

  it('writes nothing when the lease went to another worker before the completion', async () => {
    const { store } = await make('postgres');
    const d = await runOne(store, async () => {
      await store.db.updateTable('jobs').set({ locked_by: 'someone-else' }).where('key', '=', 'the-job').execute();
      return appendsOnly({} as never);
    });
    expect(d.counters).toMatchObject({ done: 0, leaseLost: 1 });
    expect(await written(store)).toEqual({
      case: null,
      audit: [],
      link: null,
      memory: [],
      jobs: { 'the-job': 'running:someone-else' },
    });
  });

  it('a commit that reads, or writes one row twice, runs in a transaction and sees its own writes', async () => {
    const { store } = await make('postgres');
    await saveCase(store.db, aCase('C1', { title: 'before' }));
    const d = await runOne(store, async () => ({
      status: 'done',
      commit: async (trx) => {
        // Written twice: folded, the second would not see the first.
        await saveCase(trx, aCase('C1', { title: 'first' }));
        await saveCase(trx, aCase('C1', { title: 'second' }));
        // A read whose answer is used.
        const rec = await getCase(trx, 'C1');
        await appendAudit(trx, { actor: 'a', entity: 'case', entityId: 'C1', action: `saw ${rec?.title}` }, 5);
      },
    }));
    expect(d.counters).toMatchObject({ done: 1 });
    expect((await written(store)).audit).toEqual(['saw second']);
  });

  it('an existing link (a conflict) is left to the transaction, which keeps the first task', async () => {
    const { store } = await make('postgres');
    await recordLink(store.db, { entity: 'case', entityId: 'C1', cuTaskId: 'T-first', cuListId: 'L1' }, 1);
    let returned: string | null = null;
    const d = await runOne(store, async () => ({
      status: 'done',
      commit: async (trx) => {
        returned = (await recordLink(trx, { entity: 'case', entityId: 'C1', cuTaskId: 'T1', cuListId: 'L1' }, 5))
          .cuTaskId;
        await appendAudit(trx, { actor: 'a', entity: 'case', entityId: 'C1', action: 'linked' }, 5);
      },
    }));
    expect(d.counters).toMatchObject({ done: 1 });
    expect(returned).toBe('T-first');
    expect(await written(store)).toMatchObject({ link: 'T-first', audit: ['linked'] });
  });

  it("a partner status set from the caller's record keeps the rest of the stored record", async () => {
    const { store } = await make('postgres');
    await saveCase(store.db, aCase('C1', { title: 'stored' }));
    const known = aCase('C1', { title: 'stale copy' });
    const { statements } = await pgStatementsOf(() =>
      runOne(store, async () => ({
        status: 'done',
        commit: async (trx) => {
          await setCasePartnerStatus(trx, 'C1', 'resolved', 7, known);
        },
      })),
    );
    // Folded (the ordinary path would read the record first).
    expect(statements.matching(/^WITH done AS .*UPDATE cases SET partner_status/s)).toHaveLength(1);
    expect(statements.matching(/from "cases"/)).toEqual([]);
    const rec = await getCase(store.db, 'C1');
    expect(rec).toMatchObject({ title: 'stored', partnerStatus: 'resolved', updatedAt: 7, resolvedAt: 7 });
    const row = await store.db
      .selectFrom('cases')
      .select(['partner_status', 'resolved_at', 'updated_at'])
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ partner_status: 'resolved', resolved_at: 7, updated_at: 7 });
    const history = await sql<{ status: string; at: number }>`SELECT status, at FROM case_status_history`.execute(
      store.db,
    );
    expect(history.rows).toEqual([{ status: 'resolved', at: 7 }]);
  });

  it('jobs finishing together complete in one statement; one that lost its lease is undone alone', async () => {
    const { store } = await make('postgres');
    const handler: JobHandler = async ({ payload }) => {
      const n = (payload as { n: number }).n;
      if (n === 3)
        await store.db.updateTable('jobs').set({ locked_by: 'someone-else' }).where('key', '=', 'j3').execute();
      return {
        status: 'done',
        commit: async (trx) => {
          await appendAudit(trx, { actor: 'a', entity: 'case', entityId: `C${n}`, action: 'did' }, 5);
        },
      };
    };
    const run = async (keys: number[]) => {
      const d = new Dispatcher(store, new Map([['k', handler]]), { ...opts, concurrency: 8 });
      await enqueueJobs(
        store.db,
        keys.map((n) => anyJob({ kind: 'k', key: `j${n}`, payload: { n } })),
        Date.now(),
      );
      const { statements } = await pgStatementsOf(async () => {
        await d.runUntilIdle(1);
        const { until } = await import('../../test/helpers/until.ts');
        await until('all settled', () => d.inFlightCount === 0, 10_000);
      });
      return { d, folded: statements.matching(/^WITH done AS/) };
    };
    // All held: one statement for the four.
    const all = await run([1, 2, 4, 5]);
    expect(all.d.counters).toMatchObject({ done: 4, leaseLost: 0 });
    expect(all.folded).toHaveLength(1);
    // One lost: the statement for all of them writes nothing, then each job's own decides.
    const one = await run([3, 6, 7]);
    expect(one.d.counters).toMatchObject({ done: 2, leaseLost: 1 });
    const audited = (await store.db.selectFrom('audit_log').select('entity_id').orderBy('entity_id').execute()).map(
      (r) => r.entity_id,
    );
    expect(audited).toEqual(['C1', 'C2', 'C4', 'C5', 'C6', 'C7']);
    expect(await store.db.selectFrom('jobs').select('state').where('key', '=', 'j3').executeTakeFirst()).toEqual({
      state: 'running',
    });
  });
});
