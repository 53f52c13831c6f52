import pino, { type Logger } from 'pino';
import type { GridbridgeConfig } from '../config/schema.ts';
import type { ResolvedSecrets } from '../config/load.ts';
import { openMigratedStore, type Store } from '../store/db.ts';
import { createClickUpClient, type ClickUpClient } from '../connectors/clickup/index.ts';
import { createCommunityDriver } from '../connectors/tradinggrid/community/index.ts';
import type { TradingGridPort } from '../connectors/tradinggrid/port.ts';
import { FieldResolver } from '../sync/clickupFields.ts';
import { PartnerCache } from '../sync/partnerCache.ts';
import { Dispatcher } from '../sync/dispatcher.ts';
import { buildHandlers } from '../sync/handlers/index.ts';
import type { SyncContext } from '../sync/context.ts';
import { requeueHeldCases } from '../sync/requeueHeldCases.ts';
import { releaseOrphanedLeases } from '../store/ops/releaseOrphanedLeases.ts';
import { Scheduler } from '../sync/scheduler.ts';
import { registerSchedules } from '../sync/schedules.ts';
import { createApp } from './app.ts';
import { listen, type Listening } from './listen.ts';

export interface BridgeOptions {
  config: GridbridgeConfig;
  secrets: ResolvedSecrets;
  logger?: Logger;
  now?: () => number;
  /** Override the listening port (tests, demo). */
  port?: number;
  /** Do not start the dispatcher loop (tests drive it with runUntilIdle). */
  manualDispatch?: boolean;
}

export interface Bridge {
  url: string;
  store: Store;
  dispatcher: Dispatcher;
  clickup: ClickUpClient;
  tg: TradingGridPort;
  ctx: SyncContext;
  scheduler: Scheduler;
  stop(): Promise<void>;
}

export class StartupError extends Error {
  constructor(readonly problems: string[]) {
    super(`gridbridge cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'StartupError';
  }
}

/** Verify what the config names exists on the ClickUp side; every problem is listed, not just the first. */
async function checkClickUp(fields: FieldResolver, config: GridbridgeConfig): Promise<string[]> {
  const lists = new Set([config.clickup.list_id, ...Object.values(config.partners.map).map((m) => m.list_id).filter((x): x is string => !!x)]);
  const problems: string[] = [];
  for (const listId of lists) {
    try {
      problems.push(...(await fields.load(listId)));
    } catch (e) {
      problems.push(`ClickUp list ${listId}: ${(e as Error).message}`);
    }
  }
  return problems;
}

/** Start one bridge instance: store, connectors, start-up checks, HTTP server, dispatcher. */
export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  const { config, secrets } = o;
  const logger = o.logger ?? pino({ level: config.log_level });
  const now = o.now ?? Date.now;
  const store = await openMigratedStore(config.store.url);
  const clickup = createClickUpClient({ baseUrl: config.clickup.base_url, token: secrets.clickupToken, teamId: config.clickup.team_id, logger, now, attachmentHosts: config.clickup.attachment_hosts });
  const tg = createCommunityDriver({ baseUrl: config.tradinggrid.base_url, tenantId: config.tradinggrid.tenant_id, clientId: config.tradinggrid.client_id, clientSecret: secrets.tgClientSecret, logger, now });
  const fields = new FieldResolver(clickup, config.clickup.fields);
  const closeAll = async () => {
    await Promise.allSettled([clickup.close(), tg.close()]);
    await store.close();
  };
  const problems = await checkClickUp(fields, config);
  if (problems.length > 0) {
    await closeAll();
    throw new StartupError(problems);
  }
  const ctx: SyncContext = { store, config, clickup, tg, fields, partners: new PartnerCache(tg, 5 * 60_000, now), logger, now };
  const d = config.dispatcher;
  const dispatcher = new Dispatcher(store, buildHandlers(ctx), {
    concurrency: d.concurrency, leaseMs: d.lease_ms, pollMs: d.poll_ms, backoffBaseMs: d.backoff_base_ms, backoffMaxMs: d.backoff_max_ms, now, logger,
  });
  let cuWebhookSecret: string | null = secrets.clickupWebhookSecret;
  const app = createApp({
    db: store.db,
    tgWebhookSecret: secrets.tgWebhookSecret,
    clickUpWebhookSecret: () => cuWebhookSecret,
    bodyLimitBytes: config.server.body_limit_bytes,
    now,
    onAccepted: () => dispatcher.wake(),
  });
  let server: Listening;
  try {
    server = await listen(app, config.server.host, o.port ?? config.server.port);
  } catch (e) {
    await closeAll();
    throw new StartupError([`cannot listen on ${config.server.host}:${o.port ?? config.server.port}: ${(e as Error).message}`]);
  }
  if (store.dialect === 'sqlite') {
    const released = await releaseOrphanedLeases(store.db, now());
    if (released > 0) logger.warn({ released }, 'jobs left running by a previous process were made ready again');
  }
  const requeued = await requeueHeldCases(store, Object.keys(config.partners.map), now());
  if (requeued > 0) logger.info({ requeued }, 'held cases whose partner is now mapped are taken up again');
  const scheduler = new Scheduler(store, () => dispatcher.wake(), logger);
  registerSchedules(scheduler, ctx);
  if (!o.manualDispatch) {
    dispatcher.start();
    scheduler.start();
  }
  logger.info({ url: server.url, store: store.location }, 'gridbridge started');
  void cuWebhookSecret;
  return {
    url: server.url,
    store,
    dispatcher,
    clickup,
    tg,
    ctx,
    scheduler,
    stop: async () => {
      scheduler.stop();
      await server.close();
      await dispatcher.stop();
      await closeAll();
      logger.info('gridbridge stopped');
    },
  };
}
