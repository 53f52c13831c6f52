import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommunityDriver, type CommunityDriver } from '../../connectors/tradinggrid/community/driver.ts';
import { startTradingGridSandbox, type TradingGridSandbox } from './server.ts';

let sb: TradingGridSandbox;
let tg: CommunityDriver;

beforeAll(async () => {
  sb = await startTradingGridSandbox({ seed: 2, idTag: 'test' });
  tg = createCommunityDriver({
    baseUrl: sb.url,
    tenantId: sb.tenantId,
    clientId: sb.clientId,
    clientSecret: sb.clientSecret,
    retries: 0,
  });
});
afterAll(async () => {
  await tg.close();
  await sb.close();
});

async function http(
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await request(`${sb.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}

async function token(): Promise<string> {
  const r = await request(`${sb.url}/tenants/${sb.tenantId}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sb.clientId,
      client_secret: sb.clientSecret,
    }).toString(),
  });
  return ((await r.body.json()) as { access_token: string }).access_token;
}

describe('sandbox: seeded partners and auth', () => {
  it('serves the four seeded partners with their tiers', async () => {
    const r = await tg.listPartners();
    expect(r.ok && r.value.data.map((p) => [p.id, p.name, p.tier])).toEqual([
      ['P-ACME', 'Acme Retail', 'strategic'],
      ['P-GLOBEX', 'Globex Logistics', 'preferred'],
      ['P-INITECH', 'Initech Supply', 'standard'],
      ['P-UMBRELLA', 'Umbrella Foods', 'standard'],
    ]);
  });

  it.each([
    ['no token', {}, 'missing_token'],
    ['an unknown token', { authorization: 'Bearer forged' }, 'invalid_token'],
  ])('refuses an API call with %s (401)', async (_n, headers, code) => {
    const r = await http('GET', '/cases', undefined, headers);
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe(code);
  });

  it.each([
    [
      'a wrong secret',
      { grant_type: 'client_credentials', client_id: 'gridbridge-sandbox', client_secret: 'nope' },
      401,
      'invalid_client',
    ],
    [
      'another grant type',
      { grant_type: 'password', client_id: 'gridbridge-sandbox', client_secret: 'x' },
      400,
      'unsupported_grant_type',
    ],
  ])('the token endpoint refuses %s', async (_n, form, status, code) => {
    const r = await http('POST', `/tenants/${sb.tenantId}/oauth2/token`, new URLSearchParams(form).toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect([r.status, r.json.error.code]).toEqual([status, code]);
  });

  it('an unknown tenant has no token endpoint', async () => {
    const r = await http('POST', '/tenants/other/oauth2/token', 'grant_type=client_credentials');
    expect(r.status).toBe(404);
  });
});

describe('sandbox: list validation', () => {
  it.each([
    ['limit=0', 'invalid_limit'],
    ['limit=101', 'invalid_limit'],
    ['offset=-1', 'invalid_offset'],
    ['where_updated_after=soon', 'invalid_filter'],
  ])('GET /cases?%s is a 400 %s', async (qs, code) => {
    const r = await http('GET', `/cases?${qs}`, undefined, { authorization: `Bearer ${await token()}` });
    expect([r.status, r.json.error.code]).toEqual([400, code]);
  });

  it('a malformed JSON body is a 400 with the parser message', async () => {
    const c = await sb.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'json' });
    const r = await http('POST', `/cases/${c.id}/status`, '{"status":', { authorization: `Bearer ${await token()}` });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('invalid_json');
  });

  it('an unknown path is a 404 naming it', async () => {
    const r = await http('GET', '/nothing/here');
    expect(r.status).toBe(404);
    expect(r.json.error.message).toContain('/nothing/here');
  });
});

describe('sandbox: partner requests and decisions', () => {
  it('a decision is posted back and repeated decisions do not flip it', async () => {
    const req = await sb.requestApproval({
      partnerId: 'P-GLOBEX',
      kind: 'shipment_change',
      summary: 'Split delivery',
      value: { amount: 900, currency: 'USD' },
    });
    const pending = await tg.listRequests({ status: 'pending', partnerId: 'P-GLOBEX' });
    expect(pending.ok && pending.value.data.map((r) => r.id)).toContain(req.id);
    const d = await tg.decideRequest(
      req.id,
      { outcome: 'approved', comment: 'ok by ops', decidedBy: 'M. Manager' },
      `dec-${req.id}`,
    );
    expect(d.ok && d.value).toMatchObject({
      status: 'approved',
      decision: { outcome: 'approved', comment: 'ok by ops', decided_by: 'M. Manager' },
    });
    const again = await tg.decideRequest(req.id, { outcome: 'approved' }, `dec-${req.id}-2`);
    expect(again.ok).toBe(true);
    const flip = await tg.decideRequest(req.id, { outcome: 'rejected' }, `dec-${req.id}-3`);
    expect(!flip.ok && flip.error.code).toBe('http_409:request_already_decided');
  });

  it('a withdrawn request refuses a later decision', async () => {
    const req = await sb.requestApproval({
      partnerId: 'P-ACME',
      kind: 'document_correction',
      summary: 'Fix invoice 88',
    });
    const w = await http('POST', `/_sandbox/requests/${req.id}/withdraw`);
    expect(w.status).toBe(200);
    const d = await tg.decideRequest(req.id, { outcome: 'approved' }, `dec-${req.id}`);
    expect(!d.ok && d.error.code).toBe('http_409:request_closed');
  });
});

describe('sandbox: notices and acknowledgements', () => {
  it('publishing to a tier reaches its partners, who acknowledge once each', async () => {
    const n = await tg.publishNotice(
      {
        title: 'New ASN rules',
        body: 'Send 856 within 2h of ship',
        effective_at: '2030-01-01T00:00:00Z',
        audience: { tiers: ['standard'] },
      },
      'notice-1',
    );
    expect(n.ok).toBe(true);
    if (!n.ok) return;
    const again = await tg.publishNotice(
      {
        title: 'New ASN rules',
        body: 'Send 856 within 2h of ship',
        effective_at: '2030-01-01T00:00:00Z',
        audience: { tiers: ['standard'] },
      },
      'notice-1',
    );
    expect(again.ok && again.value.id).toBe(n.value.id);
    expect((n.value as Record<string, unknown>).recipients).toEqual(['P-INITECH', 'P-UMBRELLA']);

    const ack = await http('POST', `/_sandbox/notices/${n.value.id}/acknowledgements`, {
      partner_id: 'P-INITECH',
      contact: 'Bill',
    });
    expect(ack.status).toBe(200);
    await sb.acknowledgeNotice(n.value.id, 'P-INITECH');
    const outsider = await http('POST', `/_sandbox/notices/${n.value.id}/acknowledgements`, { partner_id: 'P-ACME' });
    expect([outsider.status, outsider.json.error.code]).toEqual([409, 'not_in_audience']);
    const got = await tg.getNotice(n.value.id);
    expect(got.ok && got.value.acknowledgements.map((a) => [a.partner_id, a.contact])).toEqual([['P-INITECH', 'Bill']]);
    expect(sb.state().events.filter((e) => e.type === 'notice.acknowledged' && e.data.id === n.value.id)).toHaveLength(
      1,
    );
  });

  it('a notice without an audience is refused', async () => {
    const r = await tg.publishNotice(
      { title: 't', body: 'b', effective_at: '2030-01-01T00:00:00Z', audience: {} },
      'notice-bad',
    );
    expect(!r.ok && r.error.code).toBe('http_400:invalid_audience');
  });
});

describe('sandbox: partners, compliance, scorecards', () => {
  it('a partner added by us and moved through onboarding emits created and status_changed', async () => {
    const p = await tg.createPartner(
      {
        name: 'Stark Components',
        tier: 'preferred',
        edi_addresses: [{ qualifier: '01', id: '123456789', standard: 'X12' }],
      },
      'partner-stark',
    );
    expect(p.ok && p.value.status).toBe('invited');
    if (!p.ok) return;
    const s = await tg.setPartnerStatus(p.value.id, 'testing', 'partner-stark-testing');
    expect(s.ok && s.value.status).toBe('testing');
    const types = sb
      .state()
      .events.filter((e) => e.data.id === p.value.id)
      .map((e) => e.type);
    expect(types).toEqual(['trading_partner.created', 'trading_partner.status_changed']);
  });

  it('partner-side controls over HTTP raise a case with a base64 document and add a partner', async () => {
    const c = await http('POST', '/_sandbox/cases', {
      partner_id: 'P-UMBRELLA',
      kind: 'edi_exception',
      title: '997 rejected',
      documents: [
        {
          name: 'ack.edi',
          kind: 'other',
          content_type: 'application/edi-x12',
          content_base64: Buffer.from('ISA*00~').toString('base64'),
        },
      ],
    });
    expect(c.status).toBe(201);
    const docs = await tg.listCaseDocuments(c.json.id);
    expect(docs.ok && docs.value.data[0]?.size_bytes).toBe(7);
    const p = await http('POST', '/_sandbox/trading_partners', {
      id: 'P-WAYNE',
      name: 'Wayne Freight',
      tier: 'strategic',
    });
    expect(p.status).toBe(201);
    const dup = await http('POST', '/_sandbox/trading_partners', {
      id: 'P-WAYNE',
      name: 'Wayne Freight',
      tier: 'strategic',
    });
    expect(dup.status).toBe(409);
    const bad = await http('POST', '/_sandbox/cases', { partner_id: 'P-NOBODY', kind: 'dispute', title: 'x' });
    expect([bad.status, bad.json.error.code]).toEqual([404, 'not_found']);
  });

  it('a control body that does not match its schema is a 400 naming the field, and nothing changes', async () => {
    const before = sb.state().cases.size;
    const kind = await http('POST', '/_sandbox/cases', { partner_id: 'P-ACME', kind: 'complaint', title: 'x' });
    expect([kind.status, kind.json.error.code]).toEqual([400, 'invalid_request']);
    expect(kind.json.error.message).toMatch(/^kind: /);
    const doc = await http('POST', '/_sandbox/cases', {
      partner_id: 'P-ACME',
      kind: 'dispute',
      title: 'x',
      documents: [{ name: 'a', kind: 'selfie' }],
    });
    expect([doc.status, doc.json.error.message]).toEqual([400, expect.stringMatching(/^documents\.0\.kind: /)]);
    expect(sb.state().cases.size).toBe(before);
    const tier = await http('POST', '/_sandbox/trading_partners', { name: 'No Tier Ltd' });
    expect([tier.status, tier.json.error.message]).toEqual([400, expect.stringMatching(/^tier: /)]);
    const status = await http('POST', '/_sandbox/trading_partners/P-ACME/status', { status: 'asleep' });
    expect([status.status, status.json.error.message]).toEqual([400, expect.stringMatching(/^status: /)]);
    const typo = await http('POST', '/_sandbox/faults', { errorRat: 1 });
    expect([typo.status, typo.json.error.message]).toEqual([400, expect.stringMatching(/^errorRat: /)]);
    const rate = await http('POST', '/_sandbox/faults', { errorRate: 2 });
    expect([rate.status, rate.json.error.message]).toEqual([400, expect.stringMatching(/^errorRate: /)]);
    const other = await http('POST', '/_sandbox/faults', { savedThen5xxRate: 1 });
    expect([other.status, other.json.error.message]).toEqual([400, expect.stringMatching(/^savedThen5xxRate: /)]);
    const range = await http('POST', '/_sandbox/faults', { latencyMs: [50, 10] });
    expect([range.status, range.json.error.message]).toEqual([400, expect.stringMatching(/^latencyMs/)]);
    expect(sb.faults().errorRate).toBe(0);
  });

  it('compliance requirements are listed per partner', async () => {
    const cr = await sb.addComplianceRequirement({
      partnerId: 'P-GLOBEX',
      title: 'C-TPAT attestation',
      category: 'security',
      dueAt: '2030-06-30T00:00:00Z',
    });
    const r = await tg.listComplianceRequirements({ partnerId: 'P-GLOBEX' });
    expect(r.ok && r.value.data.map((x) => x.id)).toContain(cr.id);
    const one = await tg.getComplianceRequirement(cr.id);
    expect(one.ok && one.value.title).toBe('C-TPAT attestation');
  });

  it('a scorecard is stored by PUT and invalid figures are refused', async () => {
    const sc = { period: '2030-W01', avg_resolution_hours: 12.5, open_cases: 3, overdue_tasks: 1, sla_met_pct: 92.3 };
    const r = await tg.putScorecard('P-ACME', sc, 'sc-acme-2030-W01');
    expect(r.ok && r.value).toMatchObject(sc);
    expect(sb.state().scorecards.get('P-ACME')).toMatchObject(sc);
    const bad = await tg.putScorecard('P-ACME', { ...sc, open_cases: -1 }, 'sc-bad');
    expect(!bad.ok && bad.error.status).toBe(400);
  });
});

describe('sandbox: faults over HTTP', () => {
  it('POST /_sandbox/faults sets knobs and failNext answers 503 once', async () => {
    await http('POST', '/_sandbox/faults', { failNext: 1 });
    const r = await tg.getPartner('P-ACME');
    expect(!r.ok && r.error.status).toBe(503);
    expect((await tg.getPartner('P-ACME')).ok).toBe(true);
  });

  it('latency is added to API answers', async () => {
    sb.setFaults({ latencyMs: 80 });
    const t0 = Date.now();
    await tg.getPartner('P-ACME');
    sb.setFaults({ latencyMs: 0 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(75);
  });
});

describe('sandbox: case fields the internal side changes', () => {
  it('POST /cases/{id}/fields changes only the fields sent and emits one case.updated naming them', async () => {
    const c = await sb.raiseCase({
      partnerId: 'P-ACME',
      kind: 'dispute',
      title: 'Before',
      value: { amount: 10, currency: 'EUR' },
    });
    const r = await tg.setCaseFields(c.id, { title: 'After', value: { amount: 12, currency: 'EUR' } }, 'k-fields-1');
    expect(r.ok && [r.value.title, r.value.value, r.value.kind]).toEqual([
      'After',
      { amount: 12, currency: 'EUR' },
      'dispute',
    ]);
    const updates = sb.state().events.filter((e) => e.type === 'case.updated' && e.data.id === c.id);
    expect(updates.map((e) => [e.data.changed, e.data.side])).toEqual([[['title', 'value'], 'internal']]);
    // The same values again change nothing and emit nothing.
    expect((await tg.setCaseFields(c.id, { title: 'After' }, 'k-fields-2')).ok).toBe(true);
    expect(sb.state().events.filter((e) => e.type === 'case.updated' && e.data.id === c.id)).toHaveLength(1);
  });

  it.each([
    [{}, 'invalid_body'],
    [{ status: 'resolved' }, 'invalid_field'],
    [{ partner_id: 'P-GLOBEX' }, 'invalid_field'],
    [{ title: '  ' }, 'invalid_title'],
    [{ kind: 'complaint' }, 'invalid_kind'],
    [{ value: { amount: 5 } }, 'invalid_value'],
    [{ value: { amount: '5', currency: 'EUR' } }, 'invalid_value'],
  ])('%j is refused with 400 %s and the case is unchanged', async (body, code) => {
    const c = await sb.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Unchanged' });
    const t = await token();
    const r = await http('POST', `/cases/${c.id}/fields`, body, {
      authorization: `Bearer ${t}`,
      'idempotency-key': `k-bad-${code}-${JSON.stringify(body)}`,
    });
    expect([r.status, r.json.error.code]).toEqual([400, code]);
    expect(sb.state().cases.get(c.id)?.title).toBe('Unchanged');
    expect(sb.state().cases.get(c.id)?.updated_at).toBe(c.updated_at);
  });
});
