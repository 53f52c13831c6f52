import type { Logger } from 'pino';
import { createLogger } from './logger.ts';
import { openLearnedSecrets } from './storedSecrets.ts';
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
import { ensureClickUpWebhook, webhookHealthHandler, type ClickUpWebhookState } from '../sync/clickupWebhook.ts';
import { checkStatusMap } from '../flows/statusMap.ts';
import { initPollCursor, tradingGridPollHandler } from '../sync/tradingGridPoll.ts';
import { checkGroupFlowSetup } from '../sync/groupFlowSetup.ts';
import { MappingRuntime } from '../sync/mappingRuntime.ts';
import { logicalFieldNames } from '../sync/mappingDescribe.ts';
import { createApp } from './app.ts';
import { mountSlaSurfaces } from './routes/slaSurfaces.ts';
import { createConsole, type AdminCredentials } from './admin/index.ts';
import { listen, type Listening } from './listen.ts';
import { SharedBudgetRateLimiter } from '../connectors/clickup/sharedRateLimiter.ts';
import { clickUpBudgetFor } from '../store/ops/takeClickUpBudget.ts';

export interface BridgeOptions {
  config: GridbridgeConfig;
  secrets: ResolvedSecrets;
  logger?: Logger;
  now?: () => number;
  /** Override the listening port (tests, demo). */
  port?: number;
  /** Do not start the dispatcher loop (tests drive it with runUntilIdle). */
  manualDispatch?: boolean;
  /** Console sign-in credentials (default: resolved from config.admin). */
  admin?: AdminCredentials;
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
async function checkClickUp(fields: FieldResolver, config: GridbridgeConfig, warn: (msg: string) => void): Promise<string[]> {
  const lists = new Set([config.clickup.list_id, ...Object.values(config.partners.map).map((m) => m.list_id).filter((x): x is string => !!x)]);
  const problems: string[] = [];
  for (const listId of lists) {
    try {
      problems.push(...(await fields.load(listId)));
      const list = await fields.client.getList(listId);
      if (!list.ok) throw new Error(list.error.detail);
      const check = checkStatusMap(listId, config.clickup.status_map, config.clickup.status_to_clickup, list.value.statuses.map((x) => x.status));
      problems.push(...check.errors);
      for (const w of check.warnings) warn(w);
    } catch (e) {
      problems.push(`ClickUp list ${listId}: ${(e as Error).message}`);
    }
  }
  return problems;
}

/** Start one bridge instance: store, connectors, start-up checks, HTTP server, dispatcher. */
export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  const { config, secrets } = o;
  const logger = o.logger ?? createLogger({ level: config.log_level, secrets: Object.values(secrets).filter((v): v is string => typeof v === 'string') });
  const now = o.now ?? Date.now;
  const store = await openMigratedStore(config.store.url);
  // PostgreSQL = possibly several instances: they draw from one ClickUp budget per token (issue #10).
  const limiter = store.dialect === 'postgres' ? new SharedBudgetRateLimiter(clickUpBudgetFor(store.db, secrets.clickupToken, now), { now, logger }) : undefined;
  const clickup = createClickUpClient({ baseUrl: config.clickup.base_url, token: secrets.clickupToken, teamId: config.clickup.team_id, logger, now, limiter, attachmentHosts: config.clickup.attachment_hosts, attachmentFetch: { allowPrivateAddresses: config.clickup.allow_private_addresses, maxBytes: config.documents.max_bytes, contentTypes: config.documents.content_types } });
  const tg = createCommunityDriver({ baseUrl: config.tradinggrid.base_url, tenantId: config.tradinggrid.tenant_id, clientId: config.tradinggrid.client_id, clientSecret: secrets.tgClientSecret, logger, now });
  const fields = new FieldResolver(clickup, logicalFieldNames(config));
  const mapping = new MappingRuntime(clickup, config, now, logger);
  const closeAll = async () => {
    await Promise.allSettled([clickup.close(), tg.close()]);
    await store.close();
  };
  const problems = await checkClickUp(fields, config, (msg) => logger.warn(msg));
  problems.push(...(await checkGroupFlowSetup(clickup, config)));
  problems.push(...(await mapping.start((msg) => logger.warn(msg))).problems);
  const learned = await openLearnedSecrets(store, config, logger, now);
  problems.push(...learned.problems);
  if (problems.length > 0) {
    await closeAll();
    throw new StartupError(problems);
  }
  const webhook: ClickUpWebhookState = { secret: secrets.clickupWebhookSecret ?? learned.clickUpWebhookSecret, id: null, endpoint: null, lastHealth: null, persist: learned.persistClickUpWebhookSecret };
  let wake = () => undefined as void;
  const ctx: SyncContext = { store, config, clickup, tg, fields, partners: new PartnerCache(tg, 5 * 60_000, now), logger, now, webhook, wake: () => wake(), mapping };
  const d = config.dispatcher;
  const handlers = buildHandlers(ctx);
  handlers.set('clickup.webhook_health', webhookHealthHandler(ctx, webhook, () => ctx.wake()));
  handlers.set('tradinggrid.poll', tradingGridPollHandler(ctx));
  const consoleUi = createConsole({ store, config, clickup, now, logger, credentials: o.admin, dispatcher: () => dispatcher });
  const dispatcher = new Dispatcher(store, handlers, {
    concurrency: d.concurrency, leaseMs: d.lease_ms, pollMs: d.poll_ms, backoffBaseMs: d.backoff_base_ms, backoffMaxMs: d.backoff_max_ms, now, logger, onSettled: consoleUi.onSettled,
  });
  wake = () => dispatcher.wake();
  const app = createApp({
    db: store.db,
    tgWebhookSecret: secrets.tgWebhookSecret,
    clickUpWebhookSecret: () => webhook.secret,
    bodyLimitBytes: config.server.body_limit_bytes,
    bodyLimitBytesBySource: config.server.body_limits,
    now,
    onAccepted: () => dispatcher.wake(),
    extend: (app) => {
      consoleUi.mount(app);
      mountSlaSurfaces(app, { db: store.db, config, now, dispatcher: () => dispatcher, clickup });
    },
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
  if (config.clickup.webhook.register) {
    webhook.endpoint = `${(config.server.public_url ?? server.url).replace(/\/+$/, '')}/webhooks/clickup`;
    const r = await ensureClickUpWebhook(ctx, webhook, () => dispatcher.wake());
    if ('error' in r) {
      if (!r.retryable) {
        await server.close();
        await closeAll();
        throw new StartupError([`registering the ClickUp webhook at ${webhook.endpoint}: ${r.error}`]);
      }
      logger.warn({ error: r.error }, 'ClickUp webhook not registered yet; the health check retries every minute');
    }
  }
  const scheduler = new Scheduler(store, () => dispatcher.wake(), logger);
  if (config.clickup.webhook.register) scheduler.add({ kind: 'clickup.webhook_health', cron: config.clickup.webhook.health_cron });
  await initPollCursor(store.db, now());
  scheduler.add({ kind: 'tradinggrid.poll', cron: config.tradinggrid.poll_cron });
  registerSchedules(scheduler, ctx);
  if (!o.manualDispatch) {
    dispatcher.start();
    scheduler.start();
  }
  logger.info({ url: server.url, store: store.location }, 'gridbridge started');
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
      await consoleUi.stop();
      await closeAll();
      logger.info('gridbridge stopped');
    },
  };
}
