import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { createScaledClock, type ScaledClock } from '../shared/clock.ts';
import { CLICKUP_NO_FAULTS, latencyFor, type ClickUpFaults } from '../shared/faults.ts';
import { decideAfterSaveFault, decideFault } from './faults.ts';
import { readBody, Router, splitUrl } from '../shared/router.ts';
import type { Handler, SandboxRequest, SandboxResponse } from './http.ts';
import { registerClickUpApi, type ApiRequest } from './api.ts';
import { registerControlApi, type PersonActions, personActions } from './control.ts';
import { DEFAULT_DELIVERY, WebhookDeliverer, type DeliveryOptions, type DeliveryRecord } from './delivery.ts';
import { taskJson } from './render.ts';
import { ClickUpState, seed, type SeededIds } from './state.ts';

export type { ClickUpFaults } from '../shared/faults.ts';

export interface ClickUpSandboxOptions {
  port?: number;
  /** Requests per window (a minute unless rateWindowMs says otherwise) per token; null = unthrottled (no rate-limit headers). Default 100. */
  rateLimitPerMinute?: number | null;
  /**
   * Length of the rate-limit window, virtual ms (default 60,000 as ClickUp's). Chaos runs shorten it so a
   * 429 storm's X-RateLimit-Reset lies seconds ahead, not up to a minute, on the bridge's real clock.
   */
  rateWindowMs?: number;
  /** Virtual time runs this many times faster (windows, webhook timeouts, latency). Default 1. */
  timeScale?: number;
  faults?: Partial<ClickUpFaults>;
  /** Fixed token instead of a random `pk_…` one. */
  token?: string;
  delivery?: Partial<DeliveryOptions>;
  /** Random source for faults (tests pass a seeded one). */
  random?: () => number;
  /** Sees every API request and its answer (for contract tests); keep it cheap. */
  onExchange?: (x: SandboxExchange) => void;
  logger?: Logger;
  /**
   * Serve attachment files over https under ClickUp's own host name, t{team}.p.clickup-attachments.com
   * (on 127.0.0.1 at another port, with this certificate): file URLs then look like ClickUp's, and a test
   * resolves the name to loopback and trusts the certificate. Default: plain http on the API's origin.
   */
  attachmentTls?: { key: string | Buffer; cert: string | Buffer };
  /** The Workspace has the Custom Task IDs ClickApp on (default off, as in a new ClickUp Workspace). */
  customTaskIds?: boolean;
}

export interface SandboxExchange {
  method: string;
  /** Path without the query, e.g. `/api/v2/task/86abc`. */
  path: string;
  route: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  status: number;
  responseBody: unknown;
}

export interface ClickUpSandboxStats {
  /** Requests per `METHOD /route/{template}`. */
  requests: Record<string, number>;
  total: number;
  rateLimited429: number;
  injected5xx: number;
  resets: number;
  /** API requests without a token this sandbox issued (not in `requests`). */
  unauthenticated: number;
  /** Writes applied and then answered 502/504, reset, or left without an answer (faults after the work). */
  savedThen5xx: number;
  savedThenReset: number;
  savedThenHang: number;
  webhookDeliveries: number;
  webhookFailures: number;
}

export interface ClickUpSandbox extends PersonActions {
  /** API base ending in /api: client paths are /v2/... */
  url: string;
  /** Origin of the server (control API at `${origin}/_sandbox/...`). */
  origin: string;
  token: string;
  teamId: string;
  spaceId: string;
  lists: SeededIds;
  /** The sandbox's virtual clock; give `now`/`sleep` to the client when timeScale != 1. */
  clock: ScaledClock;
  close(): Promise<void>;
  stats(): ClickUpSandboxStats;
  setFaults(f: Partial<ClickUpFaults>): void;
  /** Starts a 429 storm lasting `ms` of virtual time. */
  storm429(ms: number): void;
  /** Every task, as GET /v2/task/{id} shows it. */
  tasks(): Array<Record<string, unknown>>;
  /** Webhook delivery attempts so far. */
  deliveries(): DeliveryRecord[];
  /** Resolves when no webhook delivery is queued or in flight. */
  webhooksSettled(): Promise<void>;
  /** Adds a token (e.g. an OAuth access token) acting as the given member (default: first member). */
  addToken(token: string, email?: string): void;
  state: ClickUpState;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** Starts a ClickUp look-alike on 127.0.0.1 with seeded state; see ClickUpSandbox. */
export async function startClickUpSandbox(opts: ClickUpSandboxOptions = {}): Promise<ClickUpSandbox> {
  const clock = createScaledClock(opts.timeScale ?? 1);
  const random = opts.random ?? Math.random;
  const limit = opts.rateLimitPerMinute === undefined ? 100 : opts.rateLimitPerMinute;
  let faults: ClickUpFaults = { ...CLICKUP_NO_FAULTS, ...opts.faults };
  const state = new ClickUpState();
  const token = opts.token ?? `pk_${81000001}_${randomBytes(16).toString('hex').toUpperCase()}`;
  const lists = seed(state, token);
  state.customTaskIds = opts.customTaskIds ?? false;
  const delivery = { ...DEFAULT_DELIVERY, ...opts.delivery };
  const deliverer = new WebhookDeliverer(state, clock, () => faults, delivery, random, opts.logger);
  const ctx = { state, events: deliverer, now: () => clock.now(), origin: '' };
  const router = new Router<Handler>();
  const mutations = registerClickUpApi(router, ctx);
  const person = personActions(ctx, mutations);
  registerControlApi(router, ctx, person, {
    setFaults: (f) => setFaults(f),
    getFaults: () => faults,
    stats: () => stats(),
  });

  const counts = new Map<string, number>();
  let total = 0;
  let n429 = 0;
  let n5xx = 0;
  let nResets = 0;
  let nForeign = 0;
  let nSaved5xx = 0;
  let nSavedReset = 0;
  let nSavedHang = 0;
  const windowMs = opts.rateWindowMs ?? 60_000;
  const t0 = Math.floor(clock.now() / 1000) * 1000;
  const windows = new Map<string, { start: number; used: number }>();

  const setFaults = (f: Partial<ClickUpFaults>) => {
    faults = { ...faults, ...f };
  };
  const stats = (): ClickUpSandboxStats => {
    const log = deliverer.log;
    return {
      requests: Object.fromEntries(counts),
      total,
      rateLimited429: n429,
      injected5xx: n5xx,
      resets: nResets,
      unauthenticated: nForeign,
      savedThen5xx: nSaved5xx,
      savedThenReset: nSavedReset,
      savedThenHang: nSavedHang,
      webhookDeliveries: log.length,
      webhookFailures: log.filter((d) => typeof d.status !== 'number' || d.status >= 300).length,
    };
  };

  /**
   * Fixed windows per token (a minute by default), aligned to whole seconds so X-RateLimit-Reset is exact;
   * 100 a minute as on ClickUp's lowest plans (https://developer.clickup.com/docs/rate-limits).
   */
  const meter = (tok: string, now: number): { headers: Record<string, string>; over: boolean } => {
    if (limit === null) return { headers: {}, over: false };
    const start = t0 + Math.floor((now - t0) / windowMs) * windowMs;
    let w = windows.get(tok);
    if (!w || w.start !== start) windows.set(tok, (w = { start, used: 0 }));
    const over = w.used >= limit;
    if (!over) w.used++;
    return {
      over,
      headers: {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': String(Math.max(0, limit - w.used)),
        'x-ratelimit-reset': String((start + windowMs) / 1000),
      },
    };
  };

  const send = (res: ServerResponse, r: SandboxResponse, extra?: Record<string, string>) => {
    if (r.raw) {
      res.writeHead(r.status, { ...r.headers, ...extra, 'content-length': String(r.raw.length) });
      res.end(r.raw);
      return;
    }
    const text = r.body === undefined ? '' : JSON.stringify(r.body);
    res.writeHead(
      r.status,
      r.body === undefined ? { ...r.headers, ...extra } : { ...JSON_HEADERS, ...r.headers, ...extra },
    );
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { path, query } = splitUrl(req.url);
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    total++;

    // Attachment files: public URLs, outside the metered API.
    if (method === 'GET' && path.startsWith('/attachments/')) {
      const id = decodeURIComponent(path.split('/')[2] ?? '');
      const a = state.attachmentsById.get(id);
      counts.set('GET /attachments/{id}/{name}', (counts.get('GET /attachments/{id}/{name}') ?? 0) + 1);
      if (!a) return send(res, { status: 404, body: { err: 'Attachment not found', ECODE: 'ATTCH_001' } });
      return send(res, { status: 200, raw: a.data, headers: { 'content-type': a.mimetype } });
    }

    const m = router.match(method, path);
    if (!m.route) {
      return send(res, {
        status: m.methodNotAllowed ? 405 : 404,
        body: { err: m.methodNotAllowed ? 'Method not allowed' : 'Route not found', ECODE: 'APP_001' },
      });
    }
    // Per-route counts are this sandbox's own callers only: a request with a token it never issued (a bridge
    // left running by another test, on a port since reused) is answered 401 and counted apart.
    const auth = req.headers.authorization;
    const tok = (auth ?? '').replace(/^Bearer\s+/i, '');
    const control = path.startsWith('/_sandbox/');
    if (control || state.tokens.has(tok)) counts.set(m.route.name, (counts.get(m.route.name) ?? 0) + 1);
    else nForeign++;
    let json: unknown;
    if (body.length > 0 && (req.headers['content-type'] ?? '').includes('json')) {
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        return send(res, { status: 400, body: { err: 'Request body is not valid JSON', ECODE: 'INPUT_001' } });
      }
    }
    const sreq: SandboxRequest = {
      method,
      route: m.route.template,
      params: m.params,
      query,
      headers: req.headers,
      body,
      json,
    };

    if (control) return send(res, await m.route.handler(sreq));

    // ClickUp API: faults, auth, rate limit, then the handler.
    const now = clock.now();
    const fault = decideFault(faults, now, random);
    const lat = latencyFor(faults, random);
    if (lat > 0) await clock.sleep(lat);
    if (fault.kind === 'reset') {
      nResets++;
      req.socket.destroy();
      return;
    }
    if (!auth) return send(res, { status: 401, body: { err: 'Authorization header required', ECODE: 'OAUTH_017' } });
    const userId = state.tokens.get(tok);
    if (userId === undefined) return send(res, { status: 401, body: { err: 'Token invalid', ECODE: 'OAUTH_025' } });
    const meterResult = meter(tok, now);
    if (meterResult.over || fault.kind === '429') {
      n429++;
      return send(res, { status: 429, body: { err: 'Rate limit reached', ECODE: 'APP_002' } }, meterResult.headers);
    }
    if (fault.kind === '5xx') {
      n5xx++;
      return send(
        res,
        { status: fault.status, body: { err: 'Internal Server Error', ECODE: 'APP_500' } },
        meterResult.headers,
      );
    }
    const areq = sreq as ApiRequest;
    areq.userId = userId;
    areq.token = tok;
    const out = await m.route.handler(areq);
    opts.onExchange?.({
      method,
      path,
      route: m.route.template,
      query,
      headers: req.headers,
      body,
      status: out.status,
      responseBody: out.body,
    });
    // Faults after the work is done (ClickUpFaults.savedThen*): the write above is saved; only its answer is lost.
    const after = out.status < 300 ? decideAfterSaveFault(faults, method, random) : { kind: 'none' as const };
    if (after.kind === 'saved_5xx') {
      nSaved5xx++;
      // What ClickUp's edge answers when the origin's reply does not reach it: an HTML-ish gateway error, no ECODE.
      return send(
        res,
        { status: after.status, body: { err: after.status === 502 ? 'Bad Gateway' : 'Gateway Timeout' } },
        meterResult.headers,
      );
    }
    if (after.kind === 'saved_reset') {
      nSavedReset++;
      req.socket.destroy();
      return;
    }
    if (after.kind === 'saved_hang') {
      // No answer at all: the client's timeout closes the connection (close() ends any still open).
      nSavedHang++;
      return;
    }
    send(res, out, out.status < 300 && faults.omitRateLimitHeadersOnSuccess ? {} : meterResult.headers);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      opts.logger?.error({ err: e }, 'clickup sandbox handler failed');
      if (!res.headersSent) send(res, { status: 500, body: { err: 'Sandbox bug', ECODE: 'APP_500' } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  ctx.origin = `${origin}/attachments`;
  let filesServer: HttpsServer | null = null;
  if (opts.attachmentTls) {
    // ClickUp's file URLs: https://t{workspace}.p.clickup-attachments.com/t{workspace}/{attachment id}/{name}
    // (file URLs in ClickUp's answers, e.g. the example of https://developer.clickup.com/docs/webhookurl).
    const fs = createHttpsServer({ key: opts.attachmentTls.key, cert: opts.attachmentTls.cert }, (req, res) => {
      const parts = (req.url ?? '/').split('?')[0]!.split('/');
      const a =
        parts[1] === `t${state.teamId}` ? state.attachmentsById.get(decodeURIComponent(parts[2] ?? '')) : undefined;
      counts.set('GET /t{team}/{id}/{name}', (counts.get('GET /t{team}/{id}/{name}') ?? 0) + 1);
      if (req.method !== 'GET' || !a)
        return send(res, { status: 404, body: { err: 'Attachment not found', ECODE: 'ATTCH_001' } });
      send(res, { status: 200, raw: a.data, headers: { 'content-type': a.mimetype } });
    });
    await new Promise<void>((resolve, reject) => {
      fs.once('error', reject);
      fs.listen(0, '127.0.0.1', () => resolve());
    });
    filesServer = fs;
    ctx.origin = `https://t${state.teamId}.p.clickup-attachments.com:${(fs.address() as AddressInfo).port}/t${state.teamId}`;
  }

  return {
    url: `${origin}/api`,
    origin,
    token,
    teamId: state.teamId,
    spaceId: state.spaceId,
    lists,
    clock,
    state,
    ...person,
    close: async () => {
      deliverer.close();
      if (filesServer) {
        filesServer.closeAllConnections();
        await new Promise<void>((r) => filesServer.close(() => r()));
      }
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
    stats,
    setFaults,
    storm429: (ms) => setFaults({ storm429Until: clock.now() + ms }),
    tasks: () => [...state.tasks.values()].map((t) => taskJson(state, t, ctx.origin, { attachments: true })),
    deliveries: () => [...deliverer.log],
    webhooksSettled: () => deliverer.settled(),
    addToken: (tok, email) => {
      const u = email ? state.users.find((x) => x.email === email) : state.users[0];
      if (!u) throw new Error(`no sandbox member with email ${email}`);
      state.tokens.set(tok, u.id);
    },
  };
}
