import { acmeCase } from '../../../test/helpers/caseRecord.ts';
import { randomBytes } from 'node:crypto';
import { anyJob } from '../../../test/helpers/anyJob.ts';
import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { CaseRecord } from '../../core/case.ts';
import { getCase, listCases, saveCase, setCasePartnerStatus } from './cases.ts';
import { setCaseDueDate } from './setCaseDueDate.ts';
import { setCaseHoldReason } from './setCaseHoldReason.ts';
import { listPartnerNames } from './listPartnerNames.ts';
import { searchCases } from './searchCases.ts';
import { recordLink } from './links.ts';
import { recordInboundEvent, recordInboundEventsInOrder } from './recordInboundEvent.ts';
import { compareInboundEvent } from './compareInboundEvent.ts';
import { hasInboundEvent } from './hasInboundEvent.ts';
import { acquireNamedLease, releaseNamedLease } from './namedLease.ts';
import { listSecretKeys, readSecret, rotateSecrets, storeSecret } from './secrets.ts';
import { createSecretBox, secretKeyId } from '../secretBox.ts';
import { appendAudit, listAudit } from './audit.ts';
import {
  createAdminSession,
  deleteAdminSession,
  deleteExpiredAdminSessions,
  findAdminSession,
  touchAdminSession,
} from './adminSessions.ts';
import { tableExists } from './tableExists.ts';
import {
  findFlowRecordByLookup,
  getFlowRecord,
  listFlowRecords,
  saveFlowRecord,
  saveFlowRecordOrThrow,
  StaleFlowRecord,
} from './flowRecords.ts';
import { countGauges } from './countGauges.ts';
import { dueBacklog, summarizeQueue } from './summarizeQueue.ts';
import { getFieldMemory, rememberField } from './fieldMemory.ts';
import { getDocument, listDocuments, recordDocument } from './documents.ts';
import { listCaseTimeline, recordTimeline } from './timeline.ts';
import { enqueueJobs } from './enqueueJobs.ts';
import { claimJobs } from './claimJobs.ts';
import { completeJob, completeJobs } from './completeJob.ts';
import { deadLetterJob } from './deadLetterJob.ts';
import { retryJob } from './retryJob.ts';
import { advanceReadyJob } from './advanceReadyJob.ts';
import { listDeadLetterDetails } from './listDeadLetterDetails.ts';
import { hasOpenDeadLetter } from './findOpenDeadLetter.ts';
import { replayDeadLetter } from './replayDeadLetter.ts';
import { getAcPartner, putAcPartner } from './acPartnerSnapshot.ts';
import { recordStatusChange } from './recordStatusChange.ts';
import { withSlaTables } from '../slaTables.ts';
import { computeScorecards } from './computeScorecards.ts';
import { listSlaCases } from './listSlaCases.ts';
import { scorecardRows } from './scorecardRows.ts';
import { getInboundEventPayload, recordMailboxAcknowledgement } from './mailboxAcknowledgements.ts';
import { listHeldMailboxCases } from './mailboxHeldCases.ts';

// Store parity: the operations the engine and the console use, each run against SQLite and PostgreSQL
// with the same expectations (a dialect difference in SQL, types or NULL handling fails here).
const { describeStores, make } = await storesUnderTest('src/store/ops/parity.test.ts');

const T = 1_700_000_000_000;
const H = 3_600_000;
function aCase(id: string, over: Partial<CaseRecord> = {}): CaseRecord {
  return acmeCase(id, over);
}

describeStores('store operations on %s', (kind) => {
  it('cases: save, read, list by state and partner, change partner status (with its history), due date, hold reason, partner names', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await saveCase(db, aCase('C-1', { openedAt: T }));
    await saveCase(db, aCase('C-2', { openedAt: T + 1, partnerId: 'P-GLOBEX', partnerName: 'Globex' }));
    await saveCase(db, aCase('C-3', { openedAt: T + 2, state: 'needs_mapping' }));
    expect(await getCase(db, 'C-1')).toEqual(aCase('C-1'));
    expect(await getCase(db, 'nope')).toBeNull();
    expect((await listCases(db)).map((c) => c.id)).toEqual(['C-3', 'C-2', 'C-1']);
    expect((await listCases(db, { state: 'active', partnerId: 'P-ACME' })).map((c) => c.id)).toEqual(['C-1']);
    expect((await listCases(db, { limit: 1, offset: 1 })).map((c) => c.id)).toEqual(['C-2']);

    const resolved = await setCasePartnerStatus(db, 'C-1', 'resolved', T + 5);
    expect(resolved).toMatchObject({ partnerStatus: 'resolved', resolvedAt: T + 5, updatedAt: T + 5 });
    expect(await getCase(db, 'C-1')).toEqual(resolved);
    expect(await setCasePartnerStatus(db, 'nope', 'resolved', T)).toBeNull();
    // The history keeps changes only: the same status twice is one row.
    expect(await recordStatusChange(db, 'C-1', 'resolved', T + 6)).toBe(false);
    expect(await recordStatusChange(db, 'C-1', 'in_review', T + 7)).toBe(true);
    const hist = await withSlaTables(db)
      .selectFrom('case_status_history')
      .select(['status', 'at'])
      .where('case_id', '=', 'C-1')
      .orderBy('at')
      .execute();
    expect(hist.map((h) => [h.status, Number(h.at)])).toEqual([
      ['resolved', T + 5],
      ['in_review', T + 7],
    ]);

    expect(await setCaseDueDate(db, 'C-2', T + 8 * H)).toMatchObject({ id: 'C-2', slaDueAt: T + 8 * H });
    expect(
      Number(
        (await db.selectFrom('cases').select('sla_due_at').where('id', '=', 'C-2').executeTakeFirstOrThrow())
          .sla_due_at,
      ),
    ).toBe(T + 8 * H);
    expect(await setCaseDueDate(db, 'nope', 1)).toBeNull();

    expect(await db.transaction().execute((trx) => setCaseHoldReason(trx, 'C-3', 'partner P-ACME has no list'))).toBe(
      true,
    );
    expect(await db.transaction().execute((trx) => setCaseHoldReason(trx, 'C-2', 'not held'))).toBe(false);
    expect((await getCase(db, 'C-3'))!.holdReason).toBe('partner P-ACME has no list');
    expect((await getCase(db, 'C-2'))!.holdReason).toBeNull();

    expect(await listPartnerNames(db, ['P-ACME', 'P-GLOBEX', 'P-NONE'])).toEqual(
      new Map([
        ['P-ACME', 'Acme Retail'],
        ['P-GLOBEX', 'Globex'],
      ]),
    );
  });

  it('searchCases: free text (escaped), filters, SLA states, the ClickUp link, totals and pages', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const now = T + 10 * H;
    // opened at T; due at T+12h: 2h left of 12 → at risk. Due at T+40h → on track. Due at T+5h → breached.
    await saveCase(db, aCase('C-risk', { slaDueAt: T + 12 * H, title: 'Pallet 100% short_shipped' }));
    await saveCase(
      db,
      aCase('C-track', { slaDueAt: T + 40 * H, openedAt: T + 1, partnerId: 'P-GLOBEX', partnerName: 'Globex' }),
    );
    await saveCase(db, aCase('C-late', { slaDueAt: T + 5 * H, openedAt: T + 2, kind: 'shipment_exception' }));
    await saveCase(
      db,
      aCase('C-met', { slaDueAt: T + 5 * H, resolvedAt: T + 4 * H, partnerStatus: 'resolved', openedAt: T + 3 }),
    );
    await saveCase(
      db,
      aCase('C-missed', { slaDueAt: T + 5 * H, resolvedAt: T + 6 * H, partnerStatus: 'resolved', openedAt: T + 4 }),
    );
    await saveCase(db, aCase('C-none', { openedAt: T + 5 }));
    await recordLink(db, { entity: 'case', entityId: 'C-track', cuTaskId: '86abc', cuListId: 'L-CASES' }, T);
    const ids = async (s: Parameters<typeof searchCases>[1]) =>
      (await searchCases(db, s, now)).rows.map((r) => r.record.id);
    expect(await ids({})).toEqual(['C-none', 'C-missed', 'C-met', 'C-late', 'C-track', 'C-risk']);
    expect(await ids({ sla: 'at_risk' })).toEqual(['C-risk']);
    expect(await ids({ sla: 'on_track' })).toEqual(['C-track']);
    expect(await ids({ sla: 'breached' })).toEqual(['C-late']);
    expect(await ids({ sla: 'met' })).toEqual(['C-met']);
    expect(await ids({ sla: 'missed' })).toEqual(['C-missed']);
    expect(await ids({ sla: 'none' })).toEqual(['C-none']);
    expect(await ids({ partnerId: 'P-GLOBEX' })).toEqual(['C-track']);
    expect(await ids({ kind: 'shipment_exception' })).toEqual(['C-late']);
    expect(await ids({ partnerStatus: 'resolved' })).toEqual(['C-missed', 'C-met']);
    // Text: case-insensitive; % and _ are literal characters, not wildcards; a ClickUp task id finds its case.
    expect(await ids({ q: 'GLOBEX' })).toEqual(['C-track']);
    expect(await ids({ q: '100% short_' })).toEqual(['C-risk']);
    expect(await ids({ q: '1_0' })).toEqual([]);
    expect(await ids({ q: '86abc' })).toEqual(['C-track']);
    const page = await searchCases(db, { limit: 2, offset: 1 }, now);
    expect(page.total).toBe(6);
    expect(page.rows.map((r) => [r.record.id, r.cuTaskId, r.cuListId])).toEqual([
      ['C-missed', null, null],
      ['C-met', null, null],
    ]);
    expect((await searchCases(db, { q: 'C-track' }, now)).rows.map((r) => [r.cuTaskId, r.cuListId])).toEqual([
      ['86abc', 'L-CASES'],
    ]);
  });

  it('inbound events: has, and compare the stored content whatever the key order', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const payload = { id: 'e1', data: { b: 2, a: [1, { y: null, x: 'é' }] } };
    expect(await hasInboundEvent(db, 'tg', 'e1')).toBe(false);
    expect(await compareInboundEvent(db, 'tg', 'e1', payload)).toBe('missing');
    await recordInboundEvent(
      db,
      { source: 'tg', eventId: 'e1', type: 'case.opened', payload },
      anyJob({ kind: 'k', key: 'ev:e1', payload: {} }),
      T,
    );
    expect(await hasInboundEvent(db, 'tg', 'e1')).toBe(true);
    expect(await hasInboundEvent(db, 'clickup', 'e1')).toBe(false);
    expect(await compareInboundEvent(db, 'tg', 'e1', { data: { a: [1, { x: 'é', y: null }], b: 2 }, id: 'e1' })).toBe(
      'same',
    );
    expect(await compareInboundEvent(db, 'tg', 'e1', { ...payload, data: { ...payload.data, b: 3 } })).toBe(
      'different',
    );
    expect(await compareInboundEvent(db, 'tg', 'e1', { ...payload, data: { a: [{ x: 'é', y: null }, 1], b: 2 } })).toBe(
      'different',
    );
  });

  it("a catch-up's events recorded together: their jobs queued in the order given (not by event id), repeats flagged", async () => {
    const { store } = await make(kind);
    const db = store.db;
    const item = (id: string) => ({
      event: { source: 'tg', eventId: id, type: 't', payload: { id } },
      job: anyJob({ kind: 'k', key: `ev:${id}`, queueKey: 'case:1', payload: { id } }),
    });
    // A case opened, then a comment on it: by event id the comment would come first, and its job (waiting for
    // the task) would hold up the case's own job behind it.
    await recordInboundEvent(db, item('b-seen').event, item('b-seen').job, T);
    expect(
      await recordInboundEventsInOrder(db, ['z-opened', 'b-seen', 'a-comment', 'm-document'].map(item), T),
    ).toEqual([{ duplicate: false }, { duplicate: true }, { duplicate: false }, { duplicate: false }]);
    const jobs = await db.selectFrom('jobs').select('key').orderBy('id').execute();
    expect(jobs.map((j) => j.key)).toEqual(['ev:b-seen', 'ev:z-opened', 'ev:a-comment', 'ev:m-document']);
    expect(await recordInboundEventsInOrder(db, [], T)).toEqual([]);
  });

  it('fast path: an inbound event and its job recorded once (batched, and inside a transaction), claimed on either clock, completed only by the lease holder', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const ev = (id: string) => ({ source: 'tg', eventId: id, type: 'case.opened', payload: { id } });
    // One batch: two new events and a repeat of the first.
    expect(
      await Promise.all([
        recordInboundEvent(
          db,
          ev('e1'),
          anyJob({ kind: 'k', key: 'ev:e1', queueKey: 'case:1', payload: { event: 'e1' } }),
          T,
        ),
        recordInboundEvent(
          db,
          ev('e2'),
          anyJob({ kind: 'k', key: 'ev:e2', payload: { mine: true }, runAt: T + 5, maxAttempts: 3 }),
          T,
        ),
        recordInboundEvent(db, ev('e1'), anyJob({ kind: 'k', key: 'ev:e1-again', payload: { event: 'e1' } }), T),
      ]),
    ).toEqual([{ duplicate: false }, { duplicate: false }, { duplicate: true }]);
    // Inside a transaction: the one-event path.
    const inTrx = (id: string, key: string) =>
      db
        .transaction()
        .execute((trx) => recordInboundEvent(trx, ev(id), anyJob({ kind: 'k', key, payload: { event: id } }), T + 1));
    expect(await inTrx('e3', 'ev:e3')).toEqual({ duplicate: false });
    expect(await inTrx('e3', 'ev:e3-again')).toEqual({ duplicate: true });
    const stored = await db
      .selectFrom('jobs')
      .select(['key', 'queue_key', 'payload', 'state', 'run_at', 'attempts', 'max_attempts', 'created_at'])
      .orderBy('key')
      .execute();
    const eventPayload = (id: string) => JSON.stringify({ event: id });
    expect(stored.map((j) => ({ ...j, run_at: Number(j.run_at), created_at: Number(j.created_at) }))).toEqual([
      {
        key: 'ev:e1',
        queue_key: 'case:1',
        payload: eventPayload('e1'),
        state: 'ready',
        run_at: T,
        attempts: 0,
        max_attempts: 10,
        created_at: T,
      },
      {
        key: 'ev:e2',
        queue_key: null,
        payload: '{"mine":true}',
        state: 'ready',
        run_at: T + 5,
        attempts: 0,
        max_attempts: 3,
        created_at: T,
      },
      {
        key: 'ev:e3',
        queue_key: null,
        payload: eventPayload('e3'),
        state: 'ready',
        run_at: T + 1,
        attempts: 0,
        max_attempts: 10,
        created_at: T + 1,
      },
    ]);
    expect(
      (await db.selectFrom('inbound_events').select(['event_id', 'received_at']).orderBy('event_id').execute()).map(
        (e) => [e.event_id, Number(e.received_at)],
      ),
    ).toEqual([
      ['e1', T],
      ['e2', T],
      ['e3', T + 1],
    ]);

    // On the caller's clock: the lease ends `leaseMs` after the given time; e2 is not due yet.
    const mine = (await claimJobs(db, store.dialect, 'w1', 10, 1000, T + 1)).sort((x, y) => x.key.localeCompare(y.key));
    expect(
      mine.map((j) => [j.key, j.state, j.locked_by, Number(j.locked_until), j.attempts, Number(j.updated_at)]),
    ).toEqual([
      ['ev:e1', 'running', 'w1', T + 1001, 1, T + 1],
      ['ev:e3', 'running', 'w1', T + 1001, 1, T + 1],
    ]);
    // On the database's clock: the lease ends `leaseMs` after the database's now, whatever the caller's time.
    const before = Date.now();
    const theirs = await claimJobs(db, store.dialect, 'w2', 10, 60_000, T + 5, 'db');
    const after = Date.now();
    expect(theirs.map((j) => j.key)).toEqual(['ev:e2']);
    expect(Number(theirs[0]!.locked_until)).toBeGreaterThanOrEqual(before + 60_000 - 1000);
    expect(Number(theirs[0]!.locked_until)).toBeLessThanOrEqual(after + 60_000 + 1000);

    const [e1, e3] = mine;
    expect(await completeJob(db, e1!.id, 'w2', T + 2)).toBe(false);
    expect(await completeJob(db, e1!.id, 'w1', T + 2)).toBe(true);
    expect(await completeJob(db, e1!.id, 'w1', T + 3)).toBe(false);
    // Inside the dispatcher's transaction (on SQLite through the raw connection the transaction holds).
    expect(await db.transaction().execute((trx) => completeJob(trx, e3!.id, 'w1', T + 4, store.sqlite))).toBe(true);
    expect(await completeJobs(db, [theirs[0]!.id, e1!.id], 'w2', T + 6)).toEqual(new Set([theirs[0]!.id]));
    const done = await db
      .selectFrom('jobs')
      .select(['key', 'state', 'locked_by', 'locked_until', 'last_error', 'updated_at'])
      .orderBy('key')
      .execute();
    expect(done.map((j) => ({ ...j, updated_at: Number(j.updated_at) }))).toEqual([
      { key: 'ev:e1', state: 'done', locked_by: null, locked_until: null, last_error: null, updated_at: T + 2 },
      { key: 'ev:e2', state: 'done', locked_by: null, locked_until: null, last_error: null, updated_at: T + 6 },
      { key: 'ev:e3', state: 'done', locked_by: null, locked_until: null, last_error: null, updated_at: T + 4 },
    ]);
  });

  it('named lease: one owner at a time, renewed by its owner, taken over once expired, released only by its owner', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await acquireNamedLease(db, 'scan', 'a', 1000, 1000)).toBe(true);
    expect(await acquireNamedLease(db, 'scan', 'b', 1000, 1500)).toBe(false);
    expect(await acquireNamedLease(db, 'scan', 'a', 1500, 1500)).toBe(true);
    expect(await acquireNamedLease(db, 'scan', 'b', 1001, 2999)).toBe(false);
    expect(await acquireNamedLease(db, 'scan', 'b', 1000, 3000)).toBe(true);
    await releaseNamedLease(db, 'scan', 'a');
    expect(await acquireNamedLease(db, 'scan', 'c', 1500, 3500)).toBe(false);
    await releaseNamedLease(db, 'scan', 'b');
    expect(await acquireNamedLease(db, 'scan', 'c', 1500, 3500)).toBe(true);
    expect(await acquireNamedLease(db, 'other', 'a', 1500, 3500)).toBe(true);
  });

  it('secrets: sealed at rest, read back, a repeat is no change, rotation to a new key keeps every value', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const box = createSecretBox(oldKey);
    expect(await storeSecret(db, box, 'clickup.webhook', 's3cret', 'admin', T)).toEqual({ changed: true });
    expect(await storeSecret(db, box, 'clickup.webhook', 's3cret', 'admin', T + 1)).toEqual({ changed: false });
    expect(await storeSecret(db, box, 'tg.client', 'other', 'admin', T + 2)).toEqual({ changed: true });
    const raw = (await db
      .selectFrom('secrets' as never)
      .selectAll()
      .execute()) as Array<{ sealed: string }>;
    expect(JSON.stringify(raw)).not.toContain('s3cret');
    expect(await readSecret(db, box, 'clickup.webhook')).toBe('s3cret');
    expect(await readSecret(db, box, 'missing')).toBeNull();
    expect(await listSecretKeys(db)).toEqual([
      { name: 'clickup.webhook', keyId: secretKeyId(oldKey), updatedAt: T },
      { name: 'tg.client', keyId: secretKeyId(oldKey), updatedAt: T + 2 },
    ]);
    const rotating = createSecretBox(newKey, [oldKey]);
    expect(await rotateSecrets(db, rotating, 'admin', T + 3)).toEqual({
      rotated: ['clickup.webhook', 'tg.client'],
      alreadyCurrent: [],
      unreadable: [],
    });
    expect(await readSecret(db, createSecretBox(newKey), 'clickup.webhook')).toBe('s3cret');
    expect((await listSecretKeys(db)).map((k) => k.keyId)).toEqual([secretKeyId(newKey), secretKeyId(newKey)]);
    expect((await listAudit(db, 'setting', 'secret:clickup.webhook')).map((a) => a.action)).toEqual([
      'secret_stored',
      'secret_rotated',
    ]);
  });

  it('audit: entries come back in order with their JSON before and after', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await appendAudit(
      db,
      {
        actor: 'ana',
        entity: 'case',
        entityId: 'C-1',
        action: 'status_to_partner',
        before: { status: 'open' },
        after: { status: 'received' },
      },
      T,
    );
    await appendAudit(db, { actor: 'bridge', entity: 'case', entityId: 'C-1', action: 'note' }, T + 1);
    await appendAudit(db, { actor: 'ana', entity: 'case', entityId: 'C-2', action: 'other' }, T + 2);
    const rows = await listAudit(db, 'case', 'C-1');
    expect(rows.map((r) => [r.actor, r.action, r.before, r.after, Number(r.at)])).toEqual([
      ['ana', 'status_to_partner', '{"status":"open"}', '{"status":"received"}', T],
      ['bridge', 'note', null, null, T + 1],
    ]);
  });

  it('admin sessions: found until they expire, touched forward, deleted one by one or when expired', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const s = {
      id_hash: 'h1',
      actor: 'ana',
      role: 'admin' as const,
      csrf_token: 'c1',
      created_at: T,
      expires_at: T + 1000,
      last_seen_at: T,
    };
    await createAdminSession(db, s);
    await createAdminSession(db, { ...s, id_hash: 'h2', expires_at: T + 10 });
    expect(await findAdminSession(db, 'h1', T + 999)).toEqual(s);
    expect(await findAdminSession(db, 'h1', T + 1000)).toBeNull();
    await touchAdminSession(db, 'h1', T + 500, T + 5000);
    expect(await findAdminSession(db, 'h1', T + 4000)).toEqual({ ...s, last_seen_at: T + 500, expires_at: T + 5000 });
    expect(await deleteExpiredAdminSessions(db, T + 10)).toBe(1);
    expect(await findAdminSession(db, 'h2', T)).toBeNull();
    await deleteAdminSession(db, 'h1');
    expect(await findAdminSession(db, 'h1', T)).toBeNull();
  });

  it('tableExists answers for a migrated table and not for a missing one', async () => {
    const { store } = await make(kind);
    expect(await tableExists(store.db, store.dialect, 'jobs')).toBe(true);
    expect(await tableExists(store.db, store.dialect, 'admin_sessions')).toBe(true);
    expect(await tableExists(store.db, store.dialect, 'no_such_table')).toBe(false);
  });

  it('flow records: versioned saves (a stale one refused), lookup, list by state', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(
      await saveFlowRecord(db, { flow: 'rollout', id: 'R1', state: 'open', lookup: 'N-1', data: { n: 1 } }, 0, T),
    ).toBe(true);
    expect(await saveFlowRecord(db, { flow: 'rollout', id: 'R1', state: 'open', data: { n: 9 } }, 0, T)).toBe(false);
    expect(
      await saveFlowRecord(db, { flow: 'rollout', id: 'R1', state: 'done', lookup: 'N-1', data: { n: 2 } }, 1, T + 1),
    ).toBe(true);
    expect(await saveFlowRecord(db, { flow: 'rollout', id: 'R1', state: 'open', data: { n: 3 } }, 1, T + 2)).toBe(
      false,
    );
    await expect(
      saveFlowRecordOrThrow(db, { flow: 'rollout', id: 'R1', state: 'open', data: {} }, 1, T + 3),
    ).rejects.toBeInstanceOf(StaleFlowRecord);
    await saveFlowRecordOrThrow(db, { flow: 'rollout', id: 'R2', state: 'open', data: { n: 5 } }, 0, T + 4);
    expect(await getFlowRecord(db, 'rollout', 'R1')).toEqual({
      flow: 'rollout',
      id: 'R1',
      state: 'done',
      lookup: 'N-1',
      version: 2,
      data: { n: 2 },
    });
    expect(await getFlowRecord(db, 'onboarding', 'R1')).toBeNull();
    expect((await findFlowRecordByLookup(db, 'rollout', 'N-1'))?.id).toBe('R1');
    expect(await findFlowRecordByLookup(db, 'rollout', 'N-2')).toBeNull();
    expect((await listFlowRecords(db, 'rollout', ['open'])).map((r) => r.id)).toEqual(['R2']);
    expect((await listFlowRecords(db, 'rollout', ['open', 'done'])).map((r) => r.id)).toEqual(['R1', 'R2']);
    expect(await listFlowRecords(db, 'rollout', [])).toEqual([]);
  });

  it('field memory: each side keeps its newest value; an older write does not overwrite it', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await rememberField(db, 'case', 'C-1', 'status', 'clickup', { value: 'in review', at: 10 });
    await rememberField(db, 'case', 'C-1', 'status', 'tradinggrid', { value: 'received', at: 5 });
    await rememberField(db, 'case', 'C-1', 'status', 'clickup', { value: 'stale', at: 9 });
    await rememberField(db, 'case', 'C-1', 'status', 'clickup', { value: 'resolved', at: 10 });
    expect(await getFieldMemory(db, 'case', 'C-1', 'status')).toEqual({
      clickup: { value: 'resolved', at: 10 },
      tradinggrid: { value: 'received', at: 5 },
    });
    expect(await getFieldMemory(db, 'case', 'C-2', 'status')).toEqual({});
  });

  it('documents: recorded once per content, the ids of each side filled in as they become known', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const d = {
      case_id: 'C-1',
      sha256: 'ab'.repeat(32),
      name: 'pod.pdf',
      kind: 'proof_of_delivery',
      origin: 'tradinggrid',
      tg_document_id: 'D-1',
      cu_attachment_id: null,
      size_bytes: 1234,
    };
    await recordDocument(db, d, T);
    await recordDocument(db, { ...d, tg_document_id: 'D-other', cu_attachment_id: 'A-9' }, T + 1);
    const got = await getDocument(db, 'C-1', d.sha256);
    expect(got && { ...got, size_bytes: Number(got.size_bytes), created_at: Number(got.created_at) }).toEqual({
      ...d,
      cu_attachment_id: 'A-9',
      created_at: T,
    });
    expect(await getDocument(db, 'C-2', d.sha256)).toBeNull();
    await recordDocument(db, { ...d, sha256: 'cd'.repeat(32), name: 'b.pdf' }, T - 1);
    expect((await listDocuments(db, 'C-1')).map((x) => x.name)).toEqual(['b.pdf', 'pod.pdf']);
  });

  it('jobs: retry (with and without a refunded attempt), advance, dead letters with details, replay, gauges and queue summary', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await enqueueJobs(
      db,
      [
        anyJob({ kind: 'a', key: 'a1', payload: { n: 1 }, queueKey: 'case:C-1' }),
        anyJob({ kind: 'a', key: 'a2', payload: {} }),
        anyJob({ kind: 'b', key: 'b1', payload: {}, runAt: T + 60_000 }),
      ],
      T,
    );
    const claimed = await claimJobs(db, store.dialect, 'w', 2, 10_000, T);
    expect(claimed.map((j) => j.key).sort()).toEqual(['a1', 'a2']);
    const a1 = claimed.find((j) => j.key === 'a1')!;
    const a2 = claimed.find((j) => j.key === 'a2')!;
    expect(await retryJob(db, a2.id, 'someone-else', T + 5, 'x', T)).toBe(false);
    expect(await retryJob(db, a2.id, 'w', T + 5000, 'ClickUp 429', T, { refundAttempt: true })).toBe(true);
    expect(
      await db
        .selectFrom('jobs')
        .select(['state', 'attempts', 'run_at', 'last_error', 'locked_by'])
        .where('key', '=', 'a2')
        .executeTakeFirstOrThrow(),
    ).toEqual({ state: 'ready', attempts: 0, run_at: T + 5000, last_error: 'ClickUp 429', locked_by: null });
    expect(await deadLetterJob(db, a1.id, 'w', 'gave up: remote 500\nstack…', T + 1)).toBe(true);
    expect(await deadLetterJob(db, a1.id, 'w', 'again', T + 2)).toBe(false);

    expect(await db.transaction().execute((trx) => advanceReadyJob(trx, 'b1', T + 10))).toBe(true);
    expect(await db.transaction().execute((trx) => advanceReadyJob(trx, 'b1', T + 20))).toBe(false); // already due
    expect(await db.transaction().execute((trx) => advanceReadyJob(trx, 'a1', T))).toBe(false); // dead, not ready
    expect(
      Number((await db.selectFrom('jobs').select('run_at').where('key', '=', 'b1').executeTakeFirstOrThrow()).run_at),
    ).toBe(T + 10);

    expect(await hasOpenDeadLetter(db, 'a', 'gave up: remote 500\nstack…')).toBe(true);
    expect(await hasOpenDeadLetter(db, 'a', 'gave up')).toBe(false);
    expect(await hasOpenDeadLetter(db, 'b', 'gave up: remote 500\nstack…')).toBe(false);
    const [dl] = await listDeadLetterDetails(db);
    expect(dl).toEqual({
      id: dl!.id,
      jobId: a1.id,
      kind: 'a',
      key: 'a1',
      caseId: 'C-1',
      payload: '{"n":1}',
      error: 'gave up: remote 500\nstack…',
      attempts: 1,
      failedAt: T + 1,
      replayedAt: null,
      jobState: 'dead',
      jobLastError: 'gave up: remote 500\nstack…',
    });

    const now = T + 100;
    expect(await summarizeQueue(db, now)).toEqual({
      ready: 2,
      due: 1,
      running: 0,
      dead: 1,
      waiting: 0,
      oldestDueAgeMs: 90,
      deadLettersOpen: 1,
      byKind: expect.arrayContaining([
        { kind: 'a', state: 'ready', n: 1 },
        { kind: 'a', state: 'dead', n: 1 },
        { kind: 'b', state: 'ready', n: 1 },
      ]),
    });
    // The health sampler's cheap form: the same due count and age, without the count by kind.
    expect(await dueBacklog(db, now)).toEqual({ due: 1, oldestDueAgeMs: 90 });
    expect(await replayDeadLetter(db, dl!.id, now)).toEqual({ ok: true, jobId: a1.id });
    expect(await listDeadLetterDetails(db)).toEqual([]);
    expect((await listDeadLetterDetails(db, { includeReplayed: true }))[0]).toMatchObject({
      replayedAt: now,
      jobState: 'ready',
    });
    expect((await listDeadLetterDetails(db, { id: dl!.id }))[0]!.id).toBe(dl!.id);
    expect(await hasOpenDeadLetter(db, 'a', 'gave up: remote 500\nstack…')).toBe(false);

    await saveCase(db, aCase('C-open', { slaDueAt: T + H }));
    await saveCase(db, aCase('C-done', { partnerStatus: 'resolved', resolvedAt: T }));
    const g = await countGauges(db);
    expect(g.deadLettersPending).toBe(0);
    expect([...g.jobsByState].sort((x, y) => `${x.kind}${x.state}`.localeCompare(`${y.kind}${y.state}`))).toEqual([
      { kind: 'a', state: 'ready', n: 2 },
      { kind: 'b', state: 'ready', n: 1 },
    ]);
    expect([...g.casesByState].sort((x, y) => x.partnerStatus.localeCompare(y.partnerStatus))).toEqual([
      { state: 'active', partnerStatus: 'received', n: 1 },
      { state: 'active', partnerStatus: 'resolved', n: 1 },
    ]);
    expect(g.casesBySlaState).toEqual([]);
  });

  it('timeline: runs, audit entries and dead letters of a case, merged in time order', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await recordTimeline(db, [
      { caseId: 'C-1', at: T + 2, kind: 'call', detail: 'POST /task', status: 'done', durationMs: 120, jobId: 7 },
      { caseId: 'C-1', at: T, kind: 'event', detail: 'case.opened', status: 'info' },
      { caseId: 'C-2', at: T, kind: 'event', detail: 'other case', status: 'info' },
    ]);
    await recordTimeline(db, []);
    await appendAudit(
      db,
      { actor: 'ana', entity: 'case', entityId: 'C-1', action: 'status_to_partner', after: { status: 'received' } },
      T + 1,
    );
    await appendAudit(db, { actor: 'ana', entity: 'case', entityId: 'C-1', action: 'note' }, T + 3);
    const items = await listCaseTimeline(db, 'C-1');
    expect(items.map((i) => [i.at, i.kind, i.detail, i.status, i.durationMs, i.jobId, i.source])).toEqual([
      [T, 'event', 'case.opened', 'info', null, null, 'timeline'],
      [T + 1, 'sent_to_partner', 'status_to_partner by ana: {"status":"received"}', 'info', null, null, 'audit'],
      [T + 2, 'call', 'POST /task', 'done', 120, 7, 'timeline'],
      [T + 3, 'decision', 'note by ana', 'info', null, null, 'audit'],
    ]);
  });

  it('AC partner snapshot: absent, stored, replaced', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await getAcPartner(db, 'C1')).toBeNull();
    await putAcPartner(db, 'C1', 'active', '{"name":"Acme"}', T);
    await putAcPartner(db, 'C1', 'inactive', '{"name":"Acme","status":"inactive"}', T + 1);
    expect(await getAcPartner(db, 'C1')).toBe('{"name":"Acme","status":"inactive"}');
  });

  it('scorecards: per-partner counts and the weekly resolution trend, aggregated in SQL', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const WEEK = 7 * 24 * H;
    const w0 = 2900 * WEEK; // a week boundary
    const now = w0 + 3 * WEEK;
    await saveCase(db, aCase('A', { partnerId: 'P-1', partnerName: 'Old name', openedAt: w0, slaDueAt: w0 + H })); // open, breached
    await saveCase(
      db,
      aCase('B', {
        partnerId: 'P-1',
        partnerName: 'One',
        openedAt: w0,
        slaDueAt: w0 + 10 * H,
        resolvedAt: w0 + 2 * H,
        partnerStatus: 'resolved',
      }),
    ); // met
    await saveCase(
      db,
      aCase('C', {
        partnerId: 'P-1',
        partnerName: 'One',
        openedAt: w0 + WEEK,
        slaDueAt: w0 + WEEK + H,
        resolvedAt: w0 + WEEK + 5 * H,
        partnerStatus: 'resolved',
      }),
    ); // missed
    await saveCase(db, aCase('D', { partnerId: 'P-2', partnerName: 'Two', openedAt: w0 + 5 })); // open, no due date
    const r = await computeScorecards(db, now, 12);
    expect(r.weekMs).toBe(WEEK);
    expect(r.partners).toEqual([
      {
        partnerId: 'P-1',
        partnerName: 'One',
        open: 1,
        resolved: 2,
        slaTracked: 2,
        slaMet: 1,
        breachedOpen: 1,
        avgResolutionMs: 3.5 * H,
      },
      {
        partnerId: 'P-2',
        partnerName: 'Two',
        open: 1,
        resolved: 0,
        slaTracked: 0,
        slaMet: 0,
        breachedOpen: 0,
        avgResolutionMs: null,
      },
    ]);
    expect(r.trend).toEqual([
      { partnerId: 'P-1', weekStart: w0, resolved: 1, avgResolutionMs: 2 * H },
      { partnerId: 'P-1', weekStart: w0 + WEEK, resolved: 1, avgResolutionMs: 5 * H },
    ]);
    // The rows a period's scorecard folds: resolved in the window, resolved after it but opened before
    // its as-of time, and still open.
    const rows = await scorecardRows(db, { start: w0 + WEEK, end: w0 + 2 * WEEK, asOf: w0 + 2 * WEEK });
    expect([...rows].sort()).toEqual([
      ['P-1', 'received', w0, null, w0 + H],
      ['P-1', 'resolved', w0 + WEEK, w0 + WEEK + 5 * H, w0 + WEEK + H],
      ['P-2', 'received', w0 + 5, null, null],
    ]);
    expect(await scorecardRows(db, { start: w0 + WEEK, end: w0 + 2 * WEEK, asOf: w0 + 2 * WEEK }, 'P-2')).toEqual([
      ['P-2', 'received', w0 + 5, null, null],
    ]);
  });

  it('SLA list: open cases breached or in their last quarter, most urgent first, with their task', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const now = T + 10 * H;
    await saveCase(db, aCase('late', { slaDueAt: T + 5 * H }));
    await saveCase(db, aCase('risk', { slaDueAt: T + 12 * H }));
    await saveCase(db, aCase('track', { slaDueAt: T + 40 * H }));
    await saveCase(db, aCase('closed', { slaDueAt: T + H, state: 'closed' }));
    await saveCase(db, aCase('done', { slaDueAt: T + H, resolvedAt: T, partnerStatus: 'resolved' }));
    await saveCase(db, aCase('none'));
    await recordLink(db, { entity: 'case', entityId: 'risk', cuTaskId: 'T-risk', cuListId: 'L' }, T);
    expect((await listSlaCases(db, now)).map((x) => [x.record.id, x.cuTaskId, x.breached])).toEqual([
      ['late', null, true],
      ['risk', 'T-risk', false],
    ]);
    expect((await listSlaCases(db, now, 1)).map((x) => x.record.id)).toEqual(['late']);
  });

  it('mailbox: acknowledgements kept once with their payload; held cases found by EDI address prefix', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(
      await recordMailboxAcknowledgement(db, { eventId: 'ack-1', type: '997', payload: { accepted: true } }, T),
    ).toBe(true);
    expect(
      await recordMailboxAcknowledgement(db, { eventId: 'ack-1', type: '997', payload: { accepted: false } }, T + 1),
    ).toBe(false);
    expect(await getInboundEventPayload(db, 'mailbox_ack', 'ack-1')).toEqual({ accepted: true });
    expect(await getInboundEventPayload(db, 'mailbox_ack', 'ack-2')).toBeNull();
    await saveCase(
      db,
      aCase('M-1', { source: 'mailbox', state: 'needs_mapping', partnerId: 'ZZ:ACME_1', openedAt: T + 2 }),
    );
    await saveCase(
      db,
      aCase('M-2', { source: 'mailbox', state: 'needs_mapping', partnerId: 'ZZ:ACME_2', openedAt: T + 1 }),
    );
    await saveCase(db, aCase('M-3', { source: 'mailbox', state: 'active', partnerId: 'ZZ:ACME_3' }));
    await saveCase(db, aCase('M-4', { source: 'community', state: 'needs_mapping', partnerId: 'ZZ:ACME_4' }));
    await saveCase(db, aCase('M-5', { source: 'mailbox', state: 'needs_mapping', partnerId: 'ZZ:OTHER' }));
    expect(await listHeldMailboxCases(db, 'ZZ:ACME')).toEqual([
      { id: 'M-2', partner_id: 'ZZ:ACME_2' },
      { id: 'M-1', partner_id: 'ZZ:ACME_1' },
    ]);
    expect(await listHeldMailboxCases(db, 'ZZ:ACME', 1)).toEqual([{ id: 'M-2', partner_id: 'ZZ:ACME_2' }]);
  });
});
