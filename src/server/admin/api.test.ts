import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { anyJob } from '../../../test/helpers/anyJob.ts';
import pino from 'pino';
import { createApp } from '../app.ts';
import { createConsole } from './index.ts';
import { hashPassword } from './password.ts';
import { openApiDocument } from './openapi.ts';
import { tempSqliteStore } from '../../../test/helpers/tempStore.ts';
import { validateConfig } from '../../config/load.ts';
import { saveCase } from '../../store/ops/cases.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { claimJobs } from '../../store/ops/claimJobs.ts';
import { deadLetterJob } from '../../store/ops/deadLetterJob.ts';
import type { ClickUpClient } from '../../connectors/clickup/index.ts';
import type { CaseRecord } from '../../core/case.ts';
import type { Hono } from 'hono';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { saveFlowRecord } from '../../store/ops/flowRecords.ts';

const ADMIN = 'admin-token-0123456789abcdef';
const VIEWER = 'viewer-token-0123456789abcdef';
const T0 = Date.UTC(2025, 0, 6, 9);

const config = (() => {
  const r = validateConfig({
    clickup: { token: { env: 'X' }, team_id: 't1', list_id: 'l1' },
    tradinggrid: {
      driver: 'community',
      base_url: 'https://tg.example.com/api',
      tenant_id: 'ten',
      client_id: 'c',
      client_secret: { env: 'Y' },
      webhook_secret: { env: 'Z' },
    },
    admin: { sign_in_attempts_per_15_minutes: 3 },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
})();

const clickup = {
  rateLimitState: () => ({
    known: true,
    assumed: false,
    limit: 100,
    remaining: 80,
    resetAt: T0 + 60_000,
    queued: 0,
    inFlight: 0,
    paceMs: 600,
    rateLimited: 0,
    issued: 20,
  }),
  listWebhooks: async () => ({
    ok: true,
    value: [
      {
        id: 'wh1',
        endpoint: 'http://127.0.0.1:1/webhooks/clickup',
        events: ['*'],
        health: { status: 'active', fail_count: 0 },
      },
    ],
  }),
  getAuthorizedUser: async () => ({
    ok: true,
    value: { id: 7, username: 'Ana Ops', email: 'ana.ops@gridbridge.example' },
  }),
} as unknown as ClickUpClient;

function caseRecord(id: string, over: Partial<CaseRecord> = {}): CaseRecord {
  return {
    id,
    source: 'community',
    partnerId: 'P-ACME',
    partnerName: 'Acme Retail',
    partnerTier: null,
    kind: 'dispute',
    title: `Short shipment ${id}`,
    description: '',
    transactionRef: null,
    value: null,
    partnerStatus: 'received',
    state: 'active',
    holdReason: null,
    slaDueAt: T0 + 72 * 3_600_000,
    openedAt: T0,
    resolvedAt: null,
    updatedAt: T0,
    ...over,
  };
}

let tmp: Awaited<ReturnType<typeof tempSqliteStore>>;
let app: Hono;
let stopConsole: () => Promise<void>;
let now = T0 + 3_600_000;

beforeEach(async () => {
  tmp = await tempSqliteStore();
  now = T0 + 3_600_000;
  const ui = createConsole({
    store: tmp.store,
    config,
    clickup,
    now: () => now,
    logger: pino({ level: 'silent' }),
    credentials: {
      tokens: [
        { name: 'ops', role: 'admin', token: ADMIN },
        { name: 'viewer', role: 'read_only', token: VIEWER },
      ],
      users: [
        {
          name: 'alice',
          role: 'admin',
          passwordHash: await hashPassword('correct horse battery staple', { N: 1024, r: 8, p: 1 }),
        },
      ],
    },
    dispatcher: () => undefined,
  });
  stopConsole = ui.stop;
  app = createApp({
    db: tmp.store.db,
    tgWebhookSecret: 'x',
    clickUpWebhookSecret: () => null,
    bodyLimitBytes: 1e6,
    now: () => now,
    onAccepted: () => undefined,
    extend: ui.mount,
  });
  await saveCase(tmp.store.db, caseRecord('C-1'));
  await saveCase(
    tmp.store.db,
    caseRecord('C-2', {
      partnerId: 'P-GLOBEX',
      partnerName: 'Globex',
      title: 'Late truck',
      slaDueAt: T0 + 1.2 * 3_600_000,
    }),
  );
});
afterEach(async () => {
  await stopConsole();
  await tmp.cleanup();
});

async function makeDeadLetter(): Promise<number> {
  await enqueueJobs(
    tmp.store.db,
    [anyJob({ kind: 'clickup.create_task', key: 'k1', queueKey: 'case:C-1', payload: { caseId: 'C-1' } })],
    now,
  );
  const [job] = await claimJobs(tmp.store.db, 'sqlite', 'w1', 1, 60_000, now);
  await deadLetterJob(tmp.store.db, job!.id, 'w1', 'ClickUp said 400', now);
  const row = await tmp.store.db.selectFrom('dead_letters').select('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
async function signIn(body: object) {
  const r = await app.request('/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { r, cookie, json: (await r.json()) as Record<string, any>, setCookie: r.headers.get('set-cookie') ?? '' };
}

describe('admin API auth', () => {
  it.each(['/api/cases', '/api/dead-letters', '/api/health', '/api/session', '/api/cases/C-1/timeline'])(
    'GET %s without a token answers 401',
    async (path) => {
      const r = await app.request(path);
      expect(r.status).toBe(401);
      expect(((await r.json()) as any).error).toMatch(/sign in/);
    },
  );

  it('an unknown bearer token answers 401; a known one reads', async () => {
    expect((await app.request('/api/cases', { headers: bearer('nope-nope-nope-nope') })).status).toBe(401);
    const r = await app.request('/api/cases', { headers: bearer(VIEWER) });
    expect(r.status).toBe(200);
    expect(((await r.json()) as any).total).toBe(2);
  });

  it('the read-only role can read dead letters but cannot replay one (403), and nothing changes', async () => {
    const id = await makeDeadLetter();
    expect((await app.request('/api/dead-letters', { headers: bearer(VIEWER) })).status).toBe(200);
    const r = await app.request(`/api/dead-letters/${id}/replay`, { method: 'POST', headers: bearer(VIEWER) });
    expect(r.status).toBe(403);
    expect(((await r.json()) as any).error).toMatch(/read-only/);
    const bulk = await app.request('/api/dead-letters/replay', {
      method: 'POST',
      headers: { ...bearer(VIEWER), 'content-type': 'application/json' },
      body: '{"all":true}',
    });
    expect(bulk.status).toBe(403);
    expect((await tmp.store.db.selectFrom('jobs').select('state').executeTakeFirstOrThrow()).state).toBe('dead');
  });

  it('an admin token replays a dead letter once; the second replay is refused with 409', async () => {
    const id = await makeDeadLetter();
    const r = await app.request(`/api/dead-letters/${id}/replay`, { method: 'POST', headers: bearer(ADMIN) });
    expect(r.status).toBe(200);
    expect((await tmp.store.db.selectFrom('jobs').select('state').executeTakeFirstOrThrow()).state).toBe('ready');
    expect(
      (await app.request(`/api/dead-letters/${id}/replay`, { method: 'POST', headers: bearer(ADMIN) })).status,
    ).toBe(409);
    const audit = await tmp.store.db.selectFrom('audit_log').selectAll().where('entity', '=', 'dead_letter').execute();
    expect(audit.map((a) => [a.actor, a.action])).toEqual([['token:ops', 'replayed']]);
  });

  it('signing in sets an HttpOnly SameSite=Strict cookie; the session reads, and a change needs its CSRF token', async () => {
    const id = await makeDeadLetter();
    const s = await signIn({ token: ADMIN });
    expect(s.r.status).toBe(200);
    expect(s.setCookie).toMatch(/gb_session=/);
    expect(s.setCookie).toMatch(/HttpOnly/i);
    expect(s.setCookie).toMatch(/SameSite=Strict/i);
    expect(s.setCookie).not.toMatch(/Secure/i); // plain http on loopback
    expect((await app.request('/api/cases', { headers: { cookie: s.cookie } })).status).toBe(200);
    const noCsrf = await app.request(`/api/dead-letters/${id}/replay`, {
      method: 'POST',
      headers: { cookie: s.cookie },
    });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as any).error).toMatch(/CSRF/);
    const wrongCsrf = await app.request(`/api/dead-letters/${id}/replay`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': 'forged' },
    });
    expect(wrongCsrf.status).toBe(403);
    expect((await tmp.store.db.selectFrom('jobs').select('state').executeTakeFirstOrThrow()).state).toBe('dead');
    const ok = await app.request(`/api/dead-letters/${id}/replay`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.json.csrfToken },
    });
    expect(ok.status).toBe(200);
  });

  it('cookies are Secure behind https', async () => {
    const r = await app.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ token: ADMIN }),
    });
    expect(r.headers.get('set-cookie')).toMatch(/Secure/);
  });

  it('a password sign-in works with the right password only; sessions end at sign-out', async () => {
    expect((await signIn({ user: 'alice', password: 'wrong' })).r.status).toBe(401);
    expect((await signIn({ user: 'mallory', password: 'correct horse battery staple' })).r.status).toBe(401);
    const s = await signIn({ user: 'alice', password: 'correct horse battery staple' });
    expect(s.json).toMatchObject({ actor: 'alice', role: 'admin' });
    const out = await app.request('/api/session/sign-out', {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.json.csrfToken },
    });
    expect(out.status).toBe(200);
    expect((await app.request('/api/cases', { headers: { cookie: s.cookie } })).status).toBe(401);
  });

  it('a session expires after its ttl', async () => {
    const s = await signIn({ token: VIEWER });
    now += config.admin.session_ttl_minutes * 60_000 + 1;
    expect((await app.request('/api/cases', { headers: { cookie: s.cookie } })).status).toBe(401);
  });

  it('repeated failed sign-ins are rate-limited with 429 and Retry-After, even for a right token', async () => {
    for (let i = 0; i < 3; i++) expect((await signIn({ token: `wrong-${i}-xxxxxxxxxxxxxxx` })).r.status).toBe(401);
    const blocked = await signIn({ token: ADMIN });
    expect(blocked.r.status).toBe(429);
    expect(Number(blocked.r.headers.get('retry-after'))).toBeGreaterThan(0);
    now += 15 * 60_000 + 1;
    expect((await signIn({ token: ADMIN })).r.status).toBe(200);
  });

  it('sign-in must be JSON (a cross-site form cannot post it)', async () => {
    const r = await app.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${ADMIN}`,
    });
    expect(r.status).toBe(415);
  });

  it('console and API answers carry a CSP without inline script, X-Frame-Options DENY and nosniff', async () => {
    for (const path of ['/ui/', '/ui/app.js', '/api/openapi.json', '/api/cases']) {
      const r = await app.request(path);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/script-src 'self'/);
      expect(csp, path).not.toMatch(/unsafe-inline/);
      expect(r.headers.get('x-frame-options'), path).toBe('DENY');
      expect(r.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });
});

describe('admin API data', () => {
  it('cases are searched and filtered by SLA state, with links to both sides', async () => {
    const r = (await (await app.request('/api/cases?q=late', { headers: bearer(VIEWER) })).json()) as any;
    expect(r.cases.map((c: any) => c.id)).toEqual(['C-2']);
    expect(r.cases[0].sla).toBe('at_risk');
    expect(r.cases[0].links.tradinggrid).toBe('https://tg.example.com/api/cases/C-2');
    const atRisk = (await (await app.request('/api/cases?sla=at_risk', { headers: bearer(VIEWER) })).json()) as any;
    expect(atRisk.cases.map((c: any) => c.id)).toEqual(['C-2']);
    expect((await app.request('/api/cases?sla=bogus', { headers: bearer(VIEWER) })).status).toBe(400);
  });

  it('the SLA board groups at-risk and breached cases by partner and by manager', async () => {
    now = T0 + 3 * 3_600_000;
    const r = (await (await app.request('/api/sla', { headers: bearer(VIEWER) })).json()) as any;
    expect(r.byPartner).toEqual([{ key: 'Globex (P-GLOBEX)', atRisk: 0, breached: 1 }]);
    expect(r.byManager[0].key).toBe('(not routed yet)');
  });

  it('rollouts degrade to "no data yet" when their flows have stored nothing', async () => {
    const r = (await (await app.request('/api/rollouts', { headers: bearer(VIEWER) })).json()) as any;
    if (r.available === false) expect(r.reason).toMatch(/no data yet/);
    else expect(Array.isArray(r.rollouts)).toBe(true);
  });

  it('health reports the ClickUp budget, webhook and queue', async () => {
    const r = (await (await app.request('/api/health', { headers: bearer(VIEWER) })).json()) as any;
    expect(r.clickup.rateLimit.remaining).toBe(80);
    expect(r.clickup.webhook.ok).toBe(true);
    // The console shows whose changes are taken for the bridge's own (here a person: not declared).
    expect(r.clickup.tokenOwner).toMatchObject({ ok: false, user: 'ana.ops@gridbridge.example' });
    expect(r.clickup.tokenOwner.detail).toMatch(/never reach a partner/);
    expect(r.queue).toMatchObject({ due: 0, running: 0 });
  });

  // The console is type-checked against this document (admin-api.d.ts): what the API answers must be what the
  // document says, field by field, or the console's types would be a guess.
  it('every answer of the admin API is what the OpenAPI document describes', async () => {
    const doc = openApiDocument() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, any> }> }>>;
    };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(doc, 'admin');
    const dl = await makeDeadLetter();
    await saveCase(
      tmp.store.db,
      caseRecord('C-3', {
        transactionRef: { standard: 'X12', business: { type: 'PO', value: '4711' } },
        value: { amount: 12.5, currency: 'EUR' },
      }),
    );
    await saveFlowRecord(
      tmp.store.db,
      {
        flow: 'rollout',
        id: 'cu:r1',
        state: 'collecting',
        data: { title: 'New ASN rule', recipients: ['P-ACME', 'P-GLOBEX'], acks: { 'P-ACME': '2025-01-06T10:00:00Z' } },
      },
      0,
      now,
    );
    await saveFlowRecord(
      tmp.store.db,
      {
        flow: 'onboarding',
        id: 'P-NEW',
        state: 'open',
        data: { partnerName: 'Newco', milestones: { kyc: {} }, closed: [] },
      },
      0,
      now,
    );
    now = T0 + 3 * 3_600_000; // C-2 breached: the SLA board has a row
    const pointer = (p: string, m: string, status: string) =>
      `admin#/paths/${p.replaceAll('~', '~0').replaceAll('/', '~1')}/${m}/responses/${status}/content/application~1json/schema`;
    const check = async (method: string, docPath: string, url: string, body?: unknown) => {
      const r = await app.request(url, {
        method,
        headers: { ...bearer(ADMIN), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const status = String(r.status);
      expect(doc.paths[docPath]?.[method.toLowerCase()]?.responses[status], `${method} ${url} ${status}`).toBeDefined();
      const validate = ajv.getSchema(pointer(docPath, method.toLowerCase(), status))!;
      const json = await r.json();
      expect(validate(json) ? [] : validate.errors, `${method} ${url} ${status}: ${JSON.stringify(json)}`).toEqual([]);
      return status;
    };
    expect(await check('GET', '/session', '/api/session')).toBe('200');
    expect(await check('GET', '/overview', '/api/overview')).toBe('200');
    expect(await check('GET', '/cases', '/api/cases')).toBe('200');
    expect(await check('GET', '/cases/{id}', '/api/cases/C-3')).toBe('200');
    expect(await check('GET', '/cases/{id}', '/api/cases/C-404')).toBe('404');
    expect(await check('GET', '/cases/{id}/timeline', '/api/cases/C-1/timeline')).toBe('200');
    expect(await check('GET', '/dead-letters', '/api/dead-letters?all=true')).toBe('200');
    expect(await check('GET', '/dead-letters/{id}', `/api/dead-letters/${dl}`)).toBe('200');
    expect(await check('GET', '/held-changes', '/api/held-changes')).toBe('200');
    expect(await check('GET', '/sla', '/api/sla')).toBe('200');
    expect(await check('GET', '/scorecards/trend', '/api/scorecards/trend')).toBe('200');
    expect(await check('GET', '/rollouts', '/api/rollouts')).toBe('200');
    expect(await check('GET', '/health', '/api/health')).toBe('200');
    expect(await check('GET', '/openapi.json', '/api/openapi.json')).toBe('200');
    expect(await check('POST', '/dead-letters/{id}/replay', `/api/dead-letters/${dl}/replay`)).toBe('200');
    expect(await check('POST', '/dead-letters/replay', '/api/dead-letters/replay', { ids: [dl, 999] })).toBe('200');
    expect(await check('POST', '/held-changes/release', '/api/held-changes/release', { all: true })).toBe('200');
    expect(await check('POST', '/held-changes/drop', '/api/held-changes/drop', { all: true })).toBe('200');
  });

  it('the OpenAPI document lists every admin route and nothing else', async () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} /api${p.replace(/\{(\w+)\}/g, ':$1')}`))
      .sort();
    const routed = app.routes
      .filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path.replace(/\{[^}]+\}/g, '')}`);
    // GET /api/scorecards is mounted by routes/scorecards.ts (flow 7) in the bridge, not by the admin API;
    // GET /api/tradinggrid-contract.json by createApp itself (public).
    expect([...new Set(routed)].filter((r) => r !== 'GET /api/tradinggrid-contract.json').sort()).toEqual(
      documented.filter((r) => r !== 'GET /api/scorecards' && r !== 'GET /api/tradinggrid-contract.json'),
    );
    const served = await app.request('/api/openapi.json');
    expect(served.status).toBe(200);
    expect(((await served.json()) as any).openapi).toBe('3.1.0');
  });
});
