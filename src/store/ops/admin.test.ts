import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { CaseRecord } from '../../core/case.ts';
import { createSecretBox, secretKeyId } from '../secretBox.ts';
import { withSecretTables } from '../secretTables.ts';
import { createAdminSession, findAdminSession, revokeAdminSessions } from './adminSessions.ts';
import { keepFirstSecret, listSecretKeys, readSecret, rotateSecrets, storeSecret } from './secrets.ts';
import { listAudit } from './audit.ts';
import { getAcPartner, putAcPartner } from './acPartnerSnapshot.ts';
import { listPartnerNames } from './listPartnerNames.ts';
import { saveCase } from './cases.ts';

// The console's store operations (storeAdmin in scripts/mutate.mjs) beyond parity.test.ts: sessions revoked, secrets
// replaced, kept first, rotated past unreadable and current rows (rows and audit checked whole), the AC snapshot
// row, partner names from the latest case.
const { describeStores, make } = await storesUnderTest('src/store/ops/admin.test.ts');

const T = 1_700_000_000_000;

describeStores('console store operations on %s', (kind) => {
  it('admin sessions: revoked all at once or one actor at a time, with the count', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const s = (id_hash: string, actor: string) => ({
      id_hash,
      actor,
      role: 'admin' as const,
      csrf_token: `c-${id_hash}`,
      created_at: T,
      expires_at: T + 1000,
      last_seen_at: T,
    });
    for (const [h, a] of [
      ['h1', 'ana'],
      ['h2', 'ana'],
      ['h3', 'bob'],
      ['h4', 'carl'],
    ])
      await createAdminSession(db, s(h!, a!));
    expect(await revokeAdminSessions(db, 'ana')).toBe(2);
    expect(await revokeAdminSessions(db, 'nobody')).toBe(0);
    expect(await findAdminSession(db, 'h1', T)).toBeNull();
    expect(await findAdminSession(db, 'h3', T)).toEqual(s('h3', 'bob'));
    expect(await revokeAdminSessions(db, '')).toBe(2);
    expect(await findAdminSession(db, 'h3', T)).toBeNull();
    expect(await revokeAdminSessions(db)).toBe(0);
  });

  it('secrets: a changed value replaced and audited with the key ids; an unreadable one overwritten', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    const box = createSecretBox(k1);
    expect(await storeSecret(db, box, 'a', 'one', 'ana', T)).toEqual({ changed: true });
    expect(await storeSecret(db, box, 'a', 'two', 'bob', T + 1)).toEqual({ changed: true });
    expect(await readSecret(db, box, 'a')).toBe('two');
    // The same value under another current key: rewritten (sealed with the new key).
    const box2 = createSecretBox(k2, [k1]);
    expect(await storeSecret(db, box2, 'a', 'two', 'carl', T + 2)).toEqual({ changed: true });
    expect(await listSecretKeys(db)).toEqual([{ name: 'a', keyId: secretKeyId(k2), updatedAt: T + 2 }]);
    // A box that cannot open the stored value (its key is gone): overwritten with the value given.
    const box3 = createSecretBox(randomBytes(32));
    expect(await storeSecret(db, box3, 'a', 'two', 'dan', T + 3)).toEqual({ changed: true });
    expect(await readSecret(db, box3, 'a')).toBe('two');
    const audit = (await listAudit(db, 'setting', 'secret:a')).map((r) => [
      r.actor,
      r.action,
      r.before,
      r.after,
      Number(r.at),
    ]);
    expect(audit).toEqual([
      ['ana', 'secret_stored', null, JSON.stringify({ keyId: secretKeyId(k1) }), T],
      [
        'bob',
        'secret_replaced',
        JSON.stringify({ keyId: secretKeyId(k1) }),
        JSON.stringify({ keyId: secretKeyId(k1) }),
        T + 1,
      ],
      [
        'carl',
        'secret_replaced',
        JSON.stringify({ keyId: secretKeyId(k1) }),
        JSON.stringify({ keyId: secretKeyId(k2) }),
        T + 2,
      ],
      [
        'dan',
        'secret_replaced',
        JSON.stringify({ keyId: secretKeyId(k2) }),
        JSON.stringify({ keyId: box3.currentKeyId }),
        T + 3,
      ],
    ]);
  });

  it('secrets: the first value kept wins and is read back; audited once', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const box = createSecretBox(randomBytes(32));
    expect(await keepFirstSecret(db, box, 'session.key', 'first', 'bridge', T)).toBe('first');
    expect(await keepFirstSecret(db, box, 'session.key', 'second', 'other', T + 1)).toBe('first');
    expect(await listSecretKeys(db)).toEqual([{ name: 'session.key', keyId: box.currentKeyId, updatedAt: T }]);
    expect(
      (await listAudit(db, 'setting', 'secret:session.key')).map((r) => [r.actor, r.action, r.before, r.after]),
    ).toEqual([['bridge', 'secret_stored', null, JSON.stringify({ keyId: box.currentKeyId })]]);
  });

  it('secrets: rotation re-seals old rows, leaves current ones, reports unreadable ones untouched', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const old = randomBytes(32);
    const next = randomBytes(32);
    const lost = randomBytes(32);
    await storeSecret(db, createSecretBox(old), 'b.old', 'vb', 'ana', T);
    await storeSecret(db, createSecretBox(next), 'a.current', 'va', 'ana', T);
    await storeSecret(db, createSecretBox(lost), 'c.lost', 'vc', 'ana', T);
    // A row whose key id says current but whose sealed value names the old key: rotated too.
    const mixed = createSecretBox(old).seal('vd', 'd.mixed');
    await withSecretTables(db)
      .insertInto('secrets')
      .values({ name: 'd.mixed', key_id: secretKeyId(next), sealed: mixed, updated_at: T })
      .execute();
    // And the other way round: sealed with the current key, the key id column left behind (kept in step since).
    const stale = createSecretBox(next).seal('ve', 'e.stalecol');
    await withSecretTables(db)
      .insertInto('secrets')
      .values({ name: 'e.stalecol', key_id: secretKeyId(old), sealed: stale, updated_at: T })
      .execute();
    const lostRow = await withSecretTables(db).selectFrom('secrets').selectAll().where('name', '=', 'c.lost').execute();
    const box = createSecretBox(next, [old]);
    const report = await rotateSecrets(db, box, 'eve', T + 5);
    expect(report.rotated).toEqual(['b.old', 'd.mixed', 'e.stalecol']);
    expect(report.alreadyCurrent).toEqual(['a.current']);
    expect(report.unreadable).toHaveLength(1);
    expect(report.unreadable[0]!.name).toBe('c.lost');
    expect(report.unreadable[0]!.reason).toContain(secretKeyId(lost));
    expect(await listSecretKeys(db)).toEqual([
      { name: 'a.current', keyId: secretKeyId(next), updatedAt: T },
      { name: 'b.old', keyId: secretKeyId(next), updatedAt: T + 5 },
      { name: 'c.lost', keyId: secretKeyId(lost), updatedAt: T },
      { name: 'd.mixed', keyId: secretKeyId(next), updatedAt: T + 5 },
      { name: 'e.stalecol', keyId: secretKeyId(next), updatedAt: T + 5 },
    ]);
    expect(await withSecretTables(db).selectFrom('secrets').selectAll().where('name', '=', 'c.lost').execute()).toEqual(
      lostRow,
    );
    expect(await readSecret(db, createSecretBox(next), 'b.old')).toBe('vb');
    expect(await readSecret(db, createSecretBox(next), 'd.mixed')).toBe('vd');
    expect(await readSecret(db, createSecretBox(next), 'e.stalecol')).toBe('ve');
    expect(
      (await listAudit(db, 'setting', 'secret:b.old')).map((r) => [r.actor, r.action, r.before, r.after, Number(r.at)]),
    ).toEqual([
      ['ana', 'secret_stored', null, JSON.stringify({ keyId: secretKeyId(old) }), T],
      [
        'eve',
        'secret_rotated',
        JSON.stringify({ keyId: secretKeyId(old) }),
        JSON.stringify({ keyId: secretKeyId(next) }),
        T + 5,
      ],
    ]);
    expect((await listAudit(db, 'setting', 'secret:a.current')).map((r) => r.action)).toEqual(['secret_stored']);
    expect((await listAudit(db, 'setting', 'secret:c.lost')).map((r) => r.action)).toEqual(['secret_stored']);
    expect(await rotateSecrets(db, box, 'eve', T + 6)).toEqual({
      rotated: [],
      alreadyCurrent: ['a.current', 'b.old', 'd.mixed', 'e.stalecol'],
      unreadable: [{ name: 'c.lost', reason: report.unreadable[0]!.reason }],
    });
  });

  it('AC snapshot: the row inserted, then replaced whole', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await putAcPartner(db, 'C1', 'active', '{"a":1}', T);
    await putAcPartner(db, 'C2', 'active', '{"b":1}', T);
    await putAcPartner(db, 'C1', 'inactive', '{"a":2}', T + 1);
    expect(await db.selectFrom('ac_partner_snapshot').selectAll().orderBy('partner_id').execute()).toEqual([
      { partner_id: 'C1', status: 'inactive', data: '{"a":2}', updated_at: T + 1 },
      { partner_id: 'C2', status: 'active', data: '{"b":1}', updated_at: T },
    ]);
    expect(await getAcPartner(db, 'C2')).toBe('{"b":1}');
  });

  it('partner names: the name on the latest case of each partner; none for a case without a name', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const c = (id: string, partnerId: string, partnerName: string | null, openedAt: number): CaseRecord => ({
      id,
      source: 'community',
      partnerId,
      partnerName,
      partnerTier: null,
      kind: 'dispute',
      exception: null,
      title: id,
      description: '',
      transactionRef: null,
      value: null,
      partnerStatus: 'received',
      state: 'active',
      holdReason: null,
      slaDueAt: null,
      openedAt,
      resolvedAt: null,
      updatedAt: openedAt,
    });
    await saveCase(db, c('C-1', 'P-A', 'Old name', T));
    await saveCase(db, c('C-2', 'P-A', 'New name', T + 2));
    await saveCase(db, c('C-3', 'P-A', 'Middle name', T + 1));
    await saveCase(db, c('C-4', 'P-B', 'Bee', T + 1));
    await saveCase(db, c('C-5', 'P-B', null, T + 2));
    expect(await listPartnerNames(db, ['P-A', 'P-B', 'P-C'])).toEqual(new Map([['P-A', 'New name']]));
    expect(await listPartnerNames(db, [])).toEqual(new Map());
  });
});
