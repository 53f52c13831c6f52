import { expect, it } from 'vitest';
import pino from 'pino';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { until } from '../../../test/helpers/until.ts';
import { Dispatcher, type JobHandler } from '../dispatcher.ts';
import { Scheduler } from '../scheduler.ts';
import type { SyncContext } from '../context.ts';
import { retentionModule } from './module.ts';
import { RetentionSection } from '../../config/retentionSchema.ts';
import { withConsoleTables } from '../../store/consoleSchema.ts';
import type { Store } from '../../store/db.ts';

// The prune job as it runs in a bridge: the retention module's schedule puts `store.prune` jobs in the queue,
// the dispatcher runs them on a real store, and old rows go while the rows still needed stay.
const { describeStores, make } = await storesUnderTest('src/sync/retention/prune.e2e.test.ts');

const DAY = 86_400_000;

async function seed(store: Store, now: number) {
  const OLD = now - 400 * DAY;
  const RECENT = now - 3_600_000;
  const db = store.db;
  const job = (key: string, state: 'ready' | 'done' | 'dead', at: number, runAt = at) => ({
    kind: 'x.never',
    key,
    queue_key: null,
    payload: '{}',
    state,
    run_at: runAt,
    attempts: 0,
    max_attempts: 5,
    locked_by: null,
    locked_until: null,
    last_error: null,
    created_at: at,
    updated_at: at,
  });
  await db
    .insertInto('jobs')
    .values([
      job('old-done-1', 'done', OLD),
      job('old-done-2', 'done', OLD),
      job('recent-done', 'done', RECENT),
      // Ready but due only tomorrow (the dispatcher leaves it alone), and old: never pruned.
      job('old-ready', 'ready', OLD, now + DAY),
      job('old-dead', 'dead', OLD),
    ])
    .execute();
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
      { source: 'clickup', event_id: 'E-NEW', type: 't', payload: '{}', received_at: RECENT },
    ])
    .execute();
  const audit = (id: string, at: number) => ({
    at,
    actor: 'a',
    entity: 'case',
    entity_id: id,
    action: 'x',
    before: null,
    after: null,
  });
  await db
    .insertInto('audit_log')
    .values([audit('C-OPEN', OLD), audit('C-CLOSED', OLD), audit('C-CLOSED', RECENT)])
    .execute();
  const entry = (caseId: string | null, at: number, detail: string) => ({
    case_id: caseId,
    at,
    kind: 'call',
    detail,
    status: 'done',
    duration_ms: 1,
    job_id: null,
  });
  await withConsoleTables(db)
    .insertInto('timeline')
    .values([
      entry(null, OLD, 'old'),
      entry('C-CLOSED', OLD, 'old closed'),
      entry('C-OPEN', OLD, 'old open'),
      entry(null, RECENT, 'recent'),
    ])
    .execute();
  const file = (record: string, sha: string) => ({
    case_id: record,
    sha256: sha,
    name: `${sha}.pdf`,
    content_type: 'application/pdf',
    size_bytes: 3,
    content: Buffer.from('pdf'),
    created_at: OLD,
  });
  await db
    .insertInto('partner_files')
    .values([file('C-CLOSED', 'a'), file('C-OPEN', 'b'), file('REQ-LINKED', 'c'), file('REQ-EXPIRED', 'd')])
    .execute();
  const token = (jti: string, record: string, expiresAt: number) => ({
    jti,
    partner_id: 'P',
    entity: 'request',
    entity_id: record,
    recipient: null,
    created_at: OLD,
    expires_at: expiresAt,
    revoked_at: null,
    revoked_by: null,
    last_used_at: null,
  });
  await db
    .insertInto('partner_tokens')
    .values([token('t-live', 'REQ-LINKED', now + DAY), token('t-over', 'REQ-EXPIRED', now - DAY)])
    .execute();
}

describeStores('store.prune through the scheduler and the dispatcher (%s)', (kind) => {
  it('old rows go, rows still needed stay', async () => {
    const { store } = await make(kind);
    await seed(store, Date.now());
    const logger = pino({ level: 'silent' });
    // Every second, so the test does not wait for the hourly default.
    const retention = RetentionSection.parse({ cron: '* * * * * *' });
    const ctx = { store, config: { retention }, logger, now: Date.now } as unknown as SyncContext;
    const handlers = new Map<string, JobHandler>([
      ['store.prune', retentionModule.jobs['store.prune']!.handler(ctx) as JobHandler],
    ]);
    const dispatcher = new Dispatcher(store, handlers, {
      concurrency: 2,
      leaseMs: 30_000,
      pollMs: 50,
      backoffBaseMs: 10,
      backoffMaxMs: 100,
      logger,
    });
    const scheduler = new Scheduler(store, () => dispatcher.wake(), logger);
    retentionModule.schedules!(scheduler, ctx);
    dispatcher.start();
    scheduler.start();
    try {
      await until(
        'a store.prune job done',
        async () =>
          (await store.db
            .selectFrom('jobs')
            .select('id')
            .where('kind', '=', 'store.prune')
            .where('state', '=', 'done')
            .executeTakeFirst()) ?? false,
        30_000,
      );
    } finally {
      scheduler.stop();
      await dispatcher.stop();
    }
    const db = store.db;
    const keys = (await db.selectFrom('jobs').select('key').where('kind', '=', 'x.never').execute()).map((r) => r.key);
    expect(keys.sort()).toEqual(['old-dead', 'old-ready', 'recent-done']);
    const events = await db.selectFrom('inbound_events').select('event_id').orderBy('event_id').execute();
    expect(events.map((r) => r.event_id)).toEqual(['C-OPEN', 'E-NEW']);
    const audit = await db.selectFrom('audit_log').select(['entity_id', 'at']).orderBy('id').execute();
    expect(audit.map((r) => r.entity_id)).toEqual(['C-OPEN', 'C-CLOSED']);
    const timeline = await withConsoleTables(db).selectFrom('timeline').select('detail').orderBy('id').execute();
    expect(timeline.map((r) => r.detail)).toEqual(['old open', 'recent']);
    const files = await db.selectFrom('partner_files').select('case_id').orderBy('case_id').execute();
    expect(files.map((r) => r.case_id)).toEqual(['C-OPEN', 'REQ-LINKED']);
    expect(await db.selectFrom('dead_letters').select('id').execute()).toEqual([]);
  });
});
