import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { pingStore } from '../store/ops/pingStore.ts';
import type { Database } from '../store/schema.ts';
import { mountTradingGridWebhook } from './routes/tradingGridWebhook.ts';
import { mountClickUpWebhook } from './routes/clickUpWebhook.ts';
import { tradingGridContractDocument } from '../connectors/tradinggrid/contract.ts';

export interface AppDeps {
  db: Kysely<Database>;
  /** Null: no Trading Grid community webhook route (EDI-only deployment). */
  tgWebhookSecret: string | null;
  clickUpWebhookSecret: () => string | null;
  bodyLimitBytes: number;
  /** Per-source overrides of bodyLimitBytes (config server.body_limits). */
  bodyLimitBytesBySource?: { tradinggrid?: number; clickup?: number; as2?: number };
  now: () => number;
  /** Wakes the dispatcher when new work is stored. */
  onAccepted: () => void;
  /** A signed ClickUp delivery this instance failed to store (answered 500): the catch-up reads in full. */
  onClickUpAnswerFailed?: () => void;
  /** This instance's part among several on PostgreSQL (shown by /healthz). */
  role?: () => 'leader' | 'follower';
  /** Extra readiness checks (connectors started, webhooks registered). */
  ready?: () => { ok: boolean; detail: string };
  /** Where internal errors are logged in full (the answer carries only an id). */
  logger?: { error(obj: object, msg: string): void };
  /** Mounts further routes (admin API, console, metrics). */
  extend?: (app: Hono) => void;
}

/** The bridge's HTTP surface. Handlers only store: no remote call happens inside a request. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const incidentId = () => randomBytes(6).toString('hex');
  // Checked before any route runs, so no handler (or one added later that forgets) reads a declared giant body.
  const maxBody = Math.max(
    deps.bodyLimitBytes,
    ...Object.values(deps.bodyLimitBytesBySource ?? {}).filter((x): x is number => typeof x === 'number'),
  );
  app.use('*', async (c, next) => {
    const declared = Number(c.req.header('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBody)
      return c.json({ error: `body of ${declared} bytes is over the ${maxBody}-byte limit` }, 413);
    await next();
  });
  app.get('/healthz', (c) => c.json({ ok: true, ...(deps.role ? { role: deps.role() } : {}) }));
  app.get('/readyz', async (c) => {
    try {
      await pingStore(deps.db);
    } catch (e) {
      // The driver's text names hosts, users and databases: it goes to the log, the caller gets an id to quote.
      const id = incidentId();
      deps.logger?.error({ err: e, incident: id }, 'readiness check: store unreachable');
      return c.json({ ok: false, detail: 'not ready: store unreachable', id }, 503);
    }
    const r = deps.ready?.() ?? { ok: true, detail: 'ready' };
    return c.json(r, r.ok ? 200 : 503);
  });
  if (deps.tgWebhookSecret !== null)
    mountTradingGridWebhook(app, {
      db: deps.db,
      secret: deps.tgWebhookSecret,
      bodyLimitBytes: deps.bodyLimitBytesBySource?.tradinggrid ?? deps.bodyLimitBytes,
      now: deps.now,
      onAccepted: deps.onAccepted,
    });
  mountClickUpWebhook(app, {
    db: deps.db,
    secret: deps.clickUpWebhookSecret,
    bodyLimitBytes: deps.bodyLimitBytesBySource?.clickup ?? deps.bodyLimitBytes,
    now: deps.now,
    onAccepted: deps.onAccepted,
    onFailed: deps.onClickUpAnswerFailed,
  });
  // Public and read-only: the contract a customer's Trading Grid adapter implements. Registered before
  // the admin API so its `/api/*` sign-in does not apply; it says nothing about this deployment.
  app.get('/api/tradinggrid-contract.json', (c) => {
    c.header('cache-control', 'public, max-age=3600');
    return c.json(tradingGridContractDocument());
  });
  deps.extend?.(app);
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((e, c) => {
    const id = incidentId();
    deps.logger?.error(
      { err: e, incident: id, method: c.req.method, path: c.req.path },
      'internal error answering a request',
    );
    return c.json({ error: 'internal error', id }, 500);
  });
  return app;
}
