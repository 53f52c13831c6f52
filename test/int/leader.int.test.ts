import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { createPgDatabase, pgOrWarn } from '../helpers/pgStore.ts';
import { startBridge, type Bridge } from '../../src/server/bridge.ts';
import type { GridbridgeConfig } from '../../src/config/schema.ts';

/**
 * Several instances on one PostgreSQL database: one leader runs the schedules and owns the ClickUp
 * webhook, the others take over when it goes, and followers verify deliveries with the secret the
 * leader sealed in the store.
 */
const hasPg = await pgOrWarn('test/int/leader.int.test.ts');

let world: World | null = null;
let db: { url: string; drop: () => Promise<void> } | null = null;
const bridges: Bridge[] = [];
const KEY_ENV = 'GB_TEST_LEADER_KEY';
afterEach(async () => {
  await Promise.allSettled(bridges.splice(0).map((b) => b.stop()));
  await world?.close();
  world = null;
  delete process.env[KEY_ENV];
});
afterAll(async () => {
  await db?.drop();
});

describe.skipIf(!hasPg)('leader among instances on PostgreSQL', () => {
  it('one leader registers the webhook and runs schedules; a follower takes over when it stops', async () => {
    db ??= await createPgDatabase();
    world = await createWorld();
    process.env[KEY_ENV] = randomBytes(32).toString('base64');
    const config: GridbridgeConfig = {
      ...world.config,
      store: { ...world.config.store, url: db.url, leader_check_ms: 200 },
      secrets: { key: { env: KEY_ENV }, previous_keys: [] },
      clickup: { ...world.config.clickup, webhook: { ...world.config.clickup.webhook, health_cron: '* * * * * *' } },
    };
    const a = await startBridge({ config, secrets: world.secrets });
    bridges.push(a);
    const b = await startBridge({ config, secrets: world.secrets });
    bridges.push(b);
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    expect(await (await fetch(`${b.url}/healthz`)).json()).toEqual({ ok: true, role: 'follower' });
    // Only the leader registered: one webhook, at the leader's address.
    const hooks = () => [...world!.cu.state.webhooks.values()];
    expect(hooks().map((h) => h.endpoint)).toEqual([`${a.url}/webhooks/clickup`]);
    // The follower learns the leader's secret from the store (sealed), so it can verify deliveries too.
    await eventually(
      'the follower knows the webhook secret',
      () => b.ctx.webhook.secret !== null && b.ctx.webhook.secret === a.ctx.webhook.secret,
      5_000,
    );

    // The leader ticks the schedules.
    const ticksBefore = await scheduledHealthJobs(a);
    await eventually(
      'the leader to tick the schedules',
      async () => (await scheduledHealthJobs(a)) > ticksBefore,
      5_000,
    );

    await a.stop();
    bridges.splice(bridges.indexOf(a), 1);
    await eventually('the follower leads', () => b.isLeader(), 3_000);
    // The new leader keeps the webhook (its own address here: no public_url is set) and the schedule goes on.
    await eventually(
      'the webhook points at the new leader',
      () => hooks().some((h) => h.endpoint === `${b.url}/webhooks/clickup`),
      5_000,
    );
    const after = await scheduledHealthJobs(b);
    await eventually('schedules tick under the new leader', async () => (await scheduledHealthJobs(b)) > after, 3_000);
  }, 30_000);
});

async function scheduledHealthJobs(b: Bridge): Promise<number> {
  const rows = await b.store.db.selectFrom('jobs').select('key').where('kind', '=', 'clickup.webhook_health').execute();
  return rows.length;
}
