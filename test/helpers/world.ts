import {
  startClickUpSandbox,
  type ClickUpSandbox,
  type ClickUpSandboxOptions,
} from '../../src/sandbox/clickup/server.ts';
import {
  startTradingGridSandbox,
  type TradingGridSandbox,
  type TradingGridSandboxOptions,
} from '../../src/sandbox/tradinggrid/index.ts';
import { configForSandboxes } from '../../src/cli/sandboxSetup.ts';
import { startBridge, type Bridge, type BridgeOptions } from '../../src/server/bridge.ts';
import { tempSqliteStore } from './tempStore.ts';
import type { GridbridgeConfig } from '../../src/config/schema.ts';
import type { ResolvedSecrets } from '../../src/config/load.ts';

export interface World {
  cu: ClickUpSandbox;
  tg: TradingGridSandbox;
  dir: string;
  storeUrl: string;
  config: GridbridgeConfig;
  secrets: ResolvedSecrets;
  bridge: Bridge | null;
  startBridge(extra?: Partial<BridgeOptions>): Promise<Bridge>;
  close(): Promise<void>;
}

/** Both sandboxes on loopback, a temp SQLite file, and the config that joins them; the bridge starts on demand. */
/**
 * `ediOnly`: the deployment has no community endpoint (tradinggrid.driver mailbox, no rollouts, which need it);
 * the Trading Grid sandbox still runs so a test can check that nothing called it.
 */
export async function createWorld(
  o: {
    cu?: ClickUpSandboxOptions;
    tg?: TradingGridSandboxOptions;
    partners?: Record<string, { name?: string; tier?: string }>;
    extra?: Record<string, unknown>;
    ediOnly?: boolean;
  } = {},
): Promise<World> {
  const cu = await startClickUpSandbox({ rateLimitPerMinute: null, ...o.cu });
  const tg = await startTradingGridSandbox({ ...o.tg });
  const tmp = await tempSqliteStore();
  await tmp.store.close();
  const { config, secrets } = configForSandboxes(
    { clickup: { url: cu.url, token: cu.token, teamId: cu.teamId, lists: cu.lists }, tradinggrid: tg },
    {
      storeUrl: tmp.url,
      partners: o.partners,
      extra: o.extra,
      ediOnly: o.ediOnly,
      clickupUnmetered: (o.cu?.rateLimitPerMinute ?? null) === null,
    },
  );
  const world: World = {
    cu,
    tg,
    dir: tmp.dir,
    storeUrl: tmp.url,
    config,
    secrets,
    bridge: null,
    async startBridge(extra = {}) {
      const b = await startBridge({ config, secrets, ...extra });
      if (!o.ediOnly) tg.setWebhookUrl(`${b.url}/webhooks/tradinggrid`);
      world.bridge = b;
      return b;
    },
    async close() {
      tg.setWebhookUrl(undefined);
      if (world.bridge) await world.bridge.stop().catch(() => undefined);
      await Promise.allSettled([cu.close(), tg.close()]);
      await tmp.cleanup();
    },
  };
  return world;
}

/** Poll until `check` returns a truthy value or the time is up (then throw with `what`). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25)); // sleep-ok: the poll interval of a condition wait
  }
}

/** Wait until both sandboxes delivered their webhooks and the bridge has nothing due (three rounds, for echoes of echoes). */
export async function settle(w: World): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await Promise.all([w.cu.webhooksSettled(), w.tg.idle()]);
    await eventually(
      'an idle queue',
      async () => {
        const busy = await w
          .bridge!.store.db.selectFrom('jobs')
          .select('id')
          .where('state', 'in', ['ready', 'running'])
          .where('run_at', '<=', Date.now() + 2500)
          .execute();
        return busy.length === 0 && w.bridge!.dispatcher.inFlightCount === 0;
      },
      15_000,
    );
  }
}

/**
 * A person creates a rollout marker task (tag `rollout`, audience "all") in the ClickUp sandbox's rollouts list,
 * through its public API as ClickUp's UI would: the next `rollouts.scan` starts the notice. Returns the task id.
 */
export async function postRolloutMarker(cu: ClickUpSandbox, name: string, description: string): Promise<string> {
  const list = cu.lists.rollouts;
  const audience = cu.state.lists.get(list)!.fieldIds.find((id) => cu.state.fields.get(id)!.name === 'Audience')!;
  const made = await fetch(`${cu.url}/v2/list/${list}/task`, {
    method: 'POST',
    headers: { authorization: cu.token, 'content-type': 'application/json' },
    body: JSON.stringify({ name, description, tags: ['rollout'], custom_fields: [{ id: audience, value: 'all' }] }),
  });
  return ((await made.json()) as { id: string }).id;
}
