import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox, secretKeyId } from '../../src/store/secretBox.ts';
import { listSecretKeys, readSecret, rotateSecrets, storeSecret } from '../../src/store/ops/secrets.ts';
import { withSecretTables } from '../../src/store/secretTables.ts';
import { resolveSecretBox } from '../../src/server/secretKeys.ts';
import { rotateKey } from '../../src/cli/commands/secrets.ts';
import { validateConfig } from '../../src/config/load.ts';
import { tempSqliteStore } from '../helpers/tempStore.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
async function temp() {
  const t = await tempSqliteStore();
  cleanups.push(t.cleanup);
  return t;
}

function config(extra: Record<string, unknown> = {}, storeUrl = 'sqlite::memory:') {
  const r = validateConfig({
    store: { url: storeUrl },
    clickup: { token: { env: 'CU' }, team_id: 't', list_id: 'l' },
    tradinggrid: {
      driver: 'community',
      base_url: 'https://tg.example',
      tenant_id: 't',
      client_id: 'c',
      client_secret: { env: 'S' },
      webhook_secret: { env: 'W' },
    },
    ...extra,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
}

describe('secrets at rest', () => {
  it('keeps a stored secret sealed: the row holds no plaintext, reading it back opens it, the change is audited without the value', async () => {
    const { store } = await temp();
    const box = createSecretBox(randomBytes(32));
    await storeSecret(store.db, box, 'clickup.webhook.secret', 'registered-secret-123', 'test', 1000);
    const rows = await withSecretTables(store.db).selectFrom('secrets').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain('registered-secret-123');
    expect(await readSecret(store.db, box, 'clickup.webhook.secret')).toBe('registered-secret-123');
    const audit = await store.db.selectFrom('audit_log').selectAll().execute();
    expect(audit.map((a) => a.action)).toEqual(['secret_stored']);
    expect(JSON.stringify(audit)).not.toContain('registered-secret-123');
    // Storing the same value again is not a change.
    expect(
      (await storeSecret(store.db, box, 'clickup.webhook.secret', 'registered-secret-123', 'test', 2000)).changed,
    ).toBe(false);
  });

  it('rotation re-seals every value with the new key; the old key alone no longer opens them; a second run has nothing to do', async () => {
    const { store } = await temp();
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const oldBox = createSecretBox(oldKey);
    await storeSecret(store.db, oldBox, 'a', 'value-a', 'test', 1);
    await storeSecret(store.db, oldBox, 'b', 'value-b', 'test', 1);
    const rotating = createSecretBox(newKey, [oldKey]);
    const r = await rotateSecrets(store.db, rotating, 'test', 2);
    expect(r).toEqual({ rotated: ['a', 'b'], alreadyCurrent: [], unreadable: [] });
    expect((await listSecretKeys(store.db)).map((x) => x.keyId)).toEqual([secretKeyId(newKey), secretKeyId(newKey)]);
    expect(await readSecret(store.db, createSecretBox(newKey), 'a')).toBe('value-a');
    await expect(readSecret(store.db, oldBox, 'a')).rejects.toThrow(/not configured/);
    expect((await rotateSecrets(store.db, rotating, 'test', 3)).alreadyCurrent).toEqual(['a', 'b']);
    const actions = (await store.db.selectFrom('audit_log').select('action').execute()).map((x) => x.action);
    expect(actions.filter((a) => a === 'secret_rotated')).toHaveLength(2);
  });

  it('rotation reports a value no configured key opens and leaves it untouched', async () => {
    const { store } = await temp();
    await storeSecret(store.db, createSecretBox(randomBytes(32)), 'lost', 'x-value', 'test', 1);
    const r = await rotateSecrets(store.db, createSecretBox(randomBytes(32)), 'test', 2);
    expect(r.unreadable).toEqual([{ name: 'lost', reason: expect.stringMatching(/not configured/) }]);
  });

  it('`secrets rotate-key` takes the new key from GRIDBRIDGE_SECRET_KEY and the old one from --old-key-env', async () => {
    const { store, url } = await temp();
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    await storeSecret(store.db, createSecretBox(oldKey), 'clickup.webhook.secret', 'abcdef-secret', 'test', 1);
    const env = { GRIDBRIDGE_SECRET_KEY: newKey.toString('base64'), OLD_KEY: oldKey.toString('hex') };
    const r = await rotateKey({
      config: config({}, url),
      oldKeys: [{ env: 'OLD_KEY' }],
      storeUrl: url,
      source: { env, readFile: () => '' },
    });
    expect(r).toMatchObject({ ok: true, keyId: secretKeyId(newKey), report: { rotated: ['clickup.webhook.secret'] } });
    expect(await readSecret(store.db, createSecretBox(newKey), 'clickup.webhook.secret')).toBe('abcdef-secret');
  });

  it('`secrets rotate-key` refuses to run without a current key', async () => {
    const r = await rotateKey({ config: config(), oldKeys: [], source: { env: {}, readFile: () => '' } });
    expect(r).toEqual({ ok: false, problems: [expect.stringMatching(/no current key/)] });
  });

  it.each([
    ['no key anywhere', {}, {}, 'none'],
    ['the key from GRIDBRIDGE_SECRET_KEY', {}, { GRIDBRIDGE_SECRET_KEY: 'k' }, 'box'],
    ['the key from a file named in secrets.key', { secrets: { key: { file: '/keys/gb' } } }, {}, 'box'],
    ['a malformed key', { secrets: { key: { env: 'BAD' } } }, { BAD: 'hunter2' }, 'problem'],
    ['previous keys without a current one', { secrets: { previous_keys: [{ env: 'OLD' }] } }, { OLD: 'k' }, 'problem'],
  ])('resolves %s', (_name, extra, env, expected) => {
    const key = randomBytes(32).toString('base64');
    const e = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === 'k' ? key : v]));
    const r = resolveSecretBox(config(extra), { env: e, readFile: () => `${key}\n` });
    if (expected === 'problem') {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(JSON.stringify(r.problems)).not.toContain('hunter2');
    } else expect(r.ok && (r.box ? 'box' : 'none')).toBe(expected);
  });
});
