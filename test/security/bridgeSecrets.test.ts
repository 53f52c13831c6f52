import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../helpers/world.ts';
import { openStore } from '../../src/store/db.ts';
import { withSecretTables } from '../../src/store/secretTables.ts';
import { createSecretBox } from '../../src/store/secretBox.ts';
import { readSecret } from '../../src/store/ops/secrets.ts';
import { CLICKUP_WEBHOOK_SECRET } from '../../src/server/storedSecrets.ts';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
  delete process.env.GB_TEST_SECRET_KEY;
});

describe('the bridge keeps the ClickUp webhook secret sealed in the store', () => {
  it('stores the secret returned at registration sealed, and a restarted bridge starts with it before registering again', async () => {
    const key = randomBytes(32);
    process.env.GB_TEST_SECRET_KEY = key.toString('base64');
    world = await createWorld({ extra: { secrets: { key: { env: 'GB_TEST_SECRET_KEY' } } } });
    const b1 = await world.startBridge({ manualDispatch: true });
    const registered = b1.ctx.webhook.secret;
    expect(registered).toBeTruthy();
    await b1.stop();
    world.bridge = null;

    const store = await openStore(world.storeUrl);
    try {
      const rows = await withSecretTables(store.db).selectFrom('secrets').selectAll().execute();
      expect(rows.map((r) => r.name)).toEqual([CLICKUP_WEBHOOK_SECRET]);
      expect(rows[0]!.sealed).not.toContain(registered!);
      expect(await readSecret(store.db, createSecretBox(key), CLICKUP_WEBHOOK_SECRET)).toBe(registered);
    } finally {
      await store.close();
    }
    // An instance that does not register (webhook.register: false) verifies deliveries with the stored secret.
    const { startBridge } = await import('../../src/server/bridge.ts');
    const follower = await startBridge({
      config: {
        ...world.config,
        clickup: { ...world.config.clickup, webhook: { ...world.config.clickup.webhook, register: false } },
      },
      secrets: world.secrets,
      manualDispatch: true,
    });
    expect(follower.ctx.webhook.secret).toBe(registered);
    await follower.stop();
    // Registering again at another address returns a new secret: the stored one is replaced (and audited).
    const b3 = await world.startBridge({ manualDispatch: true });
    const again = await openStore(world.storeUrl);
    try {
      const now = await readSecret(again.db, createSecretBox(key), CLICKUP_WEBHOOK_SECRET);
      expect(now).toBe(b3.ctx.webhook.secret);
      const actions = (
        await again.db
          .selectFrom('audit_log')
          .select('action')
          .where('entity_id', '=', `secret:${CLICKUP_WEBHOOK_SECRET}`)
          .execute()
      ).map((r) => r.action);
      expect(actions[0]).toBe('secret_stored');
    } finally {
      await again.close();
    }
  });

  it('refuses to start with a malformed key, naming the setting and not the value', async () => {
    process.env.GB_TEST_SECRET_KEY = 'not-a-key-at-all';
    world = await createWorld({ extra: { secrets: { key: { env: 'GB_TEST_SECRET_KEY' } } } });
    const e = await world.startBridge({ manualDispatch: true }).catch((x: Error) => x);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toMatch(/secrets\.key: expected a 256-bit key/);
    expect((e as Error).message).not.toContain('not-a-key-at-all');
  });
});
