/** The Trading Grid `community` API routes (docs/tradinggrid-contract.md): OAuth2 token, partners, cases, documents, requests, notices. */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import { readBody } from '../shared/router.ts';
import { errorReply, json, type Reply, type TradingGridRouter } from './http.ts';
import { headerOf, JSON_LIMIT, parseJson, readDocumentUpload } from './requests.ts';
import { toSandboxIso, type AddPartnerInput, type TradingGridState } from './state.ts';

/** What the API routes need from the server: the domain state and the token store. */
export interface ApiDeps {
  state: TradingGridState;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  tokenTtlMs: number;
  now: () => number;
  /** Issued access tokens and their expiry (epoch ms). */
  tokens: Map<string, number>;
  onTokenIssued: () => void;
}

type Stamped = { updated_at?: string; created_at?: string; opened_at?: string };

/** `{total_count, data}` of the items matching `where_<field>` filters, paged by limit/offset. */
export function listReply<T extends object>(items: Iterable<T>, q: URLSearchParams): Reply {
  const limitRaw = q.get('limit');
  const offsetRaw = q.get('offset');
  const limit = limitRaw === null ? 100 : Number(limitRaw);
  const offset = offsetRaw === null ? 0 : Number(offsetRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    return errorReply(400, 'invalid_limit', 'limit must be an integer from 1 to 100');
  if (!Number.isInteger(offset) || offset < 0)
    return errorReply(400, 'invalid_offset', 'offset must be a non-negative integer');
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
  if (updatedAfter !== undefined)
    out = out.sort((a, b) => ((a as Stamped).updated_at! < (b as Stamped).updated_at! ? -1 : 1));
  return json(200, { total_count: out.length, data: out.slice(offset, offset + limit) });
}

/** Adds the community API's routes to `router`. */
export function addApiRoutes(router: TradingGridRouter, d: ApiDeps): void {
  const { state, tenantId, clientId, tokens, now, tokenTtlMs } = d;
  const secretBuf = Buffer.from(d.clientSecret);

  // ---- OAuth2 ---------------------------------------------------------------------------------
  router.add('POST', '/tenants/{tenant}/oauth2/token', async ({ req, params }) => {
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
    if (form.get('grant_type') !== 'client_credentials')
      return errorReply(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
    const given = Buffer.from(secret ?? '');
    if (id !== clientId || given.length !== secretBuf.length || !timingSafeEqual(given, secretBuf)) {
      return errorReply(401, 'invalid_client', 'client authentication failed');
    }
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, now() + tokenTtlMs);
    d.onTokenIssued();
    return json(
      200,
      { access_token: token, token_type: 'Bearer', expires_in: Math.round(tokenTtlMs / 1000) },
      { 'cache-control': 'no-store' },
    );
  });

  // ---- trading partners -------------------------------------------------------------------------
  router.add('GET', '/trading_partners', ({ query }) => listReply(state.partners.values(), query));
  router.add('GET', '/trading_partners/{id}', ({ params }) => {
    const p = state.partners.get(params.id!);
    return p ? json(200, p) : errorReply(404, 'not_found', `trading partner ${params.id} not found`);
  });
  router.add('POST', '/trading_partners', async ({ req }) =>
    json(201, state.addPartner(parseJson(await readBody(req, JSON_LIMIT)) as unknown as AddPartnerInput)),
  );
  router.add('POST', '/trading_partners/{id}/status', async ({ req, params }) =>
    json(200, state.setPartnerStatus(params.id!, String(parseJson(await readBody(req, JSON_LIMIT)).status))),
  );
  router.add('PUT', '/trading_partners/{id}/scorecard', async ({ req, params }) =>
    json(200, state.putScorecard(params.id!, parseJson(await readBody(req, JSON_LIMIT)))),
  );
  router.add('GET', '/trading_partners/{id}/scorecard', ({ params }) => {
    const s = state.scorecards.get(params.id!);
    return s ? json(200, s) : errorReply(404, 'not_found', `no scorecard for ${params.id}`);
  });

  // ---- cases ----------------------------------------------------------------------------------
  router.add('GET', '/cases', ({ query }) => listReply(state.cases.values(), query));
  router.add('GET', '/cases/{id}', ({ params }) => json(200, state.getCase(params.id!)));
  router.add('POST', '/cases/{id}/status', async ({ req, params }) => {
    const b = parseJson(await readBody(req, JSON_LIMIT));
    return json(200, state.setCaseStatus(params.id!, b.status, b.note));
  });
  router.add('POST', '/cases/{id}/fields', async ({ req, params }) =>
    json(200, state.setCaseFields(params.id!, parseJson(await readBody(req, JSON_LIMIT)))),
  );
  router.add('GET', '/cases/{id}/comments', ({ params, query }) => {
    state.getCase(params.id!);
    return listReply(state.comments.get(params.id!) ?? [], query);
  });
  router.add('POST', '/cases/{id}/comments', async ({ req, params }) => {
    const b = parseJson(await readBody(req, JSON_LIMIT));
    return json(
      201,
      state.addComment(params.id!, b.body as string, typeof b.author === 'string' ? b.author : undefined, 'internal'),
    );
  });
  router.add('GET', '/cases/{id}/documents', ({ params, query }) => {
    state.getCase(params.id!);
    return listReply(
      (state.caseDocuments.get(params.id!) ?? []).map((d) => state.documents.get(d)!.meta),
      query,
    );
  });
  router.add('POST', '/cases/{id}/documents', async ({ req, params }) => {
    state.getCase(params.id!); // 404 before reading a large body
    return json(201, state.addDocument({ caseId: params.id! }, await readDocumentUpload(req), 'internal'));
  });

  // ---- documents ------------------------------------------------------------------------------
  router.add('GET', '/documents', ({ query }) =>
    listReply(
      [...state.documents.values()].map((d) => d.meta),
      query,
    ),
  );
  router.add('GET', '/documents/{id}', ({ params }) => {
    const d = state.documents.get(params.id!);
    return d ? json(200, d.meta) : errorReply(404, 'not_found', `document ${params.id} not found`);
  });
  router.add('GET', '/documents/{id}/content', ({ params, res }) => {
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
  router.add('GET', '/compliance_requirements/{id}', ({ params }) => {
    const r = state.compliance.get(params.id!);
    return r ? json(200, r) : errorReply(404, 'not_found', `compliance requirement ${params.id} not found`);
  });
  router.add('GET', '/requests', ({ query }) => listReply(state.requests.values(), query));
  router.add('GET', '/requests/{id}', ({ params }) => json(200, state.getRequest(params.id!)));
  router.add('POST', '/requests/{id}/decision', async ({ req, params }) =>
    json(200, state.decideRequest(params.id!, parseJson(await readBody(req, JSON_LIMIT)))),
  );
  router.add('GET', '/notices', ({ query }) => listReply(state.notices.values(), query));
  router.add('GET', '/notices/{id}', ({ params }) => json(200, state.getNotice(params.id!)));
  router.add('POST', '/notices', async ({ req }) =>
    json(201, state.publishNotice(parseJson(await readBody(req, JSON_LIMIT)))),
  );
}
