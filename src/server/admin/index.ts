import type { Hono } from 'hono';
import type { Logger } from 'pino';
import type { GridbridgeConfig } from '../../config/schema.ts';
import type { ClickUpClient } from '../../connectors/clickup/index.ts';
import type { Store } from '../../store/db.ts';
import type { Dispatcher } from '../../sync/dispatcher.ts';
import { adminApi } from './api.ts';
import { AdminAuth, type AdminEnv } from './auth.ts';
import { resolveAdminCredentials, type AdminCredentials } from './credentials.ts';
import { ConnectorHealth } from './connectorHealth.ts';
import { securityHeaders } from './securityHeaders.ts';
import { mountStaticConsole } from './staticConsole.ts';
import { TimelineRecorder } from './timelineRecorder.ts';

export type { AdminCredentials } from './credentials.ts';

export interface ConsoleDeps {
  store: Store;
  config: GridbridgeConfig;
  clickup: ClickUpClient;
  now: () => number;
  logger: Logger;
  /** Resolved sign-in credentials; default: resolved from `config.admin`. */
  credentials?: AdminCredentials;
  /** The dispatcher is built after the console (it takes `onSettled`), hence a getter. */
  dispatcher: () => Dispatcher | undefined;
  /** More admin routes behind the console's sign-in, each under /api/<prefix> (the partner channel's). */
  extraApis?: Record<string, (auth: AdminAuth) => Hono<AdminEnv>>;
}

export interface Console {
  /** Pass as `createApp({ extend })`: mounts /api and /ui with security headers. */
  mount(app: Hono): void;
  /** Pass as the dispatcher's `onSettled`: records the case timeline. */
  onSettled: TimelineRecorder['onSettled'];
  stop(): Promise<void>;
}

/** The operations console and admin API of one bridge instance. */
export function createConsole(d: ConsoleDeps): Console {
  let credentials = d.credentials;
  if (!credentials) {
    const r = resolveAdminCredentials(d.config.admin);
    for (const p of r.problems) d.logger.error(`console sign-in: ${p}`);
    credentials = r.credentials;
  }
  if (credentials.tokens.length + credentials.users.length === 0)
    d.logger.info('the console at /ui is locked: configure admin.tokens or admin.users to sign in');
  const a = d.config.admin;
  const auth = new AdminAuth({
    db: d.store.db,
    credentials,
    sessionTtlMs: a.session_ttl_minutes * 60_000,
    sessionMaxMs: a.session_max_hours * 3_600_000,
    secureCookies: a.secure_cookies,
    signInAttemptsPer15Minutes: a.sign_in_attempts_per_15_minutes,
    now: d.now,
  });
  const timeline = new TimelineRecorder(d.store, d.now, d.logger);
  const health = new ConnectorHealth({
    store: d.store,
    clickup: d.clickup,
    teamId: d.config.clickup.team_id,
    publicUrl: d.config.server.public_url,
    now: d.now,
    mapping: d.config.mapping,
  });
  return {
    onSettled: timeline.onSettled,
    mount(app) {
      app.use('/api/*', securityHeaders());
      app.use('/ui', securityHeaders());
      app.use('/ui/*', securityHeaders());
      app.route(
        '/api',
        adminApi({
          store: d.store,
          config: d.config,
          clickup: d.clickup,
          auth,
          health,
          now: d.now,
          wake: () => d.dispatcher()?.wake(),
          dispatcherCounters: () => ({ ...(d.dispatcher()?.counters ?? {}) }),
          inFlight: () => d.dispatcher()?.inFlightCount ?? 0,
          flushTimeline: () => timeline.flush(),
        }) as unknown as Hono,
      );
      for (const [prefix, make] of Object.entries(d.extraApis ?? {}))
        app.route(`/api/${prefix}`, make(auth) as unknown as Hono);
      mountStaticConsole(app);
      health.start();
    },
    async stop() {
      health.stop();
      await timeline.flush();
    },
  };
}
