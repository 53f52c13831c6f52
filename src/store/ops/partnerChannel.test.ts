import type { Kysely } from 'kysely';
import { expect, it } from 'vitest';
import type { Database } from '../schema.ts';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { PartnerMessagesTable, PartnerTokensTable } from '../partnerChannelTables.ts';
import {
  findBouncedAddress,
  findPartnerMessageByMessageId,
  getPartnerMessage,
  insertPartnerMessage,
  listDigestMembers,
  listMessagesOfDigest,
  listPartnerMessages,
  markPartnerMessagesBounced,
  markPartnerMessagesFailed,
  markPartnerMessagesSending,
  markPartnerMessagesSent,
} from './partnerMessages.ts';
import { countPageHit, dropPageHitsBefore } from './partnerPageHits.ts';
import { findPartnerAction, getPartnerAction, listPartnerActions, recordPartnerAction } from './partnerActions.ts';
import { getPartnerFile, savePartnerFile } from './partnerFiles.ts';
import {
  getPartnerToken,
  listPartnerTokens,
  markPartnerTokenUsed,
  revokePartnerToken,
  savePartnerToken,
} from './partnerTokens.ts';
import {
  changeState,
  countHeldByActor,
  countRecentChanges,
  decideHeldChanges,
  latestChangeState,
  listHeldChanges,
  recordChange,
  type PartnerChangesTable,
} from './partnerChanges.ts';

// The partner channel's store operations (storePartnerMail, storePartnerPages, storePartnerGuard in
// scripts/mutate.mjs), each on both stores with its rows and answers checked whole.
const { describeStores, make } = await storesUnderTest('src/store/ops/partnerChannel.test.ts');

const T = 1_700_000_000_000;
const changes = (db: Kysely<Database>) => db.withTables<{ partner_changes: PartnerChangesTable }>();

const msg = (key: string, over: Partial<PartnerMessagesTable> = {}): PartnerMessagesTable => ({
  key,
  partner_id: 'P-ACME',
  kind: 'case_update',
  entity: 'case',
  entity_id: 'C-1',
  recipient: 'ops@acme.example',
  language: null,
  state: 'queued',
  message_id: `<${key}@bridge>`,
  subject: null,
  data: '{}',
  attempts: 0,
  smtp_response: null,
  digest_key: null,
  created_at: T,
  sent_at: null,
  ...over,
});

const token = (jti: string, over: Partial<PartnerTokensTable> = {}): PartnerTokensTable => ({
  jti,
  partner_id: 'P-ACME',
  entity: 'case',
  entity_id: 'C-1',
  recipient: 'ops@acme.example',
  created_at: T,
  expires_at: T + 1000,
  revoked_at: null,
  revoked_by: null,
  last_used_at: null,
  ...over,
});

describeStores('partner channel store operations on %s', (kind) => {
  it('messages: queued once per key, listed per item (by state), by digest, by Message-ID', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await insertPartnerMessage(db, msg('m2', { created_at: T + 2, state: 'sent', digest_key: 'd1' }))).toBe(
      true,
    );
    expect(await insertPartnerMessage(db, msg('m1', { created_at: T + 1, digest_key: 'd1' }))).toBe(true);
    expect(await insertPartnerMessage(db, msg('m1', { created_at: T + 9, subject: 'again' }))).toBe(false);
    await insertPartnerMessage(db, msg('m3', { created_at: T + 3, state: 'failed', digest_key: 'd1' }));
    await insertPartnerMessage(db, msg('m4', { created_at: T + 4, state: 'sending', digest_key: 'd1' }));
    await insertPartnerMessage(db, msg('m5', { created_at: T, state: 'digested', digest_key: 'd1' }));
    await insertPartnerMessage(db, msg('m6', { created_at: T, entity: 'request', digest_key: 'd2' }));
    await insertPartnerMessage(db, msg('m7', { created_at: T, entity_id: 'C-2' }));

    expect(await getPartnerMessage(db, 'm1')).toEqual(msg('m1', { created_at: T + 1, digest_key: 'd1' }));
    expect(await getPartnerMessage(db, 'nope')).toBeUndefined();
    expect((await listPartnerMessages(db, 'case', 'C-1')).map((m) => m.key)).toEqual(['m5', 'm1', 'm2', 'm3', 'm4']);
    expect((await listPartnerMessages(db, 'case', 'C-1', ['sent', 'failed'])).map((m) => m.key)).toEqual(['m2', 'm3']);
    expect(await listPartnerMessages(db, 'request', 'C-1')).toEqual([
      msg('m6', { entity: 'request', digest_key: 'd2' }),
    ]);
    expect((await listDigestMembers(db, 'd1')).map((m) => m.key)).toEqual(['m1', 'm3', 'm4']);
    expect((await listMessagesOfDigest(db, 'd1')).map((m) => m.key).sort()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(await findPartnerMessageByMessageId(db, '<m3@bridge>')).toEqual(
      msg('m3', { created_at: T + 3, state: 'failed', digest_key: 'd1' }),
    );
    expect(await findPartnerMessageByMessageId(db, '<none@bridge>')).toBeUndefined();
  });

  it('messages: sending counts an attempt (subject kept when known), failed or queued again, sent, bounced', async () => {
    const { store } = await make(kind);
    const db = store.db;
    for (const k of ['a', 'b', 'c']) await insertPartnerMessage(db, msg(k));
    await markPartnerMessagesSending(db, ['a', 'b'], 'Your case C-1');
    await markPartnerMessagesSending(db, ['a'], null);
    expect(await getPartnerMessage(db, 'a')).toEqual(
      msg('a', { state: 'sending', attempts: 2, subject: 'Your case C-1' }),
    );
    expect(await getPartnerMessage(db, 'b')).toEqual(
      msg('b', { state: 'sending', attempts: 1, subject: 'Your case C-1' }),
    );
    expect(await getPartnerMessage(db, 'c')).toEqual(msg('c'));

    await markPartnerMessagesFailed(db, ['a'], true, '451 try later');
    await markPartnerMessagesFailed(db, ['b'], false, `550 ${'x'.repeat(2100)}`);
    expect(await getPartnerMessage(db, 'a')).toEqual(
      msg('a', { state: 'queued', attempts: 2, subject: 'Your case C-1', smtp_response: '451 try later' }),
    );
    expect(await getPartnerMessage(db, 'b')).toEqual(
      msg('b', {
        state: 'failed',
        attempts: 1,
        subject: 'Your case C-1',
        smtp_response: `550 ${'x'.repeat(2100)}`.slice(0, 2000),
      }),
    );

    await markPartnerMessagesSent(db, ['a'], 'digested', '250 ok', T + 5);
    expect(await getPartnerMessage(db, 'a')).toEqual(
      msg('a', { state: 'digested', attempts: 2, subject: 'Your case C-1', smtp_response: '250 ok', sent_at: T + 5 }),
    );
    expect(await getPartnerMessage(db, 'c')).toEqual(msg('c'));

    await markPartnerMessagesBounced(db, [], 'nothing');
    await markPartnerMessagesBounced(db, ['c'], `5.1.1 ${'y'.repeat(2100)}`);
    expect(await getPartnerMessage(db, 'c')).toEqual(
      msg('c', { state: 'bounced', smtp_response: `5.1.1 ${'y'.repeat(2100)}`.slice(0, 2000) }),
    );
    expect((await getPartnerMessage(db, 'a'))?.state).toBe('digested');
  });

  it('bounced addresses: the latest bounce of an address, whatever the case of its letters (stored or asked)', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await insertPartnerMessage(
      db,
      msg('old', { recipient: 'ops@acme.example', state: 'bounced', smtp_response: 'old', created_at: T, sent_at: T }),
    );
    await insertPartnerMessage(
      db,
      msg('new', { recipient: 'Ops@ACME.example', state: 'bounced', smtp_response: 'new', created_at: T + 2 }),
    );
    await insertPartnerMessage(db, msg('sent', { state: 'sent', created_at: T + 9 }));
    await insertPartnerMessage(db, msg('other', { recipient: 'x@acme.example', state: 'bounced', created_at: T + 9 }));
    expect(await findBouncedAddress(db, 'OPS@acme.example')).toEqual({
      key: 'new',
      smtp_response: 'new',
      sent_at: null,
      created_at: T + 2,
    });
    expect(await findBouncedAddress(db, 'nobody@acme.example')).toBeUndefined();
  });

  it('page hits: counted per key and window, older windows dropped', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await countPageHit(db, 'ip:1', 10)).toBe(1);
    expect(await countPageHit(db, 'ip:1', 10)).toBe(2);
    expect(await countPageHit(db, 'ip:1', 11)).toBe(1);
    expect(await countPageHit(db, 'ip:2', 10)).toBe(1);
    expect(await countPageHit(db, 'ip:1', 10)).toBe(3);
    await dropPageHitsBefore(db, 11);
    expect(await db.selectFrom('partner_page_hits').selectAll().orderBy('key').execute()).toEqual([
      { key: 'ip:1', window: 11, n: 1 },
    ]);
    expect(await countPageHit(db, 'ip:1', 10)).toBe(1);
  });

  it('actions: stored once per id, listed per partner and item in time order, found by action', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const act = (id: string, over: Record<string, unknown> = {}) => ({
      id,
      jti: 'j1',
      partner_id: 'P-ACME',
      entity: 'case',
      entity_id: 'C-1',
      action: 'comment',
      data: '{}',
      at: T,
      ...over,
    });
    expect(await recordPartnerAction(db, act('a2', { at: T + 2, action: 'upload' }))).toBe(true);
    expect(await recordPartnerAction(db, act('a1', { at: T + 1 }))).toBe(true);
    expect(await recordPartnerAction(db, act('a1', { at: T + 5, data: '{"again":1}' }))).toBe(false);
    await recordPartnerAction(db, act('a3', { partner_id: 'P-OTHER' }));
    await recordPartnerAction(db, act('a4', { entity: 'request' }));
    await recordPartnerAction(db, act('a5', { entity_id: 'C-2' }));
    expect(await getPartnerAction(db, 'a1')).toEqual(act('a1', { at: T + 1 }));
    expect(await getPartnerAction(db, 'a9')).toBeUndefined();
    expect(await listPartnerActions(db, 'case', 'C-1', 'P-ACME')).toEqual([
      act('a1', { at: T + 1 }),
      act('a2', { at: T + 2, action: 'upload' }),
    ]);
    expect(await findPartnerAction(db, 'case', 'C-1', 'P-ACME', 'upload')).toEqual({ at: T + 2 });
    expect(await findPartnerAction(db, 'case', 'C-1', 'P-ACME', 'acknowledge')).toBeUndefined();
    expect(await findPartnerAction(db, 'case', 'C-1', 'P-NONE', 'comment')).toBeUndefined();
    expect(await findPartnerAction(db, 'request', 'C-1', 'P-ACME', 'comment')).toEqual({ at: T });
    expect(await findPartnerAction(db, 'case', 'C-2', 'P-ACME', 'comment')).toEqual({ at: T });
  });

  it('files: kept once per record and content hash, with size and bytes', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const content = Buffer.from([0, 1, 2, 255]);
    await savePartnerFile(
      db,
      { caseId: 'C-1', sha256: 'h1', name: 'a.pdf', contentType: 'application/pdf', content },
      T,
    );
    await savePartnerFile(
      db,
      { caseId: 'C-1', sha256: 'h1', name: 'b.pdf', contentType: 'text/plain', content: Buffer.from('x') },
      T + 1,
    );
    await savePartnerFile(db, { caseId: 'C-2', sha256: 'h1', name: 'c.pdf', contentType: 'text/plain', content }, T);
    const f = await getPartnerFile(db, 'C-1', 'h1');
    expect({ ...f, content: Buffer.from(f!.content) }).toEqual({
      case_id: 'C-1',
      sha256: 'h1',
      name: 'a.pdf',
      content_type: 'application/pdf',
      size_bytes: 4,
      content,
      created_at: T,
    });
    expect(await getPartnerFile(db, 'C-1', 'h2')).toBeUndefined();
    expect(await getPartnerFile(db, 'C-3', 'h1')).toBeUndefined();
  });

  it('page links: kept once per id, listed per item oldest first, used and revoked one by one', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const fresh = (t: PartnerTokensTable) => {
      const { revoked_at: _r, revoked_by: _b, last_used_at: _l, ...rest } = t;
      return rest;
    };
    await savePartnerToken(db, fresh(token('t2', { created_at: T + 2 })));
    await savePartnerToken(db, fresh(token('t1', { created_at: T + 1 })));
    await savePartnerToken(db, fresh(token('t1', { created_at: T + 9, expires_at: T + 99 })));
    await savePartnerToken(db, fresh(token('t3', { entity: 'request' })));
    await savePartnerToken(db, fresh(token('t4', { entity_id: 'C-2' })));
    expect(await getPartnerToken(db, 't1')).toEqual(token('t1', { created_at: T + 1 }));
    expect(await getPartnerToken(db, 't9')).toBeUndefined();
    expect(await listPartnerTokens(db, 'case', 'C-1')).toEqual([
      token('t1', { created_at: T + 1 }),
      token('t2', { created_at: T + 2 }),
    ]);
    await markPartnerTokenUsed(db, 't1', T + 10);
    await revokePartnerToken(db, 't2', 'ana', T + 20);
    expect(await listPartnerTokens(db, 'case', 'C-1')).toEqual([
      token('t1', { created_at: T + 1, last_used_at: T + 10 }),
      token('t2', { created_at: T + 2, revoked_at: T + 20, revoked_by: 'ana' }),
    ]);
    expect(await getPartnerToken(db, 't3')).toEqual(token('t3', { entity: 'request' }));
  });

  it('changes: counted once per job key since a time, per person; states by key and by a key made from it', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const job = (key: string, over: Record<string, unknown> = {}) => ({
      kind: 'tradinggrid.set_status',
      key,
      payload: { caseId: 'C-1', status: 'resolved' },
      ...over,
    });
    expect(await recordChange(db, { actor: 'ana', at: T, job: job('k1'), state: 'sent' })).toBe(true);
    expect(await recordChange(db, { actor: 'ana', at: T + 1, job: job('k1'), state: 'held' })).toBe(false);
    await recordChange(db, { actor: 'ana', at: T + 5, job: job('k2'), state: 'held', reason: 'burst' });
    await recordChange(db, { actor: 'ana', at: T - 1, job: job('k3'), state: 'sent' });
    await recordChange(db, { actor: 'bob', at: T + 5, job: job('k4'), state: 'sent' });
    await recordChange(db, {
      actor: 'bob',
      at: T + 6,
      job: job('task:1:2', { queueKey: 'q1', maxAttempts: 3, payload: { status: 'x' } }),
      state: 'held',
      caseId: 'C-9',
    });
    expect(await countRecentChanges(db, 'ana', T)).toBe(2);
    expect(await countRecentChanges(db, 'ana', T + 5)).toBe(1);
    expect(await countRecentChanges(db, 'ana', T + 6)).toBe(0);
    expect(await countRecentChanges(db, 'carl', 0)).toBe(0);
    // Without ids: PostgreSQL's sequence moves on for the refused repeat, SQLite's does not.
    expect(
      (await changes(db).selectFrom('partner_changes').selectAll().orderBy('id').execute()).map(
        ({ id: _id, ...r }) => r,
      ),
    ).toEqual([
      {
        actor: 'ana',
        at: T,
        case_id: 'C-1',
        kind: 'tradinggrid.set_status',
        job_key: 'k1',
        queue_key: null,
        payload: '{"payload":{"caseId":"C-1","status":"resolved"},"maxAttempts":null}',
        state: 'sent',
        reason: null,
        decided_by: null,
        decided_at: null,
      },
      expect.objectContaining({ job_key: 'k2', state: 'held', reason: 'burst' }),
      expect.objectContaining({ job_key: 'k3' }),
      expect.objectContaining({ job_key: 'k4', actor: 'bob' }),
      {
        actor: 'bob',
        at: T + 6,
        case_id: 'C-9',
        kind: 'tradinggrid.set_status',
        job_key: 'task:1:2',
        queue_key: 'q1',
        payload: '{"payload":{"status":"x"},"maxAttempts":3}',
        state: 'held',
        reason: null,
        decided_by: null,
        decided_at: null,
      },
    ]);
    expect(await changeState(db, 'k2')).toBe('held');
    expect(await changeState(db, 'k9')).toBeNull();
    expect(await latestChangeState(db, 'task:1')).toBe('held');
    expect(await latestChangeState(db, 'task:1:2')).toBe('held');
    expect(await latestChangeState(db, 'k')).toBeNull();
    expect(await latestChangeState(db, 'task')).toBe('held');
    expect(await latestChangeState(db, 'tas')).toBeNull();
    expect(await latestChangeState(db, 'task:1:')).toBeNull();
    await recordChange(db, { actor: 'bob', at: T + 7, job: job('task:1:3'), state: 'sent' });
    await recordChange(db, { actor: 'bob', at: T + 8, job: job('task:1;x'), state: 'held' });
    await recordChange(db, { actor: 'bob', at: T + 8, job: job('task:10'), state: 'held' });
    expect(await latestChangeState(db, 'task:1')).toBe('sent');
  });

  it('held changes: listed in order with a summary per kind, counted per person', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const kinds: Array<[string, unknown, string]> = [
      ['tradinggrid.set_status', { status: 'resolved' }, 'status → resolved'],
      ['tradinggrid.add_comment', { body: 'b'.repeat(90) }, `comment: ${'b'.repeat(80)}`],
      ['tradinggrid.add_comment', {}, 'comment: '],
      ['tradinggrid.upload_document', { title: 'invoice.pdf' }, 'file: invoice.pdf'],
      ['tradinggrid.upload_document', {}, 'file: '],
      ['approval.post_decision', { requestId: 'R-1', outcome: 'approved' }, 'decision on R-1 → approved'],
      ['approval.post_comment', { requestId: 'R-1', text: 't'.repeat(90) }, `comment on R-1: ${'t'.repeat(80)}`],
      ['approval.post_comment', { requestId: 'R-2' }, 'comment on R-2: '],
      ['onboarding.set_partner_status', { partnerId: 'P-1', status: 'live' }, 'partner P-1 → live'],
      ['rollout.start', { title: 'r'.repeat(90) }, `notice: ${'r'.repeat(80)}`],
      ['rollout.start', {}, 'notice: '],
      [
        'cu.event',
        { task_id: 'T1', history_items: [{ field: 'name' }, { field: 'status', after: { status: 'done' } }] },
        'ClickUp status of task T1 → "done"',
      ],
      [
        'cu.event',
        { task_id: 'T2', history_items: [{ field: 'status', after: 'open' }] },
        'ClickUp status of task T2 → "open"',
      ],
      [
        'cu.event',
        { task_id: 'T3', history_items: [{ field: 'name' }, { field: 'due_date' }] },
        'ClickUp change of task T3: name, due_date',
      ],
      ['cu.event', { task_id: 'T4', history_items: 'nope' }, 'ClickUp change of task T4: '],
      [
        'cu.event',
        { task_id: 'T5', history_items: [{ field: 'status', after: {} }] },
        'ClickUp change of task T5: status',
      ],
      ['group.build', { index: 2, plan: { entity: 'case', groupId: 'G-1' } }, 'case G-1: task 2 of the group'],
      ['group.build', { index: 1 }, 'undefined undefined: task 1 of the group'],
      ['other.kind', { x: 1 }, 'other.kind'],
    ];
    let i = 0;
    for (const [k, payload] of kinds)
      await recordChange(db, {
        actor: i % 3 === 0 ? 'bob' : 'ana',
        at: T + i,
        job: { kind: k, key: `k${i++}`, payload },
        state: 'held',
        reason: i === 1 ? 'burst' : null,
      });
    await recordChange(db, { actor: 'carl', at: T, job: { kind: 'x', key: 'sent', payload: {} }, state: 'sent' });
    const held = await listHeldChanges(db);
    expect(held.map((h) => h.summary)).toEqual(kinds.map(([, , s]) => s));
    expect(held[0]).toEqual({
      id: 1,
      actor: 'bob',
      at: T,
      caseId: null,
      kind: 'tradinggrid.set_status',
      reason: 'burst',
      summary: 'status → resolved',
    });
    expect(held[1]).toEqual(expect.objectContaining({ id: 2, actor: 'ana', at: T + 1, reason: null }));
    expect((await listHeldChanges(db, 2)).map((h) => h.id)).toEqual([1, 2]);
    expect((await countHeldByActor(db)).sort((a, b) => a.actor.localeCompare(b.actor))).toEqual([
      { actor: 'ana', n: 12 },
      { actor: 'bob', n: 7 },
    ]);
  });

  it('held changes: two admins deciding at once get each change once between them', async () => {
    const { store } = await make(kind);
    const db = store.db;
    for (const key of ['a', 'b', 'c'])
      await recordChange(db, {
        actor: 'ana',
        at: T,
        job: { kind: 'tradinggrid.set_status', key, payload: {} },
        state: 'held',
      });
    // Both read the three held rows before either writes (one connection on SQLite: the reads are queued first).
    const [first, second] = await Promise.all([
      decideHeldChanges(db, { all: true }, 'released', 'ana', T + 1),
      decideHeldChanges(db, { actor: 'ana' }, 'dropped', 'bob', T + 1),
    ]);
    expect([...first, ...second].map((r) => r.job.key).sort()).toEqual(['a', 'b', 'c']);
    const decided = await changes(db)
      .selectFrom('partner_changes')
      .select(['job_key', 'state', 'decided_by'])
      .execute();
    expect(decided.map((r) => `${r.job_key}:${r.state}:${r.decided_by}`).sort()).toEqual(
      [...first.map((r) => `${r.job.key}:released:ana`), ...second.map((r) => `${r.job.key}:dropped:bob`)].sort(),
    );
  });

  it('held changes: released or dropped once, by ids, by person or all; the job given back whole', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const rec = (actor: string, key: string, state: 'sent' | 'held', extra: Record<string, unknown> = {}) =>
      recordChange(db, {
        actor,
        at: T,
        job: { kind: 'tradinggrid.set_status', key, payload: { caseId: `C-${key}`, status: 's' }, ...extra },
        state,
      });
    await rec('ana', 'a1', 'held', { queueKey: 'q', maxAttempts: 4 });
    await rec('ana', 'a2', 'held');
    await rec('bob', 'b1', 'held');
    await rec('bob', 'b2', 'sent');
    await rec('carl', 'c1', 'held');
    expect(await decideHeldChanges(db, { ids: [] }, 'released', 'admin', T + 1)).toEqual([]);
    expect(await decideHeldChanges(db, { ids: [4] }, 'released', 'admin', T + 1)).toEqual([]);
    expect(await decideHeldChanges(db, { ids: [2, 1] }, 'released', 'admin', T + 1)).toEqual([
      {
        id: 1,
        caseId: 'C-a1',
        actor: 'ana',
        job: {
          kind: 'tradinggrid.set_status',
          key: 'a1',
          queueKey: 'q',
          payload: { caseId: 'C-a1', status: 's' },
          maxAttempts: 4,
        },
      },
      {
        id: 2,
        caseId: 'C-a2',
        actor: 'ana',
        job: { kind: 'tradinggrid.set_status', key: 'a2', queueKey: null, payload: { caseId: 'C-a2', status: 's' } },
      },
    ]);
    expect(await decideHeldChanges(db, { ids: [1] }, 'dropped', 'admin', T + 2)).toEqual([]);
    expect((await decideHeldChanges(db, { actor: 'bob' }, 'dropped', 'eve', T + 3)).map((r) => r.id)).toEqual([3]);
    expect((await decideHeldChanges(db, { all: true }, 'released', 'eve', T + 4)).map((r) => r.id)).toEqual([5]);
    expect(await decideHeldChanges(db, { all: true }, 'released', 'eve', T + 5)).toEqual([]);
    expect(
      (
        await changes(db)
          .selectFrom('partner_changes')
          .select(['id', 'state', 'decided_by', 'decided_at'])
          .orderBy('id')
          .execute()
      ).map((r) => ({ ...r, id: Number(r.id) })),
    ).toEqual([
      { id: 1, state: 'released', decided_by: 'admin', decided_at: T + 1 },
      { id: 2, state: 'released', decided_by: 'admin', decided_at: T + 1 },
      { id: 3, state: 'dropped', decided_by: 'eve', decided_at: T + 3 },
      { id: 4, state: 'sent', decided_by: null, decided_at: null },
      { id: 5, state: 'released', decided_by: 'eve', decided_at: T + 4 },
    ]);
  });
});
