/**
 * A faithful Trading Grid `community` sandbox (docs/tradinggrid-contract.md) on real HTTP:
 * OAuth2 client credentials with expiring tokens, `{total_count, data}` paging with `where_<field>`
 * filters, Idempotency-Key on writes, multipart upload with sha256, streamed download, thin
 * events signed the Standard Webhooks way and POSTed asynchronously with retries, fault knobs,
 * and partner-side controls as methods and under `/_sandbox/...`.
 *
 * Layout: `url` is `http://127.0.0.1:<port>`; the contract's paths hang directly off it
 * (`{url}/tenants/{tenantId}/oauth2/token`, `{url}/cases/{id}`, ...), so `url` is the driver's baseUrl.
 *
 * Built on node:http with the sandboxes' segment router (../shared/router.ts) rather than Hono: the
 * handlers need the raw request/response for multipart and streamed bodies, and this keeps per-request
 * cost minimal (the engine drives thousands of requests a second through it).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type {
  Case,
  CaseComment,
  ComplianceRequirement,
  Document,
  Notice,
  PartnerRequest,
  TradingPartner,
} from '../../connectors/tradinggrid/events.ts';
import { addApiRoutes } from './api.ts';
import { addControlRoutes } from './control.ts';
import { WebhookSender, type SandboxEvent, type WebhookStats } from './delivery.ts';
import { latencyFor, seededRandom, TRADING_GRID_NO_FAULTS, type TradingGridFaults } from '../shared/faults.ts';
import { headerOf } from './requests.ts';
import { Router, splitUrl } from '../shared/router.ts';
import { errorReply, sendReply, type Ctx, type Handler, type Reply } from './http.ts';
import {
  SandboxError,
  TradingGridState,
  type AddPartnerInput,
  type ComplianceInput,
  type DocumentInput,
  type RaiseCaseInput,
  type RequestApprovalInput,
} from './state.ts';

export type { TradingGridFaults } from '../shared/faults.ts';
export type { SandboxEvent } from './delivery.ts';
export type { RaiseCaseInput, RequestApprovalInput, AddPartnerInput, ComplianceInput, DocumentInput } from './state.ts';

export interface TradingGridSandboxOptions {
  port?: number;
  webhookUrl?: string;
  /** `whsec_<base64>`; generated when omitted. */
  webhookSecret?: string;
  faults?: Partial<TradingGridFaults>;
  logger?: Logger;
  /** Access token lifetime (default 3600 s). */
  tokenTtlSec?: number;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Seed for the fault dice (default random). */
  seed?: number;
  /** Tag inside generated ids (`CASE-<tag>-1`), default random, so ids from two runs never collide. */
  idTag?: string;
  /** Clock in epoch ms (default Date.now). */
  now?: () => number;
  /** Webhook retry tuning (defaults: 12 attempts, 100 ms base, 5 s cap, 32 in flight). */
  webhook?: { maxAttempts?: number; retryBaseMs?: number; retryMaxMs?: number; concurrency?: number };
}

export interface TradingGridSandboxStats {
  /** Requests per route name, e.g. `GET /cases/{id}`. */
  requests: Record<string, number>;
  /** Requests answered by an injected fault (5xx, 429, token expiry). */
  faultsInjected: number;
  /** Writes answered from the idempotency store. */
  idempotentReplays: number;
  tokensIssued: number;
  events: WebhookStats;
}

/** One API request as the sandbox matched it (before faults and auth), for `onRequest` listeners. */
export interface TradingGridRequestSeen {
  /** Route name, e.g. `GET /trading_partners/{id}`. */
  route: string;
  /** The route's `{name}` segments, decoded. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
}

export interface TradingGridSandboxStateView {
  partners: ReadonlyMap<string, TradingPartner>;
  cases: ReadonlyMap<string, Case>;
  comments: ReadonlyMap<string, readonly CaseComment[]>;
  documents: ReadonlyMap<string, { meta: Document; content: Buffer }>;
  compliance: ReadonlyMap<string, ComplianceRequirement>;
  requests: ReadonlyMap<string, PartnerRequest>;
  notices: ReadonlyMap<string, Notice>;
  scorecards: ReadonlyMap<string, Record<string, unknown>>;
  /** Events emitted (newest last; the oldest are dropped past 50,000). */
  events: readonly SandboxEvent[];
  /** Events given up after all delivery attempts. */
  undelivered: readonly SandboxEvent[];
}

export interface TradingGridSandbox {
  /** Base URL (`http://127.0.0.1:<port>`); the contract's paths hang off it. */
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  setWebhookUrl(url: string | undefined): void;
  close(): Promise<void>;
  stats(): TradingGridSandboxStats;
  /**
   * Call `listener` with every contract API request (not `/_sandbox` controls) from now on, so a caller can
   * count requests about one resource (`stats()` counts per route only). Returns the function that stops it.
   */
  onRequest(listener: (r: TradingGridRequestSeen) => void): () => void;
  state(): TradingGridSandboxStateView;
  /** Resolves when every emitted event is delivered or given up (none queued, in flight or waiting to retry). */
  idle(): Promise<void>;
  setFaults(f: Partial<TradingGridFaults>): void;
  faults(): TradingGridFaults;
  /** Revoke every issued token: the next API call gets 401 invalid_token. */
  expireTokens(): void;

  // partner-side controls (each emits its events)
  raiseCase(input: RaiseCaseInput): Promise<Case>;
  /** The partner edits its case: kind, value, title, description (case.updated with `changed`). */
  editCase(caseId: string, patch: Parameters<TradingGridState['editCase']>[1]): Promise<Case>;
  uploadDocument(caseId: string, doc: DocumentInput): Promise<Document>;
  addCaseComment(caseId: string, input: { body: string; author?: string }): Promise<CaseComment>;
  requestApproval(input: RequestApprovalInput): Promise<PartnerRequest>;
  withdrawRequest(requestId: string): Promise<PartnerRequest>;
  acknowledgeNotice(noticeId: string, partnerId: string, contact?: string): Promise<Notice>;
  addPartner(input: AddPartnerInput): Promise<TradingPartner>;
  setPartnerStatus(partnerId: string, status: TradingPartner['status']): Promise<TradingPartner>;
  addComplianceRequirement(input: ComplianceInput): Promise<ComplianceRequirement>;
}

const EVENT_LOG_MAX = 50_000;
const IDEMPOTENCY_MAX = 200_000;

/** Start the sandbox on 127.0.0.1 (port 0 = any free port). */
export async function startTradingGridSandbox(opts: TradingGridSandboxOptions = {}): Promise<TradingGridSandbox> {
  const now = opts.now ?? Date.now;
  const idTag = opts.idTag ?? randomBytes(2).toString('hex');
  const tenantId = opts.tenantId ?? 'tg-sandbox';
  const clientId = opts.clientId ?? 'gridbridge-sandbox';
  const clientSecret = opts.clientSecret ?? `tgs_${randomBytes(18).toString('base64url')}`;
  const webhookSecret = opts.webhookSecret ?? `whsec_${randomBytes(24).toString('base64')}`;
  const tokenTtlMs = (opts.tokenTtlSec ?? 3600) * 1000;
  const random = seededRandom(opts.seed ?? (Math.random() * 2 ** 32) >>> 0);
  let faults: TradingGridFaults = { ...TRADING_GRID_NO_FAULTS, ...opts.faults };
  const log = opts.logger;

  const sender = new WebhookSender({
    secret: webhookSecret,
    url: opts.webhookUrl,
    faults: () => faults,
    random,
    logger: log,
    ...opts.webhook,
  });
  const eventLog: SandboxEvent[] = [];
  let eventSeq = 0;
  // Each event is stamped by the state's clock after the change it reports (so it sorts after it).
  const state: TradingGridState = new TradingGridState(
    (type, data) => {
      const event: SandboxEvent = { id: `evt_${idTag}_${++eventSeq}`, type, occurred_at: state.stamp(), data };
      eventLog.push(event);
      if (eventLog.length > EVENT_LOG_MAX) eventLog.splice(0, EVENT_LOG_MAX / 2);
      sender.send(event);
    },
    idTag,
    now,
  );

  const tokens = new Map<string, number>();
  const idempotency = new Map<string, Promise<Reply>>();
  const requestCounts = new Map<string, number>();
  const requestListeners = new Set<(r: TradingGridRequestSeen) => void>();
  let faultsInjected = 0;
  let idempotentReplays = 0;
  let tokensIssued = 0;

  const router = new Router<Handler>();

  addApiRoutes(router, {
    state,
    tenantId,
    clientId,
    clientSecret,
    tokenTtlMs,
    now,
    tokens,
    onTokenIssued: () => {
      tokensIssued++;
    },
  });

  // ---- partner-side controls over HTTP (no auth, no faults) ------------------------------------
  const control = new Router<Handler>();
  addControlRoutes(control, {
    state,
    stats,
    events: eventLog,
    faults: () => faults,
    setFaults: (f) => {
      faults = { ...faults, ...f };
    },
    expireTokens: () => tokens.clear(),
    setWebhookUrl: (u) => sender.setUrl(u),
  });

  function stats(): TradingGridSandboxStats {
    return {
      requests: Object.fromEntries(requestCounts),
      faultsInjected,
      idempotentReplays,
      tokensIssued,
      events: { ...sender.stats, pending: sender.pendingCount() },
    };
  }

  function count(name: string) {
    requestCounts.set(name, (requestCounts.get(name) ?? 0) + 1);
  }

  /** An injected fault for this API request, if the dice say so. */
  function injectedFault(isToken: boolean, req: IncomingMessage): Reply | undefined {
    const f = faults;
    if (f.failNext > 0) {
      faults = { ...f, failNext: f.failNext - 1 };
      return errorReply(f.errorStatus, 'sandbox_fault', 'injected failure (failNext)');
    }
    if (f.rateLimitNext > 0) {
      faults = { ...f, rateLimitNext: f.rateLimitNext - 1 };
      return errorReply(429, 'rate_limited', 'too many requests', { 'retry-after': String(f.retryAfterSec) });
    }
    if (f.errorRate > 0 && random() < f.errorRate)
      return errorReply(f.errorStatus, 'sandbox_fault', 'injected failure');
    if (f.rateLimitRate > 0 && random() < f.rateLimitRate)
      return errorReply(429, 'rate_limited', 'too many requests', { 'retry-after': String(f.retryAfterSec) });
    if (!isToken && f.tokenExpiredRate > 0 && random() < f.tokenExpiredRate) {
      const t = headerOf(req, 'authorization')?.slice(7);
      if (t) tokens.delete(t);
      return errorReply(401, 'invalid_token', 'access token expired');
    }
    return undefined;
  }

  function authorise(req: IncomingMessage): Reply | undefined {
    const h = headerOf(req, 'authorization');
    if (!h || !h.startsWith('Bearer '))
      return errorReply(401, 'missing_token', 'Authorization: Bearer <token> required', {
        'www-authenticate': 'Bearer',
      });
    const token = h.slice(7);
    const exp = tokens.get(token);
    if (exp === undefined)
      return errorReply(401, 'invalid_token', 'access token unknown or revoked', {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    if (now() >= exp) {
      tokens.delete(token);
      return errorReply(401, 'invalid_token', 'access token expired', {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    }
    return undefined;
  }

  async function run(handler: Handler, c: Ctx): Promise<Reply | null> {
    try {
      return await handler(c);
    } catch (e) {
      if (e instanceof SandboxError) return errorReply(e.status, e.code, e.message);
      const status = (e as { status?: number }).status;
      if (status === 413) return errorReply(413, 'payload_too_large', (e as Error).message);
      log?.error({ err: e, route: c.route }, 'tg sandbox handler failed');
      return errorReply(500, 'internal_error', 'sandbox handler failed');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, query } = splitUrl(req.url);
    const method = req.method ?? 'GET';

    if (path.startsWith('/_sandbox/')) {
      const m = control.match(method, path);
      if (!m.route) return sendReply(res, errorReply(404, 'not_found', `no sandbox control ${method} ${path}`));
      count(m.route.name);
      const r = await run(m.route.handler, { req, res, params: m.params, query, route: m.route.name });
      if (r) sendReply(res, r);
      return;
    }

    const m = router.match(method, path);
    if (!m.route) {
      count('unmatched');
      return sendReply(res, errorReply(404, 'not_found', `no route ${method} ${path}`));
    }
    count(m.route.name);
    for (const l of requestListeners) l({ route: m.route.name, params: m.params, query });
    const latency = latencyFor(faults, random);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const isToken = m.route.parts[0] === 'tenants';
    const fault = injectedFault(isToken, req);
    if (fault) {
      faultsInjected++;
      req.resume();
      return sendReply(res, fault);
    }
    if (!isToken) {
      const denied = authorise(req);
      if (denied) {
        req.resume();
        return sendReply(res, denied);
      }
    }
    const ctx: Ctx = { req, res, params: m.params, query, route: m.route.name };
    const key = method !== 'GET' ? headerOf(req, 'idempotency-key') : undefined;
    if (!key) {
      const r = await run(m.route.handler, ctx);
      if (r) sendReply(res, r);
      return;
    }
    // Same key on the same route → the first answer again, and no second effect. A concurrent
    // repeat waits for the first. Server errors are not remembered, so a retry can succeed.
    const slot = `${method} ${path} ${key}`;
    const prior = idempotency.get(slot);
    if (prior) {
      idempotentReplays++;
      req.resume();
      const r = await prior;
      return sendReply(res, { ...r, headers: { ...r.headers, 'idempotent-replayed': 'true' } });
    }
    const p = run(m.route.handler, ctx).then((r) => r ?? errorReply(500, 'internal_error', 'write handler streamed'));
    idempotency.set(slot, p);
    if (idempotency.size > IDEMPOTENCY_MAX) idempotency.delete(idempotency.keys().next().value!);
    const r = await p;
    if (r.status >= 500 || r.status === 429) idempotency.delete(slot);
    sendReply(res, r);
  }

  const server: Server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    handle(req, res).catch((e) => {
      log?.error({ err: e }, 'tg sandbox request failed');
      if (!res.headersSent) sendReply(res, errorReply(500, 'internal_error', 'sandbox failure'));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  log?.info({ url, tenantId }, 'trading grid sandbox listening');

  const clone = <T>(v: T): T => structuredClone(v);
  const act = async <T>(f: () => T): Promise<T> => clone(f());

  return {
    url,
    tenantId,
    clientId,
    clientSecret,
    webhookSecret,
    setWebhookUrl: (u) => sender.setUrl(u),
    async close() {
      await sender.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    stats,
    onRequest(listener) {
      const l = (r: TradingGridRequestSeen) => listener(r);
      requestListeners.add(l);
      return () => requestListeners.delete(l);
    },
    state: () => ({
      partners: state.partners,
      cases: state.cases,
      comments: state.comments,
      documents: state.documents,
      compliance: state.compliance,
      requests: state.requests,
      notices: state.notices,
      scorecards: state.scorecards,
      events: eventLog,
      undelivered: sender.undelivered,
    }),
    idle: () => sender.idle(),
    setFaults(f) {
      faults = { ...faults, ...f };
    },
    faults: () => ({ ...faults }),
    expireTokens: () => tokens.clear(),
    raiseCase: (input) => act(() => state.raiseCase(input)),
    editCase: (id, patch) => act(() => state.editCase(id, patch)),
    uploadDocument: (caseId, doc) => act(() => state.addDocument({ caseId }, doc, 'partner')),
    addCaseComment: (caseId, input) => act(() => state.addComment(caseId, input.body, input.author, 'partner')),
    requestApproval: (input) => act(() => state.requestApproval(input)),
    withdrawRequest: (id) => act(() => state.withdrawRequest(id)),
    acknowledgeNotice: (noticeId, partnerId, contact) =>
      act(() => state.acknowledgeNotice(noticeId, partnerId, contact)),
    addPartner: (input) => act(() => state.addPartner(input)),
    setPartnerStatus: (id, status) => act(() => state.setPartnerStatus(id, status)),
    addComplianceRequirement: (input) => act(() => state.addComplianceRequirement(input)),
  };
}
