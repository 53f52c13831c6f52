/**
 * The Trading Grid sandbox and the community driver checked against the OpenAPI document of the
 * contract (docs/tradinggrid-contract.md): the driver talks to the sandbox through a recording
 * loopback proxy, and every request it sent and every answer it got is validated with ajv
 * (2020-12 dialect, as OpenAPI 3.1 uses) against the operation the document defines for it.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import pino from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempSqliteStore } from '../../../test/helpers/tempStore.ts';
import { validateConfig } from '../../config/load.ts';
import { multipartBoundary, parseMultipart } from '../../sandbox/shared/multipart.ts';
import { startTradingGridSandbox, type TradingGridSandbox } from '../../sandbox/tradinggrid/server.ts';
import { createApp } from '../../server/app.ts';
import { createConsole } from '../../server/admin/index.ts';
import type { ClickUpClient } from '../clickup/index.ts';
import { createCommunityDriver, type CommunityDriver } from './community/driver.ts';
import { tradingGridContractDocument } from './contract.ts';
import { verifyTradingGridWebhook } from './events.ts';

type Json = Record<string, any>;
const doc: Json = tradingGridContractDocument();

const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ allErrors: true, strict: true });
(addFormats as unknown as typeof addFormats.default)(ajv);
for (const [name, schema] of Object.entries(doc.components.schemas as Json))
  ajv.addSchema(schema, `#/components/schemas/${name}`);

/** Errors of `value` against a `{$ref}` of the document, or [] when it conforms. */
function check(schemaRef: { $ref: string }, value: unknown, where: string): string[] {
  const v = ajv.getSchema(schemaRef.$ref);
  if (!v) return [`${where}: the document has no schema ${schemaRef.$ref}`];
  if (v(value)) return [];
  return (v.errors ?? []).map(
    (e) => `${where}: ${e.instancePath || '(root)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
  );
}

interface Exchange {
  method: string;
  path: string;
  query: URLSearchParams;
  reqHeaders: IncomingMessage['headers'];
  reqBody: Buffer;
  status: number;
  resHeaders: Record<string, string | string[] | undefined>;
  resBody: Buffer;
}

/** The document's path template matching a concrete path (`/cases/CASE-1/status` → `/cases/{id}/status`). */
function operationOf(method: string, path: string): { template: string; op: Json } | undefined {
  const segs = path.split('/').filter(Boolean);
  for (const [template, item] of Object.entries(doc.paths as Json)) {
    const parts = template.split('/').filter(Boolean);
    if (parts.length !== segs.length || !parts.every((p, i) => p.startsWith('{') || p === segs[i])) continue;
    const op = item[method.toLowerCase()];
    if (op) return { template, op };
  }
  return undefined;
}

/** Everything the document says about one exchange that it breaks: request body, parameters, answer. */
function violations(x: Exchange): string[] {
  const found = operationOf(x.method, x.path);
  const at = `${x.method} ${x.path}`;
  if (!found) return [`${at}: no such operation in the contract`];
  const { op } = found;
  const out: string[] = [];
  for (const p of (op.parameters ?? []) as Json[]) {
    if (p.in === 'header') {
      const v = x.reqHeaders[p.name.toLowerCase()];
      if (p.required && !v) out.push(`${at}: header ${p.name} is required`);
    } else if (p.in === 'query' && x.query.has(p.name)) {
      const raw = x.query.get(p.name)!;
      const val = p.schema.type === 'integer' ? Number(raw) : raw;
      const v = ajv.compile(p.schema);
      if (!v(val)) out.push(`${at}: query ${p.name}=${raw} ${ajv.errorsText(v.errors)}`);
    }
  }
  for (const k of x.query.keys())
    if (!((op.parameters ?? []) as Json[]).some((p) => p.in === 'query' && p.name === k))
      out.push(`${at}: query parameter ${k} is not in the contract`);
  if (op.requestBody) {
    const ct = String(x.reqHeaders['content-type'] ?? '');
    const [media, spec] = Object.entries(op.requestBody.content as Json)[0]!;
    if (!ct.startsWith(media)) out.push(`${at}: request content-type ${ct}, the contract says ${media}`);
    let body: unknown;
    if (media === 'application/json') body = JSON.parse(x.reqBody.toString('utf8'));
    else if (media === 'application/x-www-form-urlencoded')
      body = Object.fromEntries(new URLSearchParams(x.reqBody.toString('utf8')));
    else
      body = Object.fromEntries(
        parseMultipart(x.reqBody, multipartBoundary(ct)!).map((p) => [
          p.name,
          p.filename !== undefined ? '(file)' : p.data.toString('utf8'),
        ]),
      );
    out.push(...check(spec.schema, body, `${at} request`));
  }
  const res = op.responses[String(x.status)] ?? op.responses[`${String(x.status)[0]}XX`] ?? op.responses.default;
  if (!res) return [...out, `${at}: status ${x.status} is not in the contract`];
  const [media, spec] = Object.entries((res.content ?? {}) as Json)[0] ?? [];
  if (media === 'application/json') {
    if (!String(x.resHeaders['content-type'] ?? '').startsWith('application/json'))
      out.push(`${at}: answer is not JSON`);
    else out.push(...check(spec.schema, JSON.parse(x.resBody.toString('utf8')), `${at} ${x.status}`));
  }
  return out;
}

let sb: TradingGridSandbox;
let proxy: Server;
let hooks: Server;
let tg: CommunityDriver;
const exchanges: Exchange[] = [];
const deliveries: Array<{ headers: IncomingMessage['headers']; body: Buffer }> = [];

const readAll = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};
const listen = (s: Server) =>
  new Promise<string>((r) =>
    s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );

beforeAll(async () => {
  sb = await startTradingGridSandbox({ seed: 7, idTag: 'contract' });
  // A recording proxy in front of the sandbox: real HTTP on both legs, every byte kept.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- a failure here fails the test: the client gets no answer
  proxy = createServer(async (req, res) => {
    const reqBody = await readAll(req);
    const headers = { ...req.headers } as Record<string, string>;
    delete headers.host;
    delete headers.connection;
    const r = await request(`${sb.url}${req.url}`, {
      method: req.method as 'GET',
      headers,
      body: reqBody.length ? reqBody : undefined,
    });
    const resBody = Buffer.from(await r.body.arrayBuffer());
    const url = new URL(req.url!, 'http://x');
    exchanges.push({
      method: req.method!,
      path: url.pathname,
      query: url.searchParams,
      reqHeaders: req.headers,
      reqBody,
      status: r.statusCode,
      resHeaders: r.headers,
      resBody,
    });
    const out = { ...r.headers } as Record<string, string>;
    delete out['transfer-encoding'];
    delete out.connection;
    res.writeHead(r.statusCode, out).end(resBody);
  });
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- a failure here fails the test: no delivery is recorded
  hooks = createServer(async (req, res) => {
    deliveries.push({ headers: req.headers, body: await readAll(req) });
    res.writeHead(204).end();
  });
  const [proxyUrl, hooksUrl] = await Promise.all([listen(proxy), listen(hooks)]);
  sb.setWebhookUrl(`${hooksUrl}/webhooks/tradinggrid`);
  tg = createCommunityDriver({
    baseUrl: proxyUrl,
    tenantId: sb.tenantId,
    clientId: sb.clientId,
    clientSecret: sb.clientSecret,
    retries: 0,
  });

  // Drive every operation of the contract through the driver (and the partner side through the sandbox).
  const must = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    return r.value;
  };
  const partners = must(await tg.listPartners({ tier: 'strategic', status: 'active' }));
  const pid = partners.data[0]?.id ?? 'P-ACME';
  must(await tg.getPartner(pid));
  const created = must(
    await tg.createPartner(
      {
        name: 'Contract Test Co',
        tier: 'standard',
        edi_addresses: [{ qualifier: 'ZZ', id: 'CTC', standard: 'x12' }],
        contacts: [{ name: 'Ann', email: 'ann@ctc.example' }],
      },
      'k-partner',
    ),
  );
  must(await tg.setPartnerStatus(created.id, 'testing', 'k-pstatus'));
  must(
    await tg.putScorecard(
      pid,
      { period: '2026-Q4', avg_resolution_hours: 12.5, open_cases: 3, overdue_tasks: 1, sla_met_pct: 92 },
      'k-score',
    ),
  );
  const c = await sb.raiseCase({
    partnerId: pid,
    kind: 'dispute',
    title: 'Short shipment',
    transactionRef: { standard: 'x12', interchange: '000000101', business: { type: 'PO', value: 'PO-1' } },
    value: { amount: 120.5, currency: 'EUR' },
  });
  await sb.addCaseComment(c.id, { body: 'from the partner', author: 'Ann' });
  must(await tg.getCase(c.id));
  must(
    await tg.listCases({ partnerId: pid, status: 'open', kind: 'dispute', updatedAfter: '2000-01-01T00:00:00.000Z' }),
  );
  must(await tg.setCaseStatus(c.id, { status: 'in_review', note: 'looking' }, 'k-cstatus'));
  must(
    await tg.setCaseFields(
      c.id,
      { title: 'Short shipment (2 pallets)', kind: 'shipment_exception', value: { amount: 99, currency: 'EUR' } },
      'k-cfields',
    ),
  );
  must(await tg.addCaseComment(c.id, { body: 'we are on it', author: 'Ops' }, 'k-comment'));
  must(await tg.listCaseComments(c.id));
  const d = must(
    await tg.uploadCaseDocument(
      c.id,
      { name: 'credit-note.pdf', kind: 'corrected', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 x') },
      'k-doc',
    ),
  );
  must(await tg.listCaseDocuments(c.id));
  const dl = must(await tg.downloadDocument(d.id));
  for await (const _ of dl.body);
  const req = await sb.requestApproval({
    partnerId: pid,
    kind: 'pricing_exception',
    summary: 'Price +3 %',
    value: { amount: 900, currency: 'USD' },
  });
  must(await tg.getRequest(req.id));
  must(await tg.listRequests({ partnerId: pid, status: 'pending' }));
  must(await tg.decideRequest(req.id, { outcome: 'approved', comment: 'ok', decidedBy: 'Ops' }, 'k-decide'));
  const comp = await sb.addComplianceRequirement({
    partnerId: pid,
    title: 'ASN within 2 h',
    category: 'edi',
    dueAt: '2027-01-31T00:00:00.000Z',
  });
  must(await tg.getComplianceRequirement(comp.id));
  must(await tg.listComplianceRequirements({ partnerId: pid }));
  const n = must(
    await tg.publishNotice(
      {
        title: 'New labels',
        body: 'GS1-128 from March',
        effective_at: '2027-03-01T00:00:00.000Z',
        audience: { tiers: ['strategic'] },
      },
      'k-notice',
    ),
  );
  await sb.acknowledgeNotice(n.id, pid, 'ann@ctc.example');
  must(await tg.getNotice(n.id));
  must(await tg.listNotices());
  must(await tg.pollChanges({ since: '2000-01-01T00:00:00.000Z' }));
  expect((await tg.getCase('CASE-none')).ok).toBe(false); // a 404 error body
  await sb.idle();
});

afterAll(async () => {
  await tg?.close();
  await sb?.close();
  await Promise.all([proxy, hooks].map((s) => s && new Promise((r) => s.close(r))));
});

describe('the Trading Grid sandbox and driver against the contract document', () => {
  it('every request the driver sent and every answer the sandbox gave conforms', () => {
    expect(exchanges.length).toBeGreaterThan(25);
    expect(exchanges.flatMap(violations)).toEqual([]);
  });

  it('every operation of the document was exercised, with its success status', () => {
    const seen = new Set(
      exchanges.filter((x) => x.status < 300).map((x) => `${x.method} ${operationOf(x.method, x.path)?.template}`),
    );
    const all = Object.entries(doc.paths as Json).flatMap(([t, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${t}`),
    );
    expect(all.filter((o) => !seen.has(o))).toEqual([]);
    expect(exchanges.some((x) => x.status === 404 && violations(x).length === 0)).toBe(true);
  });

  it('every webhook the sandbox delivered is a contract event with a valid Standard Webhooks signature', () => {
    const types = new Set<string>();
    expect(deliveries.length).toBeGreaterThanOrEqual(5);
    for (const d of deliveries) {
      expect(verifyTradingGridWebhook(d.body, d.headers, sb.webhookSecret)).toEqual({ ok: true });
      const body = JSON.parse(d.body.toString('utf8'));
      types.add(body.type);
      expect(
        check(doc.webhooks.event.post.requestBody.content['application/json'].schema, body, `event ${body.type}`),
      ).toEqual([]);
    }
    expect([...types]).toEqual(
      expect.arrayContaining([
        'case.opened',
        'case.comment_added',
        'request.created',
        'notice.acknowledged',
        'compliance_requirement.created',
      ]),
    );
  });

  it('an answer the document does not allow is caught (negative check)', () => {
    const got = exchanges.find((x) => x.method === 'GET' && /^\/cases\/[^/]+$/.test(x.path) && x.status === 200)!;
    expect(violations(got)).toEqual([]);
    const bad = JSON.parse(got.resBody.toString('utf8'));
    bad.status = 'closed';
    delete bad.partner_id;
    const errors = violations({ ...got, resBody: Buffer.from(JSON.stringify(bad)) });
    expect(errors.join('\n')).toMatch(/\/status must be equal to one of the allowed values/);
    expect(errors.join('\n')).toMatch(/must have required property 'partner_id'/);
  });

  it('a request the document does not allow is caught too (an undeclared field in a write)', () => {
    const sent = exchanges.find(
      (x) => x.method === 'POST' && x.path.endsWith('/status') && x.path.startsWith('/cases/'),
    )!;
    const body = { ...JSON.parse(sent.reqBody.toString('utf8')), colour: 'red' };
    expect(violations({ ...sent, reqBody: Buffer.from(JSON.stringify(body)) }).join('\n')).toMatch(
      /must NOT have additional properties/,
    );
  });

  it('the committed docs/tradinggrid-contract.openapi.json is the generated document', async () => {
    const file = JSON.parse(
      await readFile(new URL('../../../docs/tradinggrid-contract.openapi.json', import.meta.url), 'utf8'),
    );
    expect(file, 'regenerate with: npm run gen:tradinggrid-contract').toEqual(doc);
  });
});

describe('GET /api/tradinggrid-contract.json', () => {
  it('serves the document without sign-in, while the admin API beside it stays locked', async () => {
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
    });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const tmp = await tempSqliteStore();
    const ui = createConsole({
      store: tmp.store,
      config: r.config,
      clickup: {} as ClickUpClient,
      now: Date.now,
      logger: pino({ level: 'silent' }),
      credentials: { tokens: [{ name: 'ops', role: 'admin', token: 'admin-token-0123456789abcdef' }], users: [] },
      dispatcher: () => undefined,
    });
    try {
      const app = createApp({
        db: tmp.store.db,
        tgWebhookSecret: null,
        clickUpWebhookSecret: () => null,
        bodyLimitBytes: 1e6,
        now: Date.now,
        onAccepted: () => undefined,
        extend: ui.mount,
      });
      const res = await app.request('/api/tradinggrid-contract.json');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const served = (await res.json()) as Json;
      expect(served).toEqual(doc);
      expect(served.openapi).toBe('3.1.0');
      expect((await app.request('/api/cases')).status).toBe(401);
    } finally {
      await ui.stop();
      await tmp.cleanup();
    }
  });
});
