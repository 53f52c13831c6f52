import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../store/schema.ts';
import { mountTradingGridWebhook } from './routes/tradingGridWebhook.ts';
import { mountClickUpWebhook } from './routes/clickUpWebhook.ts';

export interface AppDeps {
  db: Kysely<Database>;
  tgWebhookSecret: string;
  clickUpWebhookSecret: () => string | null;
  bodyLimitBytes: number;
  /** Per-source overrides of bodyLimitBytes (config server.body_limits). */
  bodyLimitBytesBySource?: { tradinggrid?: number; clickup?: number };
  now: () => number;
  /** Wakes the dispatcher when new work is stored. */
  onAccepted: () => void;
  /** This instance's part among several on PostgreSQL (shown by /healthz). */
  role?: () => 'leader' | 'follower';
  /** Extra readiness checks (connectors started, webhooks registered). */
  ready?: () => { ok: boolean; detail: string };
  /** Mounts further routes (admin API, console, metrics). */
  extend?: (app: Hono) => void;
}

/** The bridge's HTTP surface. Handlers only store: no remote call happens inside a request. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true, ...(deps.role ? { role: deps.role() } : {}) }));
  app.get('/readyz', async (c) => {
    try {
      await sql`select 1`.execute(deps.db);
    } catch (e) {
      return c.json({ ok: false, detail: `store unreachable: ${(e as Error).message}` }, 503);
    }
    const r = deps.ready?.() ?? { ok: true, detail: 'ready' };
    return c.json(r, r.ok ? 200 : 503);
  });
  mountTradingGridWebhook(app, { db: deps.db, secret: deps.tgWebhookSecret, bodyLimitBytes: deps.bodyLimitBytesBySource?.tradinggrid ?? deps.bodyLimitBytes, now: deps.now, onAccepted: deps.onAccepted });
  mountClickUpWebhook(app, { db: deps.db, secret: deps.clickUpWebhookSecret, bodyLimitBytes: deps.bodyLimitBytesBySource?.clickup ?? deps.bodyLimitBytes, now: deps.now, onAccepted: deps.onAccepted });
  deps.extend?.(app);
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((e, c) => c.json({ error: `internal error: ${e.message}` }, 500));
  return app;
}
