import { setTimeout as sleep } from 'node:timers/promises';
import { currentJobSignal } from '../../../core/jobSignal.ts';
import { addLogSecret } from '../../../core/logSecrets.ts';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { err, ok, RemoteFailure, type RemoteError, type Result } from '../../../core/result.ts';
import { backoffMs } from '../../http/decideRetry.ts';
import { HttpClient, type HttpRequest, type StreamResponse } from '../../http/httpClient.ts';
import {
  CaseCommentSchema,
  CaseSchema,
  ComplianceRequirementSchema,
  DocumentSchema,
  NoticeSchema,
  PartnerRequestSchema,
  ScorecardSchema,
  TradingPartnerSchema,
  describeZodIssues,
  pageSchema,
} from '../events.ts';
import type { ListQuery, Page, TradingGridPort } from '../port.ts';
import { buildMultipart } from './multipart.ts';
import { collectPages } from './paging.ts';
import { pollChanges } from './pollChanges.ts';
import { extractTradingGridError } from './remoteError.ts';
import { TokenCache, credentialError } from './tokenCache.ts';

export interface CommunityDriverOptions {
  /** Base URL the contract's paths hang off, e.g. `https://tg.example.com/api` or the sandbox `url`. */
  baseUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  logger?: Logger;
  /** Clock in epoch ms (token expiry, Retry-After). */
  now?: () => number;
  /** Extra attempts for a retryable failure (5xx, 429, network), all calls being idempotent. Default 2. */
  retries?: number;
  /** Give up (return the error) rather than wait longer than this for a retry. Default 10 s. */
  maxRetryWaitMs?: number;
  /** Backoff base and cap for retries without Retry-After. Default 100 ms / 2 s. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  connections?: number;
  timeoutMs?: number;
  /** pollChanges re-reads this much before the cursor, to survive clock skew and equal timestamps. Default 2 s. */
  pollOverlapMs?: number;
}

export type CommunityDriver = TradingGridPort & {
  /** Token requests made so far (tests, metrics). */
  readonly tokenFetches: number;
};

const PAGE_MAX = 100;

const schemas = {
  case: CaseSchema,
  cases: pageSchema(CaseSchema),
  comment: CaseCommentSchema,
  comments: pageSchema(CaseCommentSchema),
  document: DocumentSchema,
  documents: pageSchema(DocumentSchema),
  partner: TradingPartnerSchema,
  partners: pageSchema(TradingPartnerSchema),
  requirement: ComplianceRequirementSchema,
  requirements: pageSchema(ComplianceRequirementSchema),
  request: PartnerRequestSchema,
  requests: pageSchema(PartnerRequestSchema),
  notice: NoticeSchema,
  notices: pageSchema(NoticeSchema),
  scorecard: ScorecardSchema,
};

function seg(id: string): string {
  return encodeURIComponent(id);
}

/** ListQuery → `where_<field>`, `limit`, `offset` query parameters. */
export function listParams(
  q: ListQuery = {},
  extra: Record<string, string | undefined> = {},
): Record<string, string | number | undefined> {
  const out: Record<string, string | number | undefined> = {
    limit: Math.min(PAGE_MAX, Math.max(1, q.limit ?? PAGE_MAX)),
    offset: Math.max(0, q.offset ?? 0),
  };
  if (q.updatedAfter) out.where_updated_after = q.updatedAfter;
  for (const [k, v] of Object.entries({ ...q.where, ...extra })) if (v !== undefined) out[`where_${k}`] = v;
  return out;
}

/** The `community` driver: the Trading Grid REST contract over undici, with OAuth2 client credentials. */
export function createCommunityDriver(opts: CommunityDriverOptions): CommunityDriver {
  const now = opts.now ?? Date.now;
  const http = new HttpClient(opts.baseUrl, {
    name: 'tradinggrid',
    now,
    connections: opts.connections ?? 64,
    timeoutMs: opts.timeoutMs ?? 30_000,
  });
  const tokens = new TokenCache({
    http,
    tenantId: opts.tenantId,
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    now,
  });
  const retries = opts.retries ?? 2;
  const maxWait = opts.maxRetryWaitMs ?? 10_000;
  const log = opts.logger;

  /**
   * One authorised call with the contract's rules: bearer token from the cache, a 401 refreshes
   * the token once then fails as a credential error, retryable failures are retried (honouring
   * Retry-After) while the body can be resent.
   */
  async function authorised<T>(
    req: HttpRequest,
    run: (req: HttpRequest) => Promise<Result<T>>,
    resendable = true,
  ): Promise<Result<T>> {
    let refreshed = false;
    for (let attempt = 0; ;) {
      const t = await tokens.get();
      // An access token must not reach the log, even inside an error quoting a request.
      if (t.ok) addLogSecret(log, t.value);
      let r: Result<T>;
      if (!t.ok) r = t;
      else {
        r = await run({ ...req, headers: { ...req.headers, authorization: `Bearer ${t.value}` } });
        if (r.ok) return r;
        if (r.error.status === 401) {
          tokens.invalidate(t.value);
          if (!resendable && !refreshed) {
            // A streamed body cannot be sent again here; the caller can, with a fresh stream.
            return err({
              code: 'tg:token_rejected',
              retryable: true,
              status: 401,
              detail: `${req.method} ${req.path}: token refused during a streamed upload; the token is dropped, retry with a new stream`,
            });
          }
          if (!refreshed) {
            refreshed = true;
            continue;
          }
          return err(
            credentialError(
              `${req.method} ${req.path}: Trading Grid rejected ${refreshed ? 'a freshly issued' : 'the'} token (401); check the client credentials and tenant`,
              401,
            ),
          );
        }
      }
      const e = r.error;
      attempt++;
      if (!e.retryable || !resendable || attempt > retries) return r;
      const wait = Math.max(
        e.retryAfterMs ?? 0,
        backoffMs(attempt, opts.backoffBaseMs ?? 100, opts.backoffMaxMs ?? 2_000),
      );
      if (wait > maxWait) return r;
      log?.debug({ code: e.code, attempt, wait, path: req.path }, 'tradinggrid retry');
      // A stopped job (shutdown, deadline, lost lease) does not sit out its retry wait; its next call is refused.
      await sleep(wait, undefined, { signal: currentJobSignal() }).catch(() => undefined);
    }
  }

  async function call<S extends z.ZodType>(
    req: HttpRequest,
    schema: S,
    resendable = true,
  ): Promise<Result<z.infer<S>>> {
    const r = await authorised(req, (q) => http.json<unknown>(q, extractTradingGridError), resendable);
    if (!r.ok) return r;
    const parsed = schema.safeParse(r.value.data);
    if (!parsed.success) {
      const error: RemoteError = {
        code: 'tg:bad_response',
        retryable: false,
        status: r.value.status,
        detail: `tradinggrid ${req.method} ${req.path}: response does not match the contract: ${describeZodIssues(parsed.error.issues)}`,
      };
      return err(error);
    }
    return ok(parsed.data);
  }

  function page<T>(r: Result<{ total_count: number; data: T[] }>): Result<Page<T>> {
    return r.ok ? ok({ totalCount: r.value.total_count, data: r.value.data }) : r;
  }

  const get = <S extends z.ZodType>(path: string, schema: S, query?: HttpRequest['query']) =>
    call({ method: 'GET', path, query }, schema);
  const write = <S extends z.ZodType>(method: 'POST' | 'PUT', path: string, json: unknown, key: string, schema: S) =>
    call({ method, path, json, headers: { 'idempotency-key': key } }, schema);

  /** Every page of a sub-collection (comments, documents of one case), concatenated. */
  const collect = <T>(path: string, schema: z.ZodType<{ total_count: number; data: T[] }>) =>
    collectPages(async (offset) => page(await get(path, schema, { limit: PAGE_MAX, offset })));

  async function* iterate<T>(list: (q: ListQuery) => Promise<Result<Page<T>>>, q: ListQuery = {}): AsyncGenerator<T> {
    let offset = q.offset ?? 0;
    for (;;) {
      const r = await list({ ...q, offset });
      if (!r.ok) throw new RemoteFailure(r.error);
      for (const item of r.value.data) yield item;
      offset += r.value.data.length;
      if (r.value.data.length === 0 || offset >= r.value.totalCount) return;
    }
  }

  const driver: TradingGridPort = {
    driver: 'community',

    // cases
    getCase: (id) => get(`/cases/${seg(id)}`, schemas.case),
    listCases: async (q = {}) =>
      page(
        await get('/cases', schemas.cases, listParams(q, { partner_id: q.partnerId, status: q.status, kind: q.kind })),
      ),
    iterateCases: (q) => iterate((p) => driver.listCases({ ...q, ...p }), q),
    setCaseStatus: (caseId, input, key) =>
      write(
        'POST',
        `/cases/${seg(caseId)}/status`,
        { status: input.status, ...(input.note !== undefined ? { note: input.note } : {}) },
        key,
        schemas.case,
      ),
    setCaseFields: (caseId, input, key) =>
      write(
        'POST',
        `/cases/${seg(caseId)}/fields`,
        Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
        key,
        schemas.case,
      ),
    listCaseComments: (caseId) => collect(`/cases/${seg(caseId)}/comments`, schemas.comments),
    addCaseComment: (caseId, input, key) =>
      write(
        'POST',
        `/cases/${seg(caseId)}/comments`,
        { body: input.body, ...(input.author !== undefined ? { author: input.author } : {}) },
        key,
        schemas.comment,
      ),

    // documents
    listCaseDocuments: (caseId) => collect(`/cases/${seg(caseId)}/documents`, schemas.documents),
    getDocument: (id) => get(`/documents/${seg(id)}`, schemas.document),
    async downloadDocument(id) {
      const meta = await driver.getDocument(id);
      if (!meta.ok) return meta;
      const res: Result<StreamResponse> = await authorised(
        { method: 'GET', path: `/documents/${seg(id)}/content` },
        (q) => http.stream(q),
      );
      if (!res.ok) return res;
      return ok({ meta: meta.value, body: res.value.body });
    },
    uploadCaseDocument(caseId, doc, key) {
      const mp = buildMultipart(
        { name: doc.name, kind: doc.kind },
        { field: 'file', filename: doc.name, contentType: doc.contentType, data: doc.data },
      );
      return call(
        {
          method: 'POST',
          path: `/cases/${seg(caseId)}/documents`,
          body: mp.body,
          headers: { 'content-type': mp.contentType, 'idempotency-key': key },
        },
        schemas.document,
        Buffer.isBuffer(mp.body),
      );
    },

    // partners
    getPartner: (id) => get(`/trading_partners/${seg(id)}`, schemas.partner),
    listPartners: async (q = {}) =>
      page(await get('/trading_partners', schemas.partners, listParams(q, { status: q.status, tier: q.tier }))),
    iteratePartners: (q) => iterate((p) => driver.listPartners({ ...q, ...p }), q),
    createPartner: (input, key) => write('POST', '/trading_partners', input, key, schemas.partner),
    setPartnerStatus: (id, status, key) =>
      write('POST', `/trading_partners/${seg(id)}/status`, { status }, key, schemas.partner),
    putScorecard: (partnerId, sc, key) =>
      write('PUT', `/trading_partners/${seg(partnerId)}/scorecard`, sc, key, schemas.scorecard),

    // compliance requirements
    getComplianceRequirement: (id) => get(`/compliance_requirements/${seg(id)}`, schemas.requirement),
    listComplianceRequirements: async (q = {}) =>
      page(await get('/compliance_requirements', schemas.requirements, listParams(q, { partner_id: q.partnerId }))),

    // partner requests
    getRequest: (id) => get(`/requests/${seg(id)}`, schemas.request),
    listRequests: async (q = {}) =>
      page(await get('/requests', schemas.requests, listParams(q, { partner_id: q.partnerId, status: q.status }))),
    decideRequest: (id, d, key) =>
      write(
        'POST',
        `/requests/${seg(id)}/decision`,
        {
          outcome: d.outcome,
          ...(d.comment !== undefined ? { comment: d.comment } : {}),
          ...(d.decidedBy !== undefined ? { decided_by: d.decidedBy } : {}),
        },
        key,
        schemas.request,
      ),

    // notices
    getNotice: (id) => get(`/notices/${seg(id)}`, schemas.notice),
    listNotices: async (q = {}) => page(await get('/notices', schemas.notices, listParams(q))),
    publishNotice: (input, key) => write('POST', '/notices', input, key, schemas.notice),

    pollChanges: (o = {}) =>
      pollChanges(driver, {
        since: o.since,
        overlapMs: opts.pollOverlapMs ?? 2_000,
        startedAt: new Date(now()).toISOString(),
      }),

    close: () => http.close(),
  };

  return Object.defineProperty(driver, 'tokenFetches', {
    get: () => tokens.fetches,
    enumerable: true,
  }) as CommunityDriver;
}
