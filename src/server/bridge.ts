import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { lockSqliteStore, StoreLockedError } from '../store/sqliteLock.ts';
import { addLogSecret, configSecretValues, createLogger } from './logger.ts';
import { resolveSecret } from '../config/load.ts';
import { openLearnedSecrets } from './storedSecrets.ts';
import type { GridbridgeConfig } from '../config/schema.ts';
import type { ResolvedSecrets } from '../config/load.ts';
import { openMigratedStore, type Store } from '../store/db.ts';
import { createClickUpClient, type ClickUpClient } from '../connectors/clickup/index.ts';
import { communityDriverFor } from '../sync/tradingGridDriver.ts';
import { createEdiOnlyTradingGrid } from '../channels/tradinggrid-mailbox/ediOnlyTradingGrid.ts';
import type { TradingGridPort } from '../connectors/tradinggrid/port.ts';
import { FieldResolver } from '../flows/shared/clickupFields.ts';
import { PartnerCache } from '../flows/shared/partnerCache.ts';
import { Dispatcher } from '../sync/dispatcher.ts';
import { releaseOnRecovery } from '../sync/outageRelease.ts';
import { buildRegistry } from '../sync/registry.ts';
import type { SyncContext } from '../sync/context.ts';
import { requeueHeldCases } from '../flows/01-case-intake/requeueHeldCases.ts';
import { releaseOrphanedLeases } from '../store/ops/releaseOrphanedLeases.ts';
import { Scheduler } from '../sync/scheduler.ts';
import { engineJobs, parsePayload } from '../sync/engineJobs.ts';
import { scheduledMappingCheck } from '../flows/02-status-sync/mappingHealth.ts';
import { ensureClickUpWebhook, webhookHealthHandler, type ClickUpWebhookState } from '../sync/clickupWebhook.ts';
import { checkStatusMap } from '../flows/02-status-sync/decisions/statusMap.ts';
import { initPollCursor, tradingGridPollHandler } from '../sync/tradingGridPoll.ts';
import { checkGroupFlowSetup } from '../flows/shared/groupFlowSetup.ts';
import { MappingRuntime } from '../flows/01-case-intake/mapping/runtime.ts';
import { logicalFieldNames } from '../flows/01-case-intake/mapping/describe.ts';
import { createApp } from './app.ts';
import { mountAs2Route } from './routes/as2.ts';
import { mountAs2MdnRoute } from './routes/as2Mdn.ts';
import { loadAs2Setup } from '../channels/tradinggrid-mailbox/as2Runtime.ts';
import { mountSlaSurfaces } from './routes/slaSurfaces.ts';
import { createConsole, type AdminCredentials } from './admin/index.ts';
import { listen, type Listening } from './listen.ts';
import { IntakeListenError, startIntakeThread, type IntakeThread } from './intakeThread.ts';
import { SharedBudgetRateLimiter } from '../connectors/clickup/sharedRateLimiter.ts';
import { clickUpBudgetFor } from '../store/ops/takeClickUpBudget.ts';
import type { Leadership } from '../store/pgLeader.ts';
import type { LearnedSecrets } from './storedSecrets.ts';
import { openPartnerChannel } from './partnerPages/setup.ts';
import { BounceRecorder } from '../channels/partner-email/bounces.ts';
import { startBounceInbox, type BounceInbox } from '../connectors/email/bounceInbox.ts';
import { mountPartnerPages, type VirusScanHook } from './partnerPages/pages.ts';
import { partnerChannelApi } from './partnerPages/consoleApi.ts';
import type { MailSender } from '../channels/partner-email/runtime.ts';

export interface BridgeOptions {
  config: GridbridgeConfig;
  secrets: ResolvedSecrets;
  logger?: Logger;
  now?: () => number;
  /**
   * The clock of the ClickUp client and its rate budget only (default `now` and real sleeps): a
   * time-scaled ClickUp sandbox passes its own, so rate windows shrink with it (benchmarks).
   */
  clickupClock?: { now: () => number; sleep: (ms: number) => Promise<void> };
  /** Override the listening port (tests, demo). */
  port?: number;
  /** Do not start the dispatcher loop (tests drive it with runUntilIdle). */
  manualDispatch?: boolean;
  /** Console sign-in credentials (default: resolved from config.admin). */
  admin?: AdminCredentials;
  /** Virus-scan hook point for partner page uploads (none: type and size checks only, as for other uploads). */
  partnerUploadScan?: VirusScanHook;
  /** Another e-mail sender than the configured SMTP server (tests). */
  partnerMailer?: MailSender;
}

export interface Bridge {
  url: string;
  store: Store;
  dispatcher: Dispatcher;
  clickup: ClickUpClient;
  tg: TradingGridPort;
  ctx: SyncContext;
  scheduler: Scheduler;
  /** Whether this instance runs the schedules and owns the ClickUp webhook (always, on SQLite). */
  isLeader(): boolean;
  /** Where delivery reports about partner e-mail are taken (partner_channel.bounces), when they are. */
  bounceInbox: { host: string; port: number } | null;
  stop(): Promise<void>;
}

export class StartupError extends Error {
  constructor(readonly problems: string[]) {
    super(`gridbridge cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'StartupError';
  }
}

/** Verify what the config names exists on the ClickUp side; every problem is listed, not just the first. */
async function checkClickUp(
  fields: FieldResolver,
  config: GridbridgeConfig,
  warn: (msg: string) => void,
): Promise<string[]> {
  const testList =
    config.mailbox && config.mailbox.test_interchanges !== 'ignore' ? [config.mailbox.test_interchanges.list_id] : [];
  const lists = new Set([
    config.clickup.list_id,
    ...Object.values(config.partners.map)
      .map((m) => m.list_id)
      .filter((x): x is string => !!x),
    ...testList,
  ]);
  const problems: string[] = [];
  for (const listId of lists) {
    try {
      problems.push(...(await fields.load(listId)));
      const list = await fields.client.getList(listId);
      if (!list.ok) throw new Error(list.error.detail);
      const check = checkStatusMap(
        listId,
        config.clickup.status_map,
        config.clickup.status_to_clickup,
        list.value.statuses.map((x) => x.status),
      );
      problems.push(...check.errors);
      for (const w of check.warnings) warn(w);
    } catch (e) {
      problems.push(`ClickUp list ${listId}: ${(e as Error).message}`);
    }
  }
  return problems;
}

/** Several instances on one PostgreSQL database need one address for ClickUp and a secret every instance can read. */
function warnAboutSeveralInstances(
  config: GridbridgeConfig,
  secrets: ResolvedSecrets,
  learned: LearnedSecrets,
  logger: Logger,
): void {
  if (!config.clickup.webhook.register) return;
  if (!config.server.public_url)
    logger.warn(
      'store is PostgreSQL but server.public_url is not set: with several instances, set it to the load balancer in front of them, or ClickUp keeps posting to whichever instance registered last',
    );
  if (!secrets.clickupWebhookSecret && !learned.reloadClickUpWebhookSecret)
    logger.warn(
      'store is PostgreSQL but neither clickup.webhook.secret nor secrets.key is set: only the leader knows the ClickUp webhook secret, so other instances answer 401 to deliveries (ClickUp retries)',
    );
}

/** A new leader's registration: failures are logged and healed by the next health check. */
async function registerWebhookLater(
  ctx: SyncContext,
  webhook: ClickUpWebhookState,
  onAccepted: () => void,
): Promise<void> {
  try {
    const r = await ensureClickUpWebhook(ctx, webhook, onAccepted, { catchUp: false });
    if ('error' in r)
      ctx.logger.warn({ error: r.error }, 'ClickUp webhook not checked after taking over; the health check retries');
  } catch (e) {
    ctx.logger.warn({ err: e }, 'ClickUp webhook check after taking over failed; the health check retries');
  }
}

/** Start one bridge instance: store, connectors, start-up checks, HTTP server, dispatcher. */
export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  const { config, secrets } = o;
  const logger =
    o.logger ??
    createLogger({
      level: config.log_level,
      secrets: Object.values(secrets).filter((v): v is string => typeof v === 'string'),
    });
  // Every secret the config refers to (admin tokens, SFTP password and passphrase, secrets.key, SMTP...) is scrubbed too.
  for (const v of configSecretValues(config, (ref) => {
    const r = resolveSecret(ref, 'log scrubbing');
    return r.ok ? r.value : null;
  }))
    addLogSecret(logger, v);
  const now = o.now ?? Date.now;
  let lock: { release(): void } | null = null;
  const sqliteFile = /^sqlite:(?!:memory:)/.test(config.store.url)
    ? resolve(config.store.url.slice('sqlite:'.length))
    : null;
  if (sqliteFile) {
    try {
      mkdirSync(dirname(sqliteFile), { recursive: true });
      lock = lockSqliteStore(sqliteFile);
    } catch (e) {
      if (e instanceof StoreLockedError) throw new StartupError([e.message]);
      throw e;
    }
  }
  const store = await openMigratedStore(config.store.url, {
    statementTimeoutMs: config.store.statement_timeout_ms,
    idleInTransactionTimeoutMs: config.store.idle_in_transaction_timeout_ms,
    connectTimeoutMs: config.store.connect_timeout_ms,
    onConnectionError: (e) =>
      logger.warn(
        { err: e },
        'a pooled PostgreSQL connection failed while idle (failover or terminated backend); the pool opens a new one',
      ),
    onAnnounceFailed: (e) =>
      logger.warn(
        { err: e },
        'could not announce new jobs to other instances (NOTIFY); they find them at their next poll',
      ),
  }).catch((e: unknown) => {
    lock?.release();
    throw e;
  });
  // PostgreSQL = possibly several instances: they draw from one ClickUp budget per token, so together they stay under its rate limit.
  const cuNow = o.clickupClock?.now ?? now;
  const limiter =
    store.dialect === 'postgres'
      ? new SharedBudgetRateLimiter(clickUpBudgetFor(store.db, secrets.clickupToken, cuNow), {
          now: cuNow,
          ...(o.clickupClock ? { sleep: o.clickupClock.sleep } : {}),
          logger,
          assumedLimit: config.clickup.assumed_rate_limit_per_minute,
        })
      : undefined;
  const clickup = createClickUpClient({
    baseUrl: config.clickup.base_url,
    token: secrets.clickupToken,
    teamId: config.clickup.team_id,
    logger,
    now: cuNow,
    ...(o.clickupClock ? { sleep: o.clickupClock.sleep } : {}),
    limiter,
    assumedRateLimitPerMinute: config.clickup.assumed_rate_limit_per_minute,
    timeoutMs: config.clickup.request_timeout_ms,
    attachmentHosts: config.clickup.attachment_hosts,
    attachmentFetch: {
      allowPrivateAddresses: config.clickup.allow_private_addresses,
      maxBytes: config.documents.max_bytes,
      contentTypes: config.documents.content_types,
    },
  });
  // EDI only (driver mailbox): no community endpoint exists, so none is ever called.
  const tg: TradingGridPort =
    communityDriverFor(config, secrets, { logger, now }) ?? createEdiOnlyTradingGrid(store.db, config, now);
  let partnerChannelRuntimeClose = () => undefined as void;
  const fields = new FieldResolver(clickup, logicalFieldNames(config));
  const mapping = new MappingRuntime(clickup, config, now, logger);
  const closeAll = async () => {
    partnerChannelRuntimeClose();
    await Promise.allSettled([clickup.close(), tg.close()]);
    await store.close();
    lock?.release();
  };
  const problems = await checkClickUp(fields, config, (msg) => logger.warn(msg));
  problems.push(...(await checkGroupFlowSetup(clickup, config)));
  problems.push(...(await mapping.start((msg) => logger.warn(msg))).problems);
  const learned = await openLearnedSecrets(store, config, logger, now);
  problems.push(...learned.problems);
  let ownUrl = '';
  const partnerChannel = await openPartnerChannel({
    store,
    config,
    logger,
    now,
    baseUrl: () => ownUrl,
    mailer: o.partnerMailer,
  });
  partnerChannelRuntimeClose = () => partnerChannel.runtime?.mailer?.close();
  problems.push(...partnerChannel.problems);
  if (problems.length > 0) {
    await closeAll();
    throw new StartupError(problems);
  }
  // Delivery reports that arrive after the SMTP server took a partner e-mail (partner_channel.bounces).
  const bounceSection = config.partner_channel.bounces;
  const bounces = partnerChannel.runtime && bounceSection ? new BounceRecorder({ db: store.db, now, logger }) : null;
  const webhook: ClickUpWebhookState = {
    secret: null,
    id: null,
    endpoint: null,
    lastHealth: null,
    persist: learned.persistClickUpWebhookSecret,
  };
  // The secret ClickUp hands out at registration (or a follower reads from the store) is scrubbed from logs as soon as it is known.
  let webhookSecret: string | null = null;
  // server.intake_thread: the thread that verifies ClickUp deliveries is told each new secret.
  let intake: IntakeThread | null = null;
  Object.defineProperty(webhook, 'secret', {
    enumerable: true,
    get: () => webhookSecret,
    set: (v: string | null) => {
      if (v !== webhookSecret) intake?.setClickUpSecret(v);
      webhookSecret = v;
      addLogSecret(logger, v);
    },
  });
  webhook.secret = secrets.clickupWebhookSecret ?? learned.clickUpWebhookSecret;
  let wake = () => undefined as void;
  let isLeader = () => false;
  const community = config.tradinggrid.driver === 'community' ? config.tradinggrid : null;
  const ctx: SyncContext = {
    store,
    config,
    clickup,
    tg,
    fields,
    partners: new PartnerCache(partnerSource(tg, store.db, config, now), 5 * 60_000, now),
    logger,
    now,
    webhook,
    wake: () => wake(),
    mapping,
    ...(partnerChannel.runtime ? { partnerChannel: partnerChannel.runtime } : {}),
  };
  const d = config.dispatcher;
  let registry: ReturnType<typeof buildRegistry>;
  try {
    registry = buildRegistry(ctx);
  } catch (e) {
    // Two flow modules claiming one job kind is a build mistake: nothing may run with it.
    await closeAll();
    throw e;
  }
  const handlers = registry.handlers;
  const checkWebhook = webhookHealthHandler(ctx, webhook, () => ctx.wake());
  // Without a shared public_url a follower would register its own address: the check is the leader's.
  handlers.set('clickup.webhook_health', async (job) => {
    if (!config.server.public_url && !isLeader()) return { status: 'done' };
    // Parsed here, once, before both parts (the webhook check and the mapping check), like every job's at claim.
    const parsed = parsePayload('clickup.webhook_health', engineJobs['clickup.webhook_health'], job.payload);
    if (!parsed.ok) return parsed.refused;
    // Without webhook registration (clickup.webhook.register false) only the mapping is checked: reading the
    // lists and their fields needs no more than the token's read access.
    const out = config.clickup.webhook.register ? await checkWebhook(job) : { status: 'done' as const };
    // The same check reads the lists against the mapping (those due: clickup.mapping_check_minutes): a status,
    // field or option renamed in ClickUp is shown (doctor, console) and holds the changes it affects; fixed, they are sent.
    try {
      await scheduledMappingCheck(ctx);
    } catch (e) {
      logger.warn({ err: e }, 'could not check the case lists against the mapping; the next health check does');
    }
    return out;
  });
  handlers.set('tradinggrid.poll', tradingGridPollHandler(ctx));
  const consoleUi = createConsole({
    store,
    config,
    clickup,
    now,
    logger,
    credentials: o.admin,
    dispatcher: () => dispatcher,
    // Always mounted: the console's case page asks for it; without the partner channel the lists are empty.
    extraApis: { 'partner-channel': (auth) => partnerChannelApi(store.db, auth, now) },
  });
  const dispatcher = new Dispatcher(store, handlers, {
    concurrency: d.concurrency,
    maxCrashes: d.max_crashes,
    deadlineMs: (kind) => d.job_deadlines[kind] ?? d.job_deadline_ms,
    shutdownDeadlineMs: d.shutdown_deadline_ms,
    leaseMs: d.lease_ms,
    pollMs: d.poll_ms,
    backoffBaseMs: d.backoff_base_ms,
    backoffMaxMs: d.backoff_max_ms,
    outagePatienceMs: d.outage_patience_minutes * 60_000,
    foldCompletions: d.fold_completions,
    yieldBetweenJobs: d.yield_between_jobs,
    now,
    logger,
    onSettled: consoleUi.onSettled,
  });
  wake = () => dispatcher.wake();
  // ClickUp back after an outage: the jobs waiting it out run now, not at the end of their outage backoff.
  const stopOutageRelease = clickup.onRecovered
    ? releaseOnRecovery({
        db: store.db,
        remote: 'clickup',
        onRecovered: (fn) => clickup.onRecovered!(fn),
        now,
        minIntervalMs: Math.max(d.backoff_base_ms, Math.floor(d.backoff_max_ms / 10)),
        wake: () => dispatcher.wake(),
        logger,
      })
    : () => undefined;
  // AS2 as the mailbox transport: partners POST to our route; its identities load (and fail) here, at start.
  const as2Transport = config.mailbox?.transport.type === 'as2' ? config.mailbox.transport : null;
  const as2Setup = as2Transport ? loadAs2Setup(as2Transport) : null;
  if (as2Setup && !as2Setup.ok) {
    await closeAll();
    throw new StartupError([as2Setup.error.detail]);
  }
  let startedUp = false;
  const app = createApp({
    db: store.db,
    // No community endpoint, no community webhook: the route is not mounted (404).
    tgWebhookSecret: community ? secrets.tgWebhookSecret : null,
    clickUpWebhookSecret: () => webhook.secret,
    bodyLimitBytes: config.server.body_limit_bytes,
    bodyLimitBytesBySource: {
      ...config.server.body_limits,
      ...(as2Transport ? { as2: as2Transport.max_bytes } : {}),
    },
    now,
    onAccepted: () => dispatcher.wake(),
    onClickUpAnswerFailed: () => {
      webhook.failedAnswers = (webhook.failedAnswers ?? 0) + 1;
    },
    logger,
    role: () => (isLeader() ? 'leader' : 'follower'),
    // The port opens before the worker starts: until start-up is through, /readyz says so (503), so a
    // supervisor or load balancer does not send work to an instance that may yet exit.
    ready: () => (startedUp ? { ok: true, detail: 'ready' } : { ok: false, detail: 'starting' }),
    extend: (app) => {
      consoleUi.mount(app);
      mountSlaSurfaces(app, {
        db: store.db,
        config,
        now,
        dispatcher: () => dispatcher,
        clickup,
        partnerBounces: () => bounces?.counts ?? null,
        intakeLoopDelay: async () => (intake ? intake.loopDelay() : null),
      });
      if (as2Transport && as2Setup?.ok)
        mountAs2Route(app, {
          db: store.db,
          setup: as2Setup.value,
          path: as2Transport.path,
          inbound: as2Transport.inbound,
          now,
          onAccepted: () => dispatcher.wake(),
        });
      if (as2Transport && as2Setup?.ok)
        mountAs2MdnRoute(app, {
          db: store.db,
          setup: as2Setup.value,
          path: as2Transport.mdn_path,
          now,
          onAccepted: () => dispatcher.wake(),
        });
      if (partnerChannel.runtime)
        mountPartnerPages(app, {
          store,
          config,
          runtime: partnerChannel.runtime,
          now,
          wake: () => dispatcher.wake(),
          logger,
          scan: o.partnerUploadScan,
        });
    },
  });
  let server: Listening;
  const intakeThread = config.server.intake_thread;
  if (intakeThread && /^sqlite::memory:/.test(config.store.url)) {
    await closeAll();
    throw new StartupError([
      'server.intake_thread needs a store another connection can open: a SQLite file or PostgreSQL, not sqlite::memory:',
    ]);
  }
  try {
    if (intakeThread) {
      // The bridge's own server on loopback; the intake thread serves the public port, answers webhooks
      // itself and forwards the rest here.
      server = await listen(app, '127.0.0.1', 0);
      intake = await startIntakeThread({
        storeUrl: config.store.url,
        storeOptions: {
          statementTimeoutMs: config.store.statement_timeout_ms,
          idleInTransactionTimeoutMs: config.store.idle_in_transaction_timeout_ms,
          connectTimeoutMs: config.store.connect_timeout_ms,
        },
        host: config.server.host,
        port: o.port ?? config.server.port,
        tgWebhookSecret: community ? secrets.tgWebhookSecret : null,
        clickUpWebhookSecret: webhook.secret,
        bodyLimitBytes: config.server.body_limit_bytes,
        bodyLimitBytesBySource: config.server.body_limits,
        backendUrl: server.url,
        onAccepted: () => dispatcher.wake(),
        onClickUpAnswerFailed: () => {
          webhook.failedAnswers = (webhook.failedAnswers ?? 0) + 1;
        },
        onError: (e) =>
          logger.error({ error: e.message, method: e.method, path: e.path }, 'internal error in the intake thread'),
      }).catch(async (e: unknown) => {
        await server.close();
        throw e;
      });
    } else server = await listen(app, config.server.host, o.port ?? config.server.port);
  } catch (e) {
    await closeAll();
    const port = o.port ?? config.server.port;
    const code = (e as NodeJS.ErrnoException | IntakeListenError).code;
    throw new StartupError([
      code === 'EADDRINUSE'
        ? `port ${port} on ${config.server.host} is already in use (another gridbridge, or another program). Stop that program, or choose another port: server.port in the config, or --port <n> (0 picks a free one)`
        : code === 'EACCES'
          ? `not allowed to listen on ${config.server.host}:${port} (ports below 1024 need privileges): choose a port of 1024 or more with server.port or --port`
          : code === 'EADDRNOTAVAIL'
            ? `cannot listen on ${config.server.host}:${port}: this machine has no such address; set server.host to one of its addresses (127.0.0.1, 0.0.0.0)`
            : `cannot listen on ${config.server.host}:${port}: ${(e as Error).message}`,
    ]);
  }
  // What clients reach: the intake thread's port when it serves it.
  const publicUrl = intake?.url ?? server.url;
  ownUrl = publicUrl;
  // Past this point the port is open: a failure (the database dropping the connection mid start-up, say)
  // must not leave a process that answers /healthz and accepts events but runs no worker. Everything
  // started so far is stopped and the error goes to the caller, so the process exits and is restarted.
  // Until start-up has its own leadership: nothing to hold or release.
  let leadership: Leadership = { isLeader: () => false, stop: async () => undefined };
  let followSecret: NodeJS.Timeout | null = null;
  let bounceInbox: BounceInbox | null = null;
  const scheduler = new Scheduler(store, () => dispatcher.wake(), logger);
  try {
    if (bounces && bounceSection) {
      bounceInbox = await startBounceInbox({
        host: bounceSection.listen_host,
        port: bounceSection.listen_port,
        returnPath: bounceSection.return_path,
        maxBytes: bounceSection.max_bytes,
        take: (raw) => bounces.take(raw),
        logger,
      }).catch((e: Error) => {
        throw new StartupError([
          `partner_channel.bounces: cannot listen on ${bounceSection.listen_host}:${bounceSection.listen_port}: ${e.message}`,
        ]);
      });
    }
    if (store.dialect === 'sqlite') {
      const released = await releaseOrphanedLeases(store.db, now(), config.dispatcher.max_crashes);
      if (released > 0) logger.warn({ released }, 'jobs left running by a previous process were made ready again');
    }
    const requeued = await requeueHeldCases(store, Object.keys(config.partners.map), now());
    if (requeued > 0) logger.info({ requeued }, 'held cases whose partner is now mapped are taken up again');
    if (config.clickup.webhook.register)
      webhook.endpoint = `${(config.server.public_url ?? publicUrl).replace(/\/+$/, '')}/webhooks/clickup`;
    // The minute's ClickUp check: the webhook when the bridge registers one, and always the lists against the mapping.
    scheduler.add({ kind: 'clickup.webhook_health', cron: config.clickup.webhook.health_cron });
    if (community && community.poll_cron !== 'off') {
      await initPollCursor(store.db, now());
      scheduler.add({ kind: 'tradinggrid.poll', cron: community.poll_cron });
    }
    registry.registerSchedules(scheduler);
    if (store.dialect === 'postgres') warnAboutSeveralInstances(config, secrets, learned, logger);

    // Changes made while no instance listened are caught up by a queued health check, not inline.
    const catchUpNow = async () => {
      try {
        // Slots are whole seconds: a process restarted within the second of the last one's catch-up finds that
        // slot's job (done) and would skip its own, so it takes the next free slot of the coming seconds.
        await scheduler.runNow({ kind: 'clickup.webhook_health', cron: config.clickup.webhook.health_cron }, now());
      } catch (e) {
        logger.warn({ err: e }, 'could not queue the ClickUp catch-up; the next health check does it');
      }
    };
    // One leader runs the schedules and owns the ClickUp webhook; on SQLite the one instance leads.
    let starting = true;
    const held: Leadership = store.lead
      ? await store.lead(
          {
            onGain: () => {
              if (starting) return; // start-up does the leader's work below
              logger.info('this instance is now the leader: it runs the schedules and keeps the ClickUp webhook');
              if (config.clickup.webhook.register)
                void registerWebhookLater(ctx, webhook, () => dispatcher.wake()).then(() => catchUpNow());
              else void catchUpNow(); // the mapping check, at once
              if (!o.manualDispatch) scheduler.start();
            },
            onLose: () => {
              logger.warn(
                'this instance lost leadership (its database session ended); schedules paused until it leads again',
              );
              scheduler.pause();
            },
          },
          { checkMs: config.store.leader_check_ms },
        )
      : { isLeader: () => true, stop: async () => undefined };
    leadership = held;
    starting = false;
    isLeader = held.isLeader;
    if (leadership.isLeader() && config.clickup.webhook.register) {
      const r = await ensureClickUpWebhook(ctx, webhook, () => dispatcher.wake(), { catchUp: false });
      if ('error' in r) {
        if (!r.retryable)
          throw new StartupError([`registering the ClickUp webhook at ${webhook.endpoint}: ${r.error}`]);
        logger.warn({ error: r.error }, 'ClickUp webhook not registered yet; the health check retries every minute');
      }
    }
    // A follower verifies ClickUp deliveries with the secret the leader registered and sealed in the store.
    followSecret =
      !secrets.clickupWebhookSecret && learned.reloadClickUpWebhookSecret && store.lead
        ? setInterval(() => {
            if (leadership.isLeader()) return;
            learned.reloadClickUpWebhookSecret!().then(
              (s) => {
                if (s) webhook.secret = s;
              },
              (e: Error) =>
                logger.warn({ error: e.message }, 'could not read the ClickUp webhook secret kept by the leader'),
            );
          }, config.store.leader_check_ms)
        : null;
    followSecret?.unref();
    // With the webhook: changes missed while no instance listened; always: the lists against the mapping (a
    // change held for a status the map now names, after a restart with the new config, is sent).
    if (leadership.isLeader()) await catchUpNow();
    if (!o.manualDispatch) {
      dispatcher.start();
      if (leadership.isLeader()) scheduler.start();
    }
  } catch (e) {
    if (followSecret) clearInterval(followSecret);
    scheduler.stop();
    stopOutageRelease();
    await dispatcher.stop().catch(() => undefined);
    await leadership.stop().catch(() => undefined);
    await intake?.stop().catch(() => undefined);
    await server.close().catch(() => undefined);
    await bounceInbox?.close().catch(() => undefined);
    await consoleUi.stop().catch(() => undefined);
    await closeAll();
    throw e;
  }
  startedUp = true;
  logger.info(
    { url: publicUrl, intakeThread, store: store.location, role: leadership.isLeader() ? 'leader' : 'follower' },
    'gridbridge started',
  );
  return {
    url: publicUrl,
    store,
    dispatcher,
    clickup,
    tg,
    ctx,
    scheduler,
    isLeader: () => leadership.isLeader(),
    bounceInbox: bounceInbox ? { host: bounceInbox.host, port: bounceInbox.port } : null,
    stop: async () => {
      if (followSecret) clearInterval(followSecret);
      scheduler.stop();
      await leadership.stop();
      await intake?.stop();
      await server.close();
      await bounceInbox?.close();
      stopOutageRelease();
      await dispatcher.stop();
      await consoleUi.stop();
      await closeAll();
      logger.info('gridbridge stopped');
    },
  };
}

/**
 * Where a partner's facts come from: the community API, except for partners marked `community: false` (EDI-only
 * partners of a community deployment), read like an EDI-only deployment reads everyone (config, then the Active
 * Community CSV), so the community API is never asked about them.
 */
function partnerSource(
  tg: TradingGridPort,
  db: Parameters<typeof createEdiOnlyTradingGrid>[0],
  config: GridbridgeConfig,
  now: () => number,
): Pick<TradingGridPort, 'getPartner'> {
  if (tg.driver !== 'community') return tg;
  const local = createEdiOnlyTradingGrid(db, config, now);
  return {
    getPartner: (id) => (config.partners.map[id]?.community === false ? local.getPartner(id) : tg.getPartner(id)),
  };
}
