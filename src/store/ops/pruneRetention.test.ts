import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { Database } from '../schema.ts';
import { countTableRows, pruneRetention, type PruneDays } from './pruneRetention.ts';
import { GridbridgeConfigShape } from '../../config/schema.ts';
import { RetentionSection } from '../../config/retentionSchema.ts';

const { describeStores, make } = await storesUnderTest('src/store/ops/pruneRetention.test.ts');

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const OLD = NOW - 400 * DAY;
const RECENT = NOW - DAY / 2;
const days: PruneDays = {
  jobs_done_days: 14,
  inbound_events_days: 30,
  audit_log_days: 365,
  dead_letters_days: 90,
  partner_messages_days: 90,
  partner_page_hits_days: 1,
  sync_hashes_days: 90,
  timeline_days: 90,
  partner_files_days: 90,
};

async function seed(db: Kysely<Database>) {
  const job = (key: string, state: 'ready' | 'running' | 'done' | 'dead', at: number) => ({
    kind: 'x.do',
    key,
    queue_key: null,
    payload: '{}',
    state,
    run_at: at,
    attempts: 0,
    max_attempts: 5,
    locked_by: null,
    locked_until: null,
    last_error: null,
    created_at: at,
    updated_at: at,
  });
  const jobs = [];
  for (let i = 0; i < 25; i++) jobs.push(job(`old-done-${i}`, 'done', OLD));
  jobs.push(
    job('recent-done', 'done', RECENT),
    job('old-ready', 'ready', OLD),
    job('old-running', 'running', OLD),
    job('old-dead', 'dead', OLD),
  );
  await db.insertInto('jobs').values(jobs).execute();
  const kase = (id: string, resolvedAt: number | null) => ({
    id,
    source: 'tradinggrid',
    partner_id: 'P',
    kind: 'claim',
    partner_status: 'open',
    state: 'active',
    hold_reason: null,
    sla_due_at: null,
    opened_at: OLD,
    resolved_at: resolvedAt,
    updated_at: OLD,
    data: '{}',
  });
  await db
    .insertInto('cases')
    .values([kase('C-OPEN', null), kase('C-CLOSED', OLD)])
    .execute();
  await db
    .insertInto('inbound_events')
    .values([
      { source: 'tradinggrid', event_id: 'C-OPEN', type: 't', payload: '{}', received_at: OLD },
      { source: 'tradinggrid', event_id: 'E-OLD', type: 't', payload: '{}', received_at: OLD },
      { source: 'clickup', event_id: 'E-OLD2', type: 't', payload: '{}', received_at: OLD },
      { source: 'clickup', event_id: 'E-NEW', type: 't', payload: '{}', received_at: RECENT },
    ])
    .execute();
  const audit = (entity: string, id: string, at: number) => ({
    at,
    actor: 'a',
    entity,
    entity_id: id,
    action: 'x',
    before: null,
    after: null,
  });
  await db
    .insertInto('audit_log')
    .values([
      audit('case', 'C-OPEN', OLD),
      audit('case', 'C-CLOSED', OLD),
      audit('setting', 's', OLD),
      audit('case', 'C-CLOSED', RECENT),
    ])
    .execute();
  const dl = (jobId: number, replayedAt: number | null) => ({
    job_id: jobId,
    kind: 'x.do',
    key: `k${jobId}`,
    queue_key: null,
    payload: '{}',
    error: 'e',
    attempts: 5,
    failed_at: OLD,
    replayed_at: replayedAt,
  });
  await db
    .insertInto('dead_letters')
    .values([dl(1, null), dl(2, OLD), dl(3, RECENT)])
    .execute();
  const hash = (id: string, field: string) => ({
    entity: 'case',
    entity_id: id,
    side: 'cu',
    field,
    hash: 'h',
    synced_at: OLD,
  });
  await db
    .insertInto('sync_hashes')
    .values([hash('C-OPEN', 'a'), hash('C-CLOSED', 'a'), hash('C-CLOSED', 'b')])
    .execute();
  await db
    .insertInto('partner_page_hits')
    .values([
      { key: 'k', window: Math.floor(OLD / 60_000), n: 1 },
      { key: 'k', window: Math.floor(NOW / 60_000), n: 1 },
    ])
    .execute();
}

describeStores('retention prune (%s store)', (kind) => {
  it("prunes old rows and keeps those still needed: ready/running/dead jobs, an open case's rows, unreplayed dead letters, recent rows", async () => {
    const { store } = await make(kind);
    const db = store.db;
    await seed(db);
    const results = await pruneRetention(db, days, { batchSize: 10, maxBatches: 100 }, NOW);
    expect(Object.fromEntries(results.map((r) => [r.table, r.deleted]))).toEqual({
      jobs: 25,
      inbound_events: 2,
      audit_log: 2,
      dead_letters: 1,
      partner_messages: 0,
      partner_page_hits: 1,
      sync_hashes: 2,
      timeline: 0,
      partner_files: 0,
    });
    expect((await db.selectFrom('jobs').select('key').orderBy('key').execute()).map((r) => r.key)).toEqual([
      'old-dead',
      'old-ready',
      'old-running',
      'recent-done',
    ]);
    expect(
      (await db.selectFrom('inbound_events').select('event_id').orderBy('event_id').execute()).map((r) => r.event_id),
    ).toEqual(['C-OPEN', 'E-NEW']);
    expect(
      (await db.selectFrom('audit_log').select(['entity_id', 'at']).orderBy('id').execute()).map(
        (r) => `${r.entity_id}@${Number(r.at) === OLD ? 'old' : 'new'}`,
      ),
    ).toEqual(['C-OPEN@old', 'C-CLOSED@new']);
    expect(
      (await db.selectFrom('dead_letters').select('job_id').orderBy('job_id').execute()).map((r) => Number(r.job_id)),
    ).toEqual([1, 3]);
    expect((await db.selectFrom('sync_hashes').select('entity_id').execute()).map((r) => r.entity_id)).toEqual([
      'C-OPEN',
    ]);
    // A second pass finds nothing more.
    expect(
      (await pruneRetention(db, days, { batchSize: 10, maxBatches: 100 }, NOW)).every((r) => r.deleted === 0),
    ).toBe(true);
  });

  it('deletes in batches of batch_size, stops after max_batches and says more is left', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await seed(db);
    const statements: string[] = [];
    const spy = db.withPlugin({
      transformQuery: (a) => (a.node.kind === 'DeleteQueryNode' && statements.push('delete'), a.node),
      transformResult: async (a) => a.result,
    });
    const only = {
      ...days,
      inbound_events_days: 0,
      audit_log_days: 0,
      dead_letters_days: 0,
      partner_messages_days: 0,
      partner_page_hits_days: 0,
      sync_hashes_days: 0,
      timeline_days: 0,
      partner_files_days: 0,
    };
    const first = await pruneRetention(spy, only, { batchSize: 10, maxBatches: 2 }, NOW);
    expect(first).toEqual([{ table: 'jobs', deleted: 20, batches: 2, more: true }]);
    expect(statements).toHaveLength(2);
    const second = await pruneRetention(spy, only, { batchSize: 10, maxBatches: 2 }, NOW);
    expect(second).toEqual([{ table: 'jobs', deleted: 5, batches: 1, more: false }]);
    expect((await countTableRows(db, ['jobs']))[0]).toEqual({ table: 'jobs', rows: 4 });
  });

  it('a retention of 0 days keeps the table for ever', async () => {
    const { store } = await make(kind);
    await seed(store.db);
    const keepAll = Object.fromEntries(Object.keys(days).map((k) => [k, 0])) as unknown as PruneDays;
    expect(await pruneRetention(store.db, keepAll, { batchSize: 10, maxBatches: 10 }, NOW)).toEqual([]);
    expect((await countTableRows(store.db, ['jobs']))[0]!.rows).toBe(29);
  });
});

describe('retention config', () => {
  it('has defaults that keep a year of audit and two weeks of done jobs', () => {
    const r = RetentionSection.parse(undefined);
    expect(r).toMatchObject({ enabled: true, batch_size: 500, jobs_done_days: 14, audit_log_days: 365 });
  });

  it('names the key of a bad value', () => {
    const shape = GridbridgeConfigShape.shape.retention;
    const bad = shape.safeParse({ jobs_done_days: -3 });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['jobs_done_days']);
    expect(bad.error!.issues[0]!.message).toMatch(/cannot be negative.*0 keeps done jobs for ever/);
    const big = shape.safeParse({ batch_size: 1_000_000 });
    expect(big.error!.issues[0]!.path).toEqual(['batch_size']);
    expect(shape.safeParse({ audit_days: 3 }).error!.issues[0]!.message).toMatch(/audit_days/);
  });
});
