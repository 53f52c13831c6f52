import { expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { Database } from '../schema.ts';
import { withConsoleTables } from '../consoleSchema.ts';
import { pruneRetention, type PruneDays } from './pruneRetention.ts';

// Each table's rule of what a prune keeps, row by row: the tables pruneRetention.test.ts seeds nothing to
// delete in (partner e-mails, the timeline, partner files), the page hits' windows, the sync hashes of a
// case taken in several batches, and the batch accounting at the exact limit.

const { describeStores, make } = await storesUnderTest('src/store/ops/pruneRetention.rules.test.ts');

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const OLD = NOW - 400 * DAY;
const RECENT = NOW - DAY / 2;
const NONE: PruneDays = {
  jobs_done_days: 0,
  inbound_events_days: 0,
  audit_log_days: 0,
  dead_letters_days: 0,
  partner_messages_days: 0,
  partner_page_hits_days: 0,
  sync_hashes_days: 0,
  timeline_days: 0,
  partner_files_days: 0,
};
const LIMITS = { batchSize: 10, maxBatches: 100 };

async function cases(db: Kysely<Database>, list: Array<[string, number | null]>) {
  await db
    .insertInto('cases')
    .values(
      list.map(([id, resolvedAt]) => ({
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
      })),
    )
    .execute();
}

/** Counts the delete statements sent to one table. */
function deletesOf(db: Kysely<Database>, table: string): { db: Kysely<Database>; count: () => number } {
  let count = 0;
  const spy = db.withPlugin({
    transformQuery: (a) => {
      if (a.node.kind === 'DeleteQueryNode' && JSON.stringify(a.node.from).includes(`"${table}"`)) count++;
      return a.node;
    },
    transformResult: async (a) => a.result,
  });
  return { db: spy, count: () => count };
}

describeStores('what each table keeps (%s store)', (kind) => {
  it('partner e-mails: sent, digested and failed ones go after their days; queued and sending ones, and recent ones, stay', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const msg = (key: string, state: string, at: number) => ({
      key,
      partner_id: 'P',
      kind: 'case_update',
      entity: 'case',
      entity_id: 'C',
      recipient: 'p@example.com',
      language: null,
      state,
      message_id: `<${key}@gb>`,
      subject: null,
      data: '{}',
      attempts: 0,
      smtp_response: null,
      digest_key: null,
      created_at: at,
      sent_at: null,
    });
    await db
      .insertInto('partner_messages')
      .values([
        msg('old-sent', 'sent', OLD),
        msg('old-digested', 'digested', OLD),
        msg('old-failed', 'failed', OLD),
        msg('old-queued', 'queued', OLD),
        msg('old-sending', 'sending', OLD),
        msg('new-sent', 'sent', RECENT),
      ])
      .execute();
    const r = await pruneRetention(db, { ...NONE, partner_messages_days: 90 }, LIMITS, NOW);
    expect(r).toEqual([{ table: 'partner_messages', deleted: 3, batches: 1, more: false }]);
    expect((await db.selectFrom('partner_messages').select('key').orderBy('key').execute()).map((x) => x.key)).toEqual([
      'new-sent',
      'old-queued',
      'old-sending',
    ]);
  });

  it('the timeline: old entries go unless their case is open (entries of no case, or of a case gone, go too)', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await cases(db, [
      ['C-OPEN', null],
      ['C-CLOSED', OLD],
    ]);
    const c = withConsoleTables(db);
    const entry = (caseId: string | null, at: number, detail: string) => ({
      case_id: caseId,
      at,
      kind: 'event',
      detail,
      status: 'done',
      duration_ms: null,
      job_id: null,
    });
    await c
      .insertInto('timeline')
      .values([
        entry(null, OLD, 'old-no-case'),
        entry('C-CLOSED', OLD, 'old-closed'),
        entry('C-GONE', OLD, 'old-gone'),
        entry('C-OPEN', OLD, 'old-open'),
        entry(null, RECENT, 'new-no-case'),
        entry('C-CLOSED', RECENT, 'new-closed'),
      ])
      .execute();
    const r = await pruneRetention(db, { ...NONE, timeline_days: 90 }, LIMITS, NOW);
    expect(r).toEqual([{ table: 'timeline', deleted: 3, batches: 1, more: false }]);
    expect((await c.selectFrom('timeline').select('detail').orderBy('id').execute()).map((x) => x.detail)).toEqual([
      'old-open',
      'new-no-case',
      'new-closed',
    ]);
  });

  it('partner files: old ones go unless their case is open or a live link (not expired, not revoked) can still serve them', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await cases(db, [
      ['C-OPEN', null],
      ['C-CLOSED', OLD],
      ['C-LINKED', OLD],
      ['C-EXPIRED', OLD],
      ['C-REVOKED', OLD],
    ]);
    const token = (jti: string, caseId: string, expiresAt: number, revokedAt: number | null) => ({
      jti,
      partner_id: 'P',
      entity: 'case',
      entity_id: caseId,
      recipient: null,
      created_at: OLD,
      expires_at: expiresAt,
      revoked_at: revokedAt,
      revoked_by: revokedAt === null ? null : 'admin',
      last_used_at: null,
    });
    await db
      .insertInto('partner_tokens')
      .values([
        token('t-live', 'C-LINKED', NOW + DAY, null),
        token('t-expired', 'C-EXPIRED', NOW - DAY, null),
        token('t-revoked', 'C-REVOKED', NOW + DAY, OLD),
      ])
      .execute();
    const file = (caseId: string, sha: string, at: number) => ({
      case_id: caseId,
      sha256: sha,
      name: `${sha}.pdf`,
      content_type: 'application/pdf',
      size_bytes: 1,
      content: Buffer.from('x'),
      created_at: at,
    });
    await db
      .insertInto('partner_files')
      .values([
        file('C-OPEN', 'a', OLD),
        file('C-CLOSED', 'b', OLD),
        file('C-CLOSED', 'c', OLD),
        file('C-CLOSED', 'd', RECENT),
        file('C-LINKED', 'e', OLD),
        file('C-EXPIRED', 'f', OLD),
        file('C-REVOKED', 'g', OLD),
      ])
      .execute();
    const r = await pruneRetention(db, { ...NONE, partner_files_days: 90 }, LIMITS, NOW);
    expect(r).toEqual([{ table: 'partner_files', deleted: 4, batches: 1, more: false }]);
    expect(
      (await db.selectFrom('partner_files').select(['case_id', 'sha256']).orderBy('sha256').execute()).map(
        (x) => `${x.case_id}/${x.sha256}`,
      ),
    ).toEqual(['C-OPEN/a', 'C-CLOSED/d', 'C-LINKED/e']);
  });

  it("page hits: the windows that ended before the cutoff go, for every key, batch after batch; the cutoff's own window stays", async () => {
    const { store } = await make(kind);
    const db = store.db;
    const cut = Math.floor((NOW - DAY) / 60_000);
    const hit = (key: string, window: number) => ({ key, window, n: 1 });
    await db
      .insertInto('partner_page_hits')
      .values([
        hit('k1', cut - 100),
        hit('k2', cut - 100),
        hit('k1', cut - 1),
        hit('k3', cut - 1),
        hit('k1', cut),
        hit('k2', cut + 5),
      ])
      .execute();
    const r = await pruneRetention(db, { ...NONE, partner_page_hits_days: 1 }, { batchSize: 3, maxBatches: 10 }, NOW);
    expect(r).toEqual([{ table: 'partner_page_hits', deleted: 4, batches: 2, more: false }]);
    expect(
      (await db.selectFrom('partner_page_hits').select(['key', 'window']).orderBy('window').execute()).map(
        (x) => `${x.key}@${Number(x.window) - cut}`,
      ),
    ).toEqual(['k1@0', 'k2@5']);
  });

  it("sync hashes: a closed case's go in one statement when the batch holds them all, field by field when it does not; others stay", async () => {
    const { store } = await make(kind);
    await cases(store.db, [
      ['C-A', OLD],
      ['C-B', OLD],
      ['C-LATE', RECENT],
      ['C-OPEN', null],
    ]);
    const hash = (entity: string, id: string, field: string) => ({
      entity,
      entity_id: id,
      side: 'cu',
      field,
      hash: 'h',
      synced_at: OLD,
    });
    await store.db
      .insertInto('sync_hashes')
      .values([
        hash('case', 'C-A', 'a'),
        hash('case', 'C-A', 'b'),
        hash('case', 'C-B', 'a'),
        hash('case', 'C-B', 'b'),
        hash('case', 'C-B', 'c'),
        hash('case', 'C-LATE', 'a'),
        hash('case', 'C-OPEN', 'a'),
        hash('approval', 'C-A', 'a'),
      ])
      .execute();
    // One batch holds all of C-A's and C-B's hashes: one delete per case.
    const whole = deletesOf(store.db, 'sync_hashes');
    expect(await pruneRetention(whole.db, { ...NONE, sync_hashes_days: 90 }, LIMITS, NOW)).toEqual([
      { table: 'sync_hashes', deleted: 5, batches: 1, more: false },
    ]);
    expect(whole.count()).toBe(2);
    const left = async () =>
      (
        await store.db
          .selectFrom('sync_hashes')
          .select(['entity', 'entity_id', 'field'])
          .orderBy('entity')
          .orderBy('entity_id')
          .execute()
      ).map((x) => `${x.entity}:${x.entity_id}:${x.field}`);
    expect(await left()).toEqual(['approval:C-A:a', 'case:C-LATE:a', 'case:C-OPEN:a']);
  });

  it("sync hashes: a batch that holds only part of a case's hashes deletes exactly those, and the next batch the rest", async () => {
    const { store } = await make(kind);
    await cases(store.db, [
      ['C-B', OLD],
      ['C-OPEN', null],
    ]);
    const hash = (id: string, field: string) => ({
      entity: 'case',
      entity_id: id,
      side: 'cu',
      field,
      hash: 'h',
      synced_at: OLD,
    });
    await store.db
      .insertInto('sync_hashes')
      .values([hash('C-B', 'a'), hash('C-B', 'b'), hash('C-B', 'c'), hash('C-OPEN', 'a')])
      .execute();
    const spy = deletesOf(store.db, 'sync_hashes');
    const first = await pruneRetention(spy.db, { ...NONE, sync_hashes_days: 90 }, { batchSize: 2, maxBatches: 1 }, NOW);
    expect(first).toEqual([{ table: 'sync_hashes', deleted: 2, batches: 1, more: true }]);
    // Field by field: two statements, and C-B's third hash is still there.
    expect(spy.count()).toBe(2);
    expect(
      (await store.db.selectFrom('sync_hashes').select(['entity_id']).orderBy('entity_id').execute()).map(
        (x) => x.entity_id,
      ),
    ).toEqual(['C-B', 'C-OPEN']);
    const second = await pruneRetention(
      store.db,
      { ...NONE, sync_hashes_days: 90 },
      { batchSize: 2, maxBatches: 1 },
      NOW,
    );
    expect(second).toEqual([{ table: 'sync_hashes', deleted: 1, batches: 1, more: false }]);
  });

  it("audit entries: only a case's entries are kept for the open case; an entry of another entity with the same id goes", async () => {
    const { store } = await make(kind);
    await cases(store.db, [['C-OPEN', null]]);
    const audit = (entity: string, at: number) => ({
      at,
      actor: 'a',
      entity,
      entity_id: 'C-OPEN',
      action: 'x',
      before: null,
      after: null,
    });
    await store.db
      .insertInto('audit_log')
      .values([audit('case', OLD), audit('approval', OLD), audit('approval', RECENT)])
      .execute();
    expect(await pruneRetention(store.db, { ...NONE, audit_log_days: 90 }, LIMITS, NOW)).toEqual([
      { table: 'audit_log', deleted: 1, batches: 1, more: false },
    ]);
    expect(
      (await store.db.selectFrom('audit_log').select(['entity', 'at']).orderBy('id').execute()).map(
        (x) => `${x.entity}@${Number(x.at) === OLD ? 'old' : 'new'}`,
      ),
    ).toEqual(['case@old', 'approval@new']);
  });

  it('inbound events of several sources in one batch: each source its own, an open case source kept whatever its source', async () => {
    const { store } = await make(kind);
    await cases(store.db, [['C-OPEN', null]]);
    const ev = (source: string, id: string, at: number) => ({
      source,
      event_id: id,
      type: 't',
      payload: '{}',
      received_at: at,
    });
    await store.db
      .insertInto('inbound_events')
      .values([
        ev('tradinggrid', 'E1', OLD),
        ev('clickup', 'E1', OLD),
        ev('clickup', 'E2', OLD),
        ev('clickup', 'E3', RECENT),
        ev('mailbox', 'C-OPEN', OLD),
      ])
      .execute();
    expect(await pruneRetention(store.db, { ...NONE, inbound_events_days: 30 }, LIMITS, NOW)).toEqual([
      { table: 'inbound_events', deleted: 3, batches: 1, more: false },
    ]);
    expect(
      (await store.db.selectFrom('inbound_events').select(['source', 'event_id']).orderBy('source').execute()).map(
        (x) => `${x.source}:${x.event_id}`,
      ),
    ).toEqual(['clickup:E3', 'mailbox:C-OPEN']);
  });

  it('a prune that uses its last batch on the last rows says nothing more is left', async () => {
    const { store } = await make(kind);
    const job = (i: number) => ({
      kind: 'x.do',
      key: `done-${i}`,
      queue_key: null,
      payload: '{}',
      state: 'done' as const,
      run_at: OLD,
      attempts: 1,
      max_attempts: 5,
      locked_by: null,
      locked_until: null,
      last_error: null,
      created_at: OLD,
      updated_at: OLD,
    });
    await store.db
      .insertInto('jobs')
      .values(Array.from({ length: 20 }, (_, i) => job(i)))
      .execute();
    expect(
      await pruneRetention(store.db, { ...NONE, jobs_done_days: 14 }, { batchSize: 10, maxBatches: 2 }, NOW),
    ).toEqual([{ table: 'jobs', deleted: 20, batches: 2, more: false }]);
  });

  it('batches counts only the batches that deleted: none when nothing is due, two for two full ones under a higher limit', async () => {
    const { store } = await make(kind);
    const only = { ...NONE, jobs_done_days: 14 };
    expect(await pruneRetention(store.db, only, { batchSize: 10, maxBatches: 3 }, NOW)).toEqual([
      { table: 'jobs', deleted: 0, batches: 0, more: false },
    ]);
    const job = (i: number) => ({
      kind: 'x.do',
      key: `done-${i}`,
      queue_key: null,
      payload: '{}',
      state: 'done' as const,
      run_at: OLD,
      attempts: 1,
      max_attempts: 5,
      locked_by: null,
      locked_until: null,
      last_error: null,
      created_at: OLD,
      updated_at: OLD,
    });
    await store.db
      .insertInto('jobs')
      .values(Array.from({ length: 20 }, (_, i) => job(i)))
      .execute();
    expect(await pruneRetention(store.db, only, { batchSize: 10, maxBatches: 3 }, NOW)).toEqual([
      { table: 'jobs', deleted: 20, batches: 2, more: false },
    ]);
  });
});
