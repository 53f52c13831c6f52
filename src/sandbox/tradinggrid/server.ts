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
 * Built on node:http with a small segment router rather than Hono: the handlers need the raw
 * request/response for multipart and streamed bodies, and this keeps per-request cost minimal
 * (the engine drives thousands of requests a second through it).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Case, CaseComment, ComplianceRequirement, Document, Notice, PartnerRequest, TradingGridEventType, TradingPartner } from '../../connectors/tradinggrid/events.ts';
import { NO_FAULTS, seededRandom, type Faults } from './faults.ts';
import { multipartBoundary, parseMultipart } from '../shared/multipart.ts';
import { Router, errorReply, json, readBody, sendReply, type Ctx, type Reply } from './router.ts';
import {
  SandboxError,
  TradingGridState,
  toSandboxIso,
  type AddPartnerInput,
  type ComplianceInput,
  type DocumentInput,
  type RaiseCaseInput,
  type RequestApprovalInput,
} from './state.ts';
import { WebhookSender, type SandboxEvent, type WebhookStats } from './webhookSender.ts';

export type { Faults } from './faults.ts';
export type { SandboxEvent } from './webhookSender.ts';
export type { RaiseCaseInput, RequestApprovalInput, AddPartnerInput, ComplianceInput, DocumentInput } from './state.ts';

export interface TradingGridSandboxOptions {
  port?: number;
  webhookUrl?: string;
  /** `whsec_<base64>`; generated when omitted. */
  webhookSecret?: string;
  faults?: Partial<Faults>;
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
  /** Requests per route name, e.g. `GET /cases/:id`. */
  requests: Record<string, number>;
  /** Requests answered by an injected fault (5xx, 429, token expiry). */
  faultsInjected: number;
  /** Writes answered from the idempotency store. */
  idempotentReplays: number;
  tokensIssued: number;
  events: WebhookStats;
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
  state(): TradingGridSandboxStateView;
  /** Resolves when every emitted event is delivered or given up (none queued, in flight or waiting to retry). */
  idle(): Promise<void>;
  setFaults(f: Partial<Faults>): void;
  faults(): Faults;
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

const JSON_LIMIT = 1 << 20;
const UPLOAD_LIMIT = 100 << 20;
const EVENT_LOG_MAX = 50_000;
const IDEMPOTENCY_MAX = 200_000;

type Stamped = { updated_at?: string; created_at?: string; opened_at?: string };

/** `{total_count, data}` of the items matching `where_<field>` filters, paged by limit/offset. */
function listReply<T extends object>(items: Iterable<T>, q: URLSearchParams): Reply {
  const limitRaw = q.get('limit');
  const offsetRaw = q.get('offset');
  const limit = limitRaw === null ? 100 : Number(limitRaw);
  const offset = offsetRaw === null ? 0 : Number(offsetRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return errorReply(400, 'invalid_limit', 'limit must be an integer from 1 to 100');
  if (!Number.isInteger(offset) || offset < 0) return errorReply(400, 'invalid_offset', 'offset must be a non-negative integer');
  let updatedAfter: string | undefined;
  let createdAfter: string | undefined;
  const eq: Array<[string, string]> = [];
  for (const [k, v] of q) {
    if (!k.startsWith('where_')) continue;
    const field = k.slice(6);
    if (field === 'updated_after' || field === 'created_after') {
      const iso = toSandboxIso(v);
      if (!iso) return errorReply(400, 'invalid_filter', `${k} must be an ISO timestamp`);
      if (field === 'updated_after') updatedAfter = iso;
      else createdAfter = iso;
    } else eq.push([field, v]);
  }
  let out: T[] = [];
  for (const item of items) {
    const s = item as Stamped & Record<string, unknown>;
    if (updatedAfter !== undefined && !((s.updated_at ?? s.created_at ?? '') > updatedAfter)) continue;
    if (createdAfter !== undefined && !((s.created_at ?? s.opened_at ?? '') > createdAfter)) continue;
    let keep = true;
    for (const [f, v] of eq) {
      const val = s[f];
      if (val === undefined || val === null || String(val) !== v) {
        keep = false;
        break;
      }
    }
    if (keep) out.push(item);
  }
  // A catch-up read pages in change order, so a change made while paging moves to the end.
  if (updatedAfter !== undefined) out = out.sort((a, b) => ((a as Stamped).updated_at! < (b as Stamped).updated_at! ? -1 : 1));
  return json(200, { total_count: out.length, data: out.slice(offset, offset + limit) });
}

function parseJson(buf: Buffer): Record<string, unknown> {
  if (buf.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new SandboxError(400, 'invalid_json', `body is not JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SandboxError(400, 'invalid_json', 'body must be a JSON object');
  return v as Record<string, unknown>;
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Document upload body: multipart (`file` + `name`/`kind` fields) or JSON with `content_base64`. */
async function readDocumentUpload(req: IncomingMessage): Promise<DocumentInput> {
  const ct = headerOf(req, 'content-type');
  const boundary = multipartBoundary(ct);
  const raw = await readBody(req, UPLOAD_LIMIT);
  if (boundary) {
    let parts;
    try {
      parts = parseMultipart(raw, boundary);
    } catch (e) {
      throw new SandboxError(400, 'invalid_multipart', (e as Error).message);
    }
    const file = parts.find((p) => p.filename !== undefined) ?? parts.find((p) => p.name === 'file');
    if (!file) throw new SandboxError(400, 'invalid_multipart', 'multipart body has no file part');
    const field = (n: string) => parts.find((p) => p.name === n && p !== file)?.data.toString('utf8');
    return {
      name: field('name') ?? file.filename ?? 'document',
      kind: (field('kind') ?? 'other') as DocumentInput['kind'],
      contentType: field('content_type') ?? file.contentType ?? 'application/octet-stream',
      content: Buffer.from(file.data),
    };
  }
  const b = parseJson(raw);
  if (typeof b.content_base64 !== 'string') throw new SandboxError(400, 'invalid_upload', 'send multipart/form-data with a file part, or JSON with content_base64');
  return {
    name: String(b.name ?? 'document'),
    kind: (b.kind ?? 'other') as DocumentInput['kind'],
    contentType: String(b.content_type ?? 'application/octet-stream'),
    content: Buffer.from(b.content_base64, 'base64'),
  };
}

function docsFromJson(v: unknown): DocumentInput[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((d: Record<string, unknown>) => ({
    name: String(d.name ?? 'document'),
    kind: (d.kind ?? 'other') as DocumentInput['kind'],
    contentType: String(d.content_type ?? d.contentType ?? 'application/octet-stream'),
    content: typeof d.content_base64 === 'string' ? Buffer.from(d.content_base64, 'base64') : Buffer.from(String(d.content ?? ''), 'utf8'),
  }));
}

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
  let faults: Faults = { ...NO_FAULTS, ...opts.faults };
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
  let state!: TradingGridState;
  const emit = (type: TradingGridEventType, data: { id: string } & Record<string, unknown>) => {
    const event: SandboxEvent = { id: `evt_${idTag}_${++eventSeq}`, type, occurred_at: state.stamp(), data };
    eventLog.push(event);
    if (eventLog.length > EVENT_LOG_MAX) eventLog.splice(0, EVENT_LOG_MAX / 2);
    sender.send(event);
  };
  state = new TradingGridState(emit, idTag, now);

  const tokens = new Map<string, number>();
  const idempotency = new Map<string, Promise<Reply>>();
  const requestCounts = new Map<string, number>();
  let faultsInjected = 0;
  let idempotentReplays = 0;
  let tokensIssued = 0;

  const router = new Router();
  const secretBuf = Buffer.from(clientSecret);

  // ---- OAuth2 ---------------------------------------------------------------------------------
  router.add('POST', '/tenants/:tenant/oauth2/token', async ({ req, params }) => {
    if (params.tenant !== tenantId) return errorReply(404, 'tenant_not_found', `tenant ${params.tenant} not found`);
    const form = new URLSearchParams((await readBody(req, JSON_LIMIT)).toString('utf8'));
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = headerOf(req, 'authorization');
    if (basic?.startsWith('Basic ')) {
      const [u, p] = Buffer.from(basic.slice(6), 'base64').toString('utf8').split(':');
      id = decodeURIComponent(u ?? '');
      secret = decodeURIComponent(p ?? '');
    }
    if (form.get('grant_type') !== 'client_credentials') return errorReply(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    const given = Buffer.from(secret ?? '');
    if (id !== clientId || given.length !== secretBuf.length || !timingSafeEqual(given, secretBuf)) {
      return errorReply(401, 'invalid_client', 'client authentication failed');
    }
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, now() + tokenTtlMs);
    tokensIssued++;
    return json(200, { access_token: token, token_type: 'Bearer', expires_in: Math.round(tokenTtlMs / 1000) }, { 'cache-control': 'no-store' });
  });

  // ---- trading partners -------------------------------------------------------------------------
  router.add('GET', '/trading_partners', ({ query }) => listReply(state.partners.values(), query));
  router.add('GET', '/trading_partners/:id', ({ params }) => {
    const p = state.partners.get(params.id!);
    return p ? json(200, p) : errorReply(404, 'not_found', `trading partner ${params.id} not found`);
  });
  router.add('POST', '/trading_partners', async ({ req }) => json(201, state.addPartner(parseJson(await readBody(req, JSON_LIMIT)) as unknown as AddPartnerInput)));
  router.add('POST', '/trading_partners/:id/status', async ({ req, params }) => json(200, state.setPartnerStatus(params.id!, String(parseJson(await readBody(req, JSON_LIMIT)).status))));
  router.add('PUT', '/trading_partners/:id/scorecard', async ({ req, params }) => json(200, state.putScorecard(params.id!, parseJson(await readBody(req, JSON_LIMIT)))));
  router.add('GET', '/trading_partners/:id/scorecard', ({ params }) => {
    const s = state.scorecards.get(params.id!);
    return s ? json(200, s) : errorReply(404, 'not_found', `no scorecard for ${params.id}`);
  });

  // ---- cases ----------------------------------------------------------------------------------
  router.add('GET', '/cases', ({ query }) => listReply(state.cases.values(), query));
  router.add('GET', '/cases/:id', ({ params }) => json(200, state.getCase(params.id!)));
  router.add('POST', '/cases/:id/status', async ({ req, params }) => {
    const b = parseJson(await readBody(req, JSON_LIMIT));
    return json(200, state.setCaseStatus(params.id!, b.status, b.note));
  });
  router.add('GET', '/cases/:id/comments', ({ params, query }) => {
    state.getCase(params.id!);
    return listReply(state.comments.get(params.id!) ?? [], query);
  });
  router.add('POST', '/cases/:id/comments', async ({ req, params }) => {
    const b = parseJson(await readBody(req, JSON_LIMIT));
    return json(201, state.addComment(params.id!, b.body as string, typeof b.author === 'string' ? b.author : undefined, 'internal'));
  });
  router.add('GET', '/cases/:id/documents', ({ params, query }) => {
    state.getCase(params.id!);
    return listReply((state.caseDocuments.get(params.id!) ?? []).map((d) => state.documents.get(d)!.meta), query);
  });
  router.add('POST', '/cases/:id/documents', async ({ req, params }) => {
    state.getCase(params.id!); // 404 before reading a large body
    return json(201, state.addDocument({ caseId: params.id! }, await readDocumentUpload(req), 'internal'));
  });

  // ---- documents ------------------------------------------------------------------------------
  router.add('GET', '/documents', ({ query }) => listReply([...state.documents.values()].map((d) => d.meta), query));
  router.add('GET', '/documents/:id', ({ params }) => {
    const d = state.documents.get(params.id!);
    return d ? json(200, d.meta) : errorReply(404, 'not_found', `document ${params.id} not found`);
  });
  router.add('GET', '/documents/:id/content', ({ params, res }) => {
    const d = state.documents.get(params.id!);
    if (!d) return errorReply(404, 'not_found', `document ${params.id} not found`);
    res.writeHead(200, {
      'content-type': d.meta.content_type,
      'content-length': d.content.length,
      'content-disposition': `attachment; filename="${encodeURIComponent(d.meta.name)}"`,
      digest: `sha-256=${Buffer.from(d.meta.sha256, 'hex').toString('base64')}`,
    });
    // Streamed in 64 KiB pieces with backpressure, like a real file store.
    const chunks = function* () {
      for (let i = 0; i < d.content.length; i += 65_536) yield d.content.subarray(i, i + 65_536);
    };
    Readable.from(chunks()).pipe(res);
    return null;
  });

  // ---- compliance requirements, requests, notices ---------------------------------------------
  router.add('GET', '/compliance_requirements', ({ query }) => listReply(state.compliance.values(), query));
  router.add('GET', '/compliance_requirements/:id', ({ params }) => {
    const r = state.compliance.get(params.id!);
    return r ? json(200, r) : errorReply(404, 'not_found', `compliance requirement ${params.id} not found`);
  });
  router.add('GET', '/requests', ({ query }) => listReply(state.requests.values(), query));
  router.add('GET', '/requests/:id', ({ params }) => json(200, state.getRequest(params.id!)));
  router.add('POST', '/requests/:id/decision', async ({ req, params }) => json(200, state.decideRequest(params.id!, parseJson(await readBody(req, JSON_LIMIT)))));
  router.add('GET', '/notices', ({ query }) => listReply(state.notices.values(), query));
  router.add('GET', '/notices/:id', ({ params }) => json(200, state.getNotice(params.id!)));
  router.add('POST', '/notices', async ({ req }) => json(201, state.publishNotice(parseJson(await readBody(req, JSON_LIMIT)))));

  // ---- partner-side controls over HTTP (no auth, no faults) ------------------------------------
  const control = new Router();
  const body = async (req: IncomingMessage) => parseJson(await readBody(req, UPLOAD_LIMIT));
  control.add('POST', '/_sandbox/cases', async ({ req }) => {
    const b = await body(req);
    return json(201, state.raiseCase({
      partnerId: String(b.partner_id ?? b.partnerId ?? ''),
      kind: b.kind as RaiseCaseInput['kind'],
      title: String(b.title ?? ''),
      description: b.description as string | undefined,
      transactionRef: (b.transaction_ref ?? b.transactionRef) as RaiseCaseInput['transactionRef'],
      value: b.value as RaiseCaseInput['value'],
      documents: docsFromJson(b.documents),
    }));
  });
  control.add('POST', '/_sandbox/cases/:id/documents', async ({ req, params }) => {
    state.getCase(params.id!);
    return json(201, state.addDocument({ caseId: params.id! }, await readDocumentUpload(req), 'partner'));
  });
  control.add('POST', '/_sandbox/cases/:id/comments', async ({ req, params }) => {
    const b = await body(req);
    return json(201, state.addComment(params.id!, b.body as string, b.author as string | undefined, 'partner'));
  });
  control.add('POST', '/_sandbox/requests', async ({ req }) => {
    const b = await body(req);
    return json(201, state.requestApproval({
      partnerId: String(b.partner_id ?? b.partnerId ?? ''),
      kind: b.kind as RequestApprovalInput['kind'],
      summary: String(b.summary ?? ''),
      details: b.details as string | undefined,
      value: b.value as RequestApprovalInput['value'],
      documents: docsFromJson(b.documents),
    }));
  });
  control.add('POST', '/_sandbox/requests/:id/withdraw', ({ params }) => json(200, state.withdrawRequest(params.id!)));
  control.add('POST', '/_sandbox/notices/:id/acknowledgements', async ({ req, params }) => {
    const b = await body(req);
    return json(200, state.acknowledgeNotice(params.id!, String(b.partner_id ?? b.partnerId ?? ''), b.contact as string | undefined));
  });
  control.add('POST', '/_sandbox/trading_partners', async ({ req }) => json(201, state.addPartner((await body(req)) as unknown as AddPartnerInput)));
  control.add('POST', '/_sandbox/trading_partners/:id/status', async ({ req, params }) => json(200, state.setPartnerStatus(params.id!, String((await body(req)).status))));
  control.add('POST', '/_sandbox/compliance_requirements', async ({ req }) => {
    const b = await body(req);
    return json(201, state.addComplianceRequirement({ partnerId: (b.partner_id ?? b.partnerId) as string | undefined, title: String(b.title ?? ''), category: String(b.category ?? ''), dueAt: String(b.due_at ?? b.dueAt ?? '') }));
  });
  control.add('GET', '/_sandbox/stats', () => json(200, stats()));
  control.add('GET', '/_sandbox/events', ({ query }) => json(200, { total_count: eventLog.length, data: eventLog.slice(-Math.min(1000, Number(query.get('limit') ?? 100))) }));
  control.add('GET', '/_sandbox/faults', () => json(200, faults));
  control.add('POST', '/_sandbox/faults', async ({ req }) => {
    faults = { ...faults, ...((await body(req)) as Partial<Faults>) };
    return json(200, faults);
  });
  control.add('POST', '/_sandbox/expire_tokens', () => {
    tokens.clear();
    return json(200, { expired: true });
  });
  control.add('POST', '/_sandbox/webhook', async ({ req }) => {
    const b = await body(req);
    sender.setUrl(typeof b.url === 'string' ? b.url : undefined);
    return json(200, { url: b.url ?? null });
  });

  function stats(): TradingGridSandboxStats {
    return { requests: Object.fromEntries(requestCounts), faultsInjected, idempotentReplays, tokensIssued, events: { ...sender.stats, pending: sender.pendingCount() } };
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
    if (f.errorRate > 0 && random() < f.errorRate) return errorReply(f.errorStatus, 'sandbox_fault', 'injected failure');
    if (f.rateLimitRate > 0 && random() < f.rateLimitRate) return errorReply(429, 'rate_limited', 'too many requests', { 'retry-after': String(f.retryAfterSec) });
    if (!isToken && f.tokenExpiredRate > 0 && random() < f.tokenExpiredRate) {
      const t = headerOf(req, 'authorization')?.slice(7);
      if (t) tokens.delete(t);
      return errorReply(401, 'invalid_token', 'access token expired');
    }
    return undefined;
  }

  function authorise(req: IncomingMessage): Reply | undefined {
    const h = headerOf(req, 'authorization');
    if (!h || !h.startsWith('Bearer ')) return errorReply(401, 'missing_token', 'Authorization: Bearer <token> required', { 'www-authenticate': 'Bearer' });
    const token = h.slice(7);
    const exp = tokens.get(token);
    if (exp === undefined) return errorReply(401, 'invalid_token', 'access token unknown or revoked', { 'www-authenticate': 'Bearer error="invalid_token"' });
    if (now() >= exp) {
      tokens.delete(token);
      return errorReply(401, 'invalid_token', 'access token expired', { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    return undefined;
  }

  async function run(handler: (c: Ctx) => Reply | null | Promise<Reply | null>, c: Ctx): Promise<Reply | null> {
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
    const rawUrl = req.url ?? '/';
    const qi = rawUrl.indexOf('?');
    const path = qi < 0 ? rawUrl : rawUrl.slice(0, qi);
    const query = new URLSearchParams(qi < 0 ? '' : rawUrl.slice(qi + 1));
    const method = req.method ?? 'GET';

    if (path.startsWith('/_sandbox/')) {
      const m = control.match(method, path);
      if (!m) return sendReply(res, errorReply(404, 'not_found', `no sandbox control ${method} ${path}`));
      count(m.route.name);
      const r = await run(m.route.handler, { req, res, params: m.params, query, route: m.route.name });
      if (r) sendReply(res, r);
      return;
    }

    const m = router.match(method, path);
    if (!m) {
      count('unmatched');
      return sendReply(res, errorReply(404, 'not_found', `no route ${method} ${path}`));
    }
    count(m.route.name);
    const f = faults;
    if (f.latencyMs > 0 || f.latencyJitterMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs + random() * f.latencyJitterMs));
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
    acknowledgeNotice: (noticeId, partnerId, contact) => act(() => state.acknowledgeNotice(noticeId, partnerId, contact)),
    addPartner: (input) => act(() => state.addPartner(input)),
    setPartnerStatus: (id, status) => act(() => state.setPartnerStatus(id, status)),
    addComplianceRequirement: (input) => act(() => state.addComplianceRequirement(input)),
  };
}
