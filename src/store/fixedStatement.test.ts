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
import { getCase } from './ops/cases.ts';
import { hasInboundEvent } from './ops/hasInboundEvent.ts';
import { recordInboundEvent } from './ops/recordInboundEvent.ts';

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
  it('enqueueJobs: one job on its fixed statement, a repeated key skipped, several jobs on the built one', async () => {
    const { store } = await make(kind);
    const job = (key: string, queueKey: string | null) =>
      anyJob({ kind: 'test.noop', key, queueKey, payload: { key }, maxAttempts: 3 });
    expect(await enqueueJobs(store.db, [job('k1', 'q1')], 5)).toBe(1);
    expect(await enqueueJobs(store.db, [job('k1', 'q1')], 6)).toBe(0);
    expect(await enqueueJobs(store.db, [job('k2', null)], 7)).toBe(1);
    expect(await enqueueJobs(store.db, [job('k2', null), job('k3', 'q3')], 8)).toBe(1);
    const rows = await store.db
      .selectFrom('jobs')
      .select(['key', 'queue_key', 'payload', 'state', 'run_at', 'attempts', 'max_attempts', 'created_at'])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => ({ ...r, run_at: Number(r.run_at), created_at: Number(r.created_at) }))).toEqual([
      {
        key: 'k1',
        queue_key: 'q1',
        payload: '{"key":"k1"}',
        state: 'ready',
        run_at: 5,
        attempts: 0,
        max_attempts: 3,
        created_at: 5,
      },
      {
        key: 'k2',
        queue_key: null,
        payload: '{"key":"k2"}',
        state: 'ready',
        run_at: 7,
        attempts: 0,
        max_attempts: 3,
        created_at: 7,
      },
      {
        key: 'k3',
        queue_key: 'q3',
        payload: '{"key":"k3"}',
        state: 'ready',
        run_at: 8,
        attempts: 0,
        max_attempts: 3,
        created_at: 8,
      },
    ]);
  });

  it('recordLink, getFieldMemory, hasInboundEvent and getCase read and write what they did when built per call', async () => {
    const { store } = await make(kind);
    const link = { entity: 'case', entityId: 'C-1', cuTaskId: 'T-1', cuListId: 'L-1', seenAt: 4 };
    expect(await recordLink(store.db, link, 5)).toEqual(link);
    // The same entity again: the existing link, not the new task.
    expect(await recordLink(store.db, { ...link, cuTaskId: 'T-9', seenAt: null }, 6)).toMatchObject({
      entity: 'case',
      entityId: 'C-1',
      cuTaskId: 'T-1',
      cuListId: 'L-1',
    });
    expect((await getLinkByTask(store.db, 'T-1'))?.seenAt).toBe(4);
    expect(await getLinkByTask(store.db, 'T-9')).toBeNull();
    await rememberField(store.db, 'case', 'C-1', 'status', 'clickup', { value: 'open', at: 5 });
    await rememberField(store.db, 'case', 'C-1', 'status', 'agreed', { value: 'open', at: 6 });
    await rememberField(store.db, 'case', 'C-2', 'status', 'clickup', { value: 'done', at: 7 });
    expect(await getFieldMemory(store.db, 'case', 'C-1', 'status')).toEqual({
      clickup: { value: 'open', at: 5 },
      agreed: { value: 'open', at: 6 },
    });
    expect(await getFieldMemory(store.db, 'case', 'C-1', 'priority')).toEqual({});
    await recordInboundEvent(
      store.db,
      { source: 'clickup', eventId: 'e-1', type: 'taskUpdated', payload: {} },
      anyJob({ kind: 'test.noop', key: 'e-1', payload: {} }),
      5,
    );
    expect(await hasInboundEvent(store.db, 'clickup', 'e-1')).toBe(true);
    expect(await hasInboundEvent(store.db, 'tradinggrid', 'e-1')).toBe(false);
    expect(await hasInboundEvent(store.db, 'clickup', 'e-2')).toBe(false);
    expect(await getCase(store.db, 'C-404')).toBeNull();
  });
});
