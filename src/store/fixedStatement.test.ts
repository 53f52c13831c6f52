import { expect, it } from 'vitest';
import { storesUnderTest } from '../../test/helpers/pgStore.ts';
import { fixedStatement } from './fixedStatement.ts';
import { collectFoldable } from './foldedCommit.ts';
import { getFieldMemory, rememberField } from './ops/fieldMemory.ts';
import { holdsLease } from './ops/holdsLease.ts';
import { getLinkByTask, recordLink } from './ops/links.ts';
import { enqueueJobs } from './ops/enqueueJobs.ts';
import { claimJobs } from './ops/claimJobs.ts';
import { anyJob } from '../../test/helpers/anyJob.ts';

const { describeStores, make } = await storesUnderTest('src/store/fixedStatement.test.ts');

// An upsert that uses a value twice (insert and update) and once as a guard: what rememberField does.
const build = fixedStatement((db, entity: string, id: string, hash: string, at: number) =>
  db
    .insertInto('sync_hashes')
    .values({ entity, entity_id: id, side: 'agreed', field: 'status', hash, synced_at: at })
    .onConflict((oc) =>
      oc
        .columns(['entity', 'entity_id', 'side', 'field'])
        .doUpdateSet({ hash, synced_at: at })
        .where('sync_hashes.synced_at', '<=', at),
    ),
);

describeStores('fixedStatement', (kind) => {
  it('compiles to the SQL and the parameters Kysely builds for the same values, call after call', async () => {
    const { store } = await make(kind);
    for (const [id, hash, at] of [
      ['C-1', 'open', 5],
      ['C-2', 'review', 7],
      ['C-1', 'done', 9],
    ] as const) {
      const ours = build(store.db, 'case', id, hash, at);
      const kysely = store.db
        .insertInto('sync_hashes')
        .values({ entity: 'case', entity_id: id, side: 'agreed', field: 'status', hash, synced_at: at })
        .onConflict((oc) =>
          oc
            .columns(['entity', 'entity_id', 'side', 'field'])
            .doUpdateSet({ hash, synced_at: at })
            .where('sync_hashes.synced_at', '<=', at),
        )
        .compile();
      expect(ours.sql).toBe(kysely.sql);
      expect(ours.parameters).toEqual(kysely.parameters);
      await store.db.executeQuery(ours);
    }
    expect((await getFieldMemory(store.db, 'case', 'C-1', 'status')).agreed?.value).toBe('done');
  });

  it('runs inside a transaction, and a rolled-back one leaves nothing', async () => {
    const { store } = await make(kind);
    await store.db
      .transaction()
      .execute(async (trx) => {
        await rememberField(trx, 'case', 'C-9', 'status', 'clickup', { value: 'open', at: 1 });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await getFieldMemory(store.db, 'case', 'C-9', 'status')).toEqual({});
    await store.db.transaction().execute(async (trx) => {
      await rememberField(trx, 'case', 'C-9', 'status', 'clickup', { value: 'open', at: 1 });
    });
    expect((await getFieldMemory(store.db, 'case', 'C-9', 'status')).clickup).toEqual({ value: 'open', at: 1 });
  });
});

it('an undefined value takes the ordinary path (Kysely leaves its column out); the next call the template', async () => {
  const { store } = await make('sqlite');
  const f = fixedStatement((db, id: string, reason: string | null | undefined) =>
    db.updateTable('cases').set({ id, hold_reason: reason }).where('id', '=', id),
  );
  expect(f(store.db, 'C-1', undefined).sql).toBe('update "cases" set "id" = ? where "id" = ?');
  const t = f(store.db, 'C-1', 'waiting');
  expect(t.sql).toBe('update "cases" set "id" = ?, "hold_reason" = ? where "id" = ?');
  expect(t.parameters).toEqual(['C-1', 'waiting', 'C-1']);
  expect(f(store.db, 'C-2', null).parameters).toEqual(['C-2', null, 'C-2']);
});

it('a folded commit (PostgreSQL) collects the statement with its values', async () => {
  const sink = await collectFoldable(async (trx) => {
    await rememberField(trx, 'case', 'C-3', 'status', 'agreed', { value: 'open', at: 42 });
  });
  expect(sink?.writes).toHaveLength(1);
  expect(sink!.writes[0]!.sql).toMatch(/^insert into "sync_hashes"/);
  expect(sink!.writes[0]!.parameters).toEqual(['case', 'C-3', 'agreed', 'status', 'open', 42, 'open', 42, 42]);
});

it('refuses a build that transforms a param instead of binding it', async () => {
  const { store } = await make('sqlite');
  const f = fixedStatement((db, a: string) => db.selectFrom('cases').select('id').where('id', '=', `x${a}`));
  expect(() => f(store.db, 'C-1')).toThrow('a param was transformed, not bound as it is');
});

describeStores('the reads on fixed statements', (kind) => {
  it('holdsLease: ours on either clock until the lease runs out or another worker holds it', async () => {
    const { store } = await make(kind);
    const now = Date.now();
    await enqueueJobs(store.db, [anyJob({ kind: 'test.noop', key: 'k1', payload: {} })], now - 1000);
    const [job] = await claimJobs(store.db, store.dialect, 'w1', 1, 60_000, now, 'db');
    expect(job).toBeDefined();
    expect(await holdsLease(store.db, job!.id, 'w1', 'db')).toBe(true);
    expect(await holdsLease(store.db, job!.id, 'w1', now)).toBe(true);
    expect(await holdsLease(store.db, job!.id, 'w2', 'db')).toBe(false);
    expect(await holdsLease(store.db, job!.id, 'w1', now + 120_000)).toBe(false);
    expect(await holdsLease(store.db, job!.id + 1, 'w1', 'db')).toBe(false);
  });

  it('getLinkByTask finds the link by its task, and nothing for another task', async () => {
    const { store } = await make(kind);
    await recordLink(store.db, { entity: 'case', entityId: 'C-1', cuTaskId: 'T-1', cuListId: 'L-1' }, 5);
    expect(await getLinkByTask(store.db, 'T-1')).toEqual({
      entity: 'case',
      entityId: 'C-1',
      cuTaskId: 'T-1',
      cuListId: 'L-1',
      seenAt: null,
    });
    expect(await getLinkByTask(store.db, 'T-2')).toBeNull();
  });
});
