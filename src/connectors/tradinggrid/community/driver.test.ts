import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTradingGridSandbox, type TradingGridSandbox } from '../../../sandbox/tradinggrid/server.ts';
import { createCommunityDriver, type CommunityDriver, type CommunityDriverOptions } from './driver.ts';

let sb: TradingGridSandbox;
const drivers: CommunityDriver[] = [];

function driverFor(extra: Partial<CommunityDriverOptions> = {}): CommunityDriver {
  const d = createCommunityDriver({
    baseUrl: sb.url,
    tenantId: sb.tenantId,
    clientId: sb.clientId,
    clientSecret: sb.clientSecret,
    backoffBaseMs: 5,
    backoffMaxMs: 20,
    ...extra,
  });
  drivers.push(d);
  return d;
}

beforeAll(async () => {
  sb = await startTradingGridSandbox({ seed: 1 });
});
afterEach(() => {
  sb.setFaults({ failNext: 0, rateLimitNext: 0, errorRate: 0, rateLimitRate: 0, tokenExpiredRate: 0 });
});
afterAll(async () => {
  await Promise.all(drivers.map((d) => d.close()));
  await sb.close();
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('community driver: OAuth2 client credentials', () => {
  it('fetches one token for a burst of concurrent calls and reuses it', async () => {
    const d = driverFor();
    const results = await Promise.all(Array.from({ length: 50 }, () => d.getPartner('P-ACME')));
    expect(results.every((r) => r.ok)).toBe(true);
    await d.getPartner('P-GLOBEX');
    expect(d.tokenFetches).toBe(1);
  });

  it('refreshes the token shortly before it expires', async () => {
    let clock = Date.now();
    const short = await startTradingGridSandbox({ tokenTtlSec: 60, now: () => clock });
    const d = createCommunityDriver({
      baseUrl: short.url,
      tenantId: short.tenantId,
      clientId: short.clientId,
      clientSecret: short.clientSecret,
      now: () => clock,
    });
    try {
      expect((await d.getPartner('P-ACME')).ok).toBe(true);
      clock += 50_000; // inside the lifetime, outside the refresh margin (a tenth of 60 s)
      expect((await d.getPartner('P-ACME')).ok).toBe(true);
      expect(d.tokenFetches).toBe(1);
      clock += 5_000; // 55 s: within the margin → refreshed before the server would say 401
      expect((await d.getPartner('P-ACME')).ok).toBe(true);
      expect(d.tokenFetches).toBe(2);
      expect(short.stats().requests['GET /trading_partners/{id}']).toBe(3);
    } finally {
      await d.close();
      await short.close();
    }
  });

  it('a 401 on a revoked token refreshes once and the call succeeds', async () => {
    const d = driverFor();
    expect((await d.getCase('nope')).ok).toBe(false); // warms the token
    const before = sb.stats().tokensIssued;
    sb.expireTokens();
    const r = await d.getPartner('P-INITECH');
    expect(r.ok).toBe(true);
    expect(sb.stats().tokensIssued).toBe(before + 1);
  });

  it('a 401 that persists after one refresh fails as a credential error, without looping', async () => {
    const d = driverFor();
    await d.getPartner('P-ACME');
    const before = sb.stats().tokensIssued;
    sb.setFaults({ tokenExpiredRate: 1 });
    const r = await d.getPartner('P-ACME');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'tg:credentials', retryable: false, status: 401 });
    expect(sb.stats().tokensIssued).toBe(before + 1);
  });

  it('a wrong client secret is a credential error from the token endpoint', async () => {
    const d = driverFor({ clientSecret: 'wrong' });
    const r = await d.getPartner('P-ACME');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('tg:credentials');
      expect(r.error.detail).not.toContain('wrong');
    }
  });
});

describe('community driver: reads and paging', () => {
  it('reads a case raised by a partner, with its documents and comments', async () => {
    const d = driverFor();
    const c = await sb.raiseCase({
      partnerId: 'P-GLOBEX',
      kind: 'shipment_exception',
      title: 'ASN 4711 missing pallets',
      transactionRef: {
        standard: 'X12',
        interchange: '000000101',
        group: '101',
        transaction: '0001',
        business: { type: 'BSN02', value: 'ASN4711' },
      },
      value: { amount: 1250.5, currency: 'EUR' },
      documents: [
        {
          name: 'pod.pdf',
          kind: 'proof_of_delivery',
          contentType: 'application/pdf',
          content: Buffer.from('%PDF-1.4 fake'),
        },
      ],
    });
    await sb.addCaseComment(c.id, { body: 'Two pallets short' });
    const got = await d.getCase(c.id);
    expect(got.ok && got.value).toMatchObject({
      id: c.id,
      partner_id: 'P-GLOBEX',
      status: 'open',
      transaction_ref: { business: { value: 'ASN4711' } },
      value: { amount: 1250.5 },
    });
    const docs = await d.listCaseDocuments(c.id);
    expect(docs.ok && docs.value.data.map((x) => [x.name, x.sha256])).toEqual([
      ['pod.pdf', sha256(Buffer.from('%PDF-1.4 fake'))],
    ]);
    const comments = await d.listCaseComments(c.id);
    expect(comments.ok && comments.value.data.map((x) => [x.body, x.side])).toEqual([['Two pallets short', 'partner']]);
  });

  it('a missing case is a non-retryable 404 carrying the remote code', async () => {
    const r = await driverFor().getCase('CASE-none');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ code: 'http_404:not_found', retryable: false, status: 404 });
  });

  it('iterates every case to the end across pages, filtered by partner', async () => {
    const d = driverFor();
    for (let i = 0; i < 230; i++)
      await sb.raiseCase({ partnerId: 'P-INITECH', kind: 'dispute', title: `dispute ${i}` });
    const seen: string[] = [];
    for await (const c of d.iterateCases({ partnerId: 'P-INITECH', limit: 100 })) seen.push(c.id);
    expect(seen).toHaveLength(230);
    expect(new Set(seen).size).toBe(230);
    const page = await d.listCases({ partnerId: 'P-INITECH', limit: 7, offset: 228 });
    expect(page.ok && [page.value.totalCount, page.value.data.length]).toEqual([230, 2]);
  });

  it('where_updated_after returns only what changed after the timestamp', async () => {
    const d = driverFor();
    const a = await sb.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'old' });
    const mark = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5)); // sleep-ok: the next case must carry a later timestamp than the mark
    const b = await sb.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'new' });
    const r = await d.listCases({ updatedAfter: mark, partnerId: 'P-ACME' });
    const ids = r.ok ? r.value.data.map((c) => c.id) : [];
    expect(ids).toContain(b.id);
    expect(ids).not.toContain(a.id);
  });
});

describe('community driver: idempotent writes', () => {
  it('the same idempotency key twice changes the status once and answers the same', async () => {
    const d = driverFor();
    const c = await sb.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'idem' });
    const eventsBefore = sb.state().events.filter((e) => e.data.id === c.id && e.type === 'case.updated').length;
    const r1 = await d.setCaseStatus(c.id, { status: 'in_review', note: 'looking' }, `status-${c.id}-1`);
    const r2 = await d.setCaseStatus(c.id, { status: 'in_review', note: 'looking' }, `status-${c.id}-1`);
    expect(r1).toEqual(r2);
    expect(sb.state().events.filter((e) => e.data.id === c.id && e.type === 'case.updated').length).toBe(
      eventsBefore + 1,
    );
    expect(sb.stats().idempotentReplays).toBeGreaterThan(0);
  });

  it('a comment posted twice with one key exists once', async () => {
    const d = driverFor();
    const c = await sb.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'comment' });
    const [a, b] = await Promise.all([
      d.addCaseComment(c.id, { body: 'We are on it', author: 'ops' }, `cmt-${c.id}`),
      d.addCaseComment(c.id, { body: 'We are on it', author: 'ops' }, `cmt-${c.id}`),
    ]);
    expect(a.ok && b.ok && a.value.id === b.value.id).toBe(true);
    expect(sb.state().comments.get(c.id)).toHaveLength(1);
  });

  it('rejects an unknown status with a clear remote message', async () => {
    const c = await sb.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'bad status' });
    const r = await driverFor().setCaseStatus(c.id, { status: 'closed' as 'resolved' }, 'k-bad');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.detail).toContain('status must be one of');
  });
});

describe('community driver: documents', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tg-doc-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uploads a real file as a streamed multipart body and downloads the same bytes', async () => {
    const d = driverFor();
    const c = await sb.raiseCase({ partnerId: 'P-ACME', kind: 'document_mismatch', title: 'big file' });
    const bytes = randomBytes(1_500_000 + 17);
    const file = join(dir, 'invoice-4711.pdf');
    await writeFile(file, bytes);
    const up = await d.uploadCaseDocument(
      c.id,
      { name: 'invoice-4711.pdf', kind: 'invoice', contentType: 'application/pdf', data: createReadStream(file) },
      `up-${c.id}`,
    );
    expect(up.ok).toBe(true);
    if (!up.ok) return;
    expect(up.value).toMatchObject({
      case_id: c.id,
      name: 'invoice-4711.pdf',
      content_type: 'application/pdf',
      size_bytes: bytes.length,
      sha256: sha256(bytes),
      uploaded_by: 'internal',
      kind: 'invoice',
    });

    const down = await d.downloadDocument(up.value.id);
    expect(down.ok).toBe(true);
    if (!down.ok) return;
    const hash = createHash('sha256');
    let chunks = 0;
    for await (const chunk of down.value.body) {
      hash.update(chunk as Buffer);
      chunks++;
    }
    expect(hash.digest('hex')).toBe(down.value.meta.sha256);
    expect(down.value.meta.sha256).toBe(sha256(bytes));
    expect(chunks).toBeGreaterThan(1);
  });

  it('a token refused during a streamed upload is a retryable error, and a new stream then succeeds', async () => {
    const d = driverFor();
    const c = await sb.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'stream 401' });
    await d.getCase(c.id);
    sb.expireTokens();
    const file = join(dir, 'evidence.txt');
    await writeFile(file, 'photo of damaged pallet');
    const doc = () => ({
      name: 'evidence.txt',
      kind: 'claim_evidence' as const,
      contentType: 'text/plain',
      data: createReadStream(file),
    });
    const first = await d.uploadCaseDocument(c.id, doc(), `s401-${c.id}`);
    expect(!first.ok && first.error).toMatchObject({ code: 'tg:token_rejected', retryable: true });
    const second = await d.uploadCaseDocument(c.id, doc(), `s401-${c.id}`);
    expect(second.ok && second.value.size_bytes).toBe(23);
  });

  it('an upload repeated with the same key stores one document', async () => {
    const d = driverFor();
    const c = await sb.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'twice' });
    const doc = {
      name: 'a b "c".txt',
      kind: 'claim_evidence' as const,
      contentType: 'text/plain',
      data: Buffer.from('évidence\r\n--x'),
    };
    const a = await d.uploadCaseDocument(c.id, doc, `twice-${c.id}`);
    const b = await d.uploadCaseDocument(c.id, doc, `twice-${c.id}`);
    expect(a.ok && b.ok && a.value.id === b.value.id).toBe(true);
    expect(
      sb
        .state()
        .documents.get(a.ok ? a.value.id : '')
        ?.content.toString(),
    ).toBe('évidence\r\n--x');
    const list = await d.listCaseDocuments(c.id);
    expect(list.ok && list.value.totalCount).toBe(1);
  });
});

describe('community driver: faults', () => {
  it('retries a 5xx and then succeeds', async () => {
    const d = driverFor();
    await d.getPartner('P-ACME');
    const injected = sb.stats().faultsInjected;
    sb.setFaults({ failNext: 2 });
    const r = await d.getPartner('P-ACME');
    expect(r.ok).toBe(true);
    expect(sb.stats().faultsInjected).toBe(injected + 2);
  });

  it('returns a retryable error when 5xx outlasts its retries', async () => {
    const d = driverFor({ retries: 1 });
    await d.getPartner('P-ACME');
    sb.setFaults({ failNext: 5 });
    const r = await d.getPartner('P-ACME');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ status: 503, retryable: true });
  });

  it('waits for Retry-After on a 429 before trying again', async () => {
    const d = driverFor();
    await d.getPartner('P-ACME');
    sb.setFaults({ rateLimitNext: 1, retryAfterSec: 1 });
    const t0 = Date.now();
    const r = await d.getPartner('P-ACME');
    expect(r.ok).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it('hands a 429 back with retryAfterMs when the wait is longer than it may block', async () => {
    const d = driverFor({ maxRetryWaitMs: 100 });
    await d.getPartner('P-ACME');
    sb.setFaults({ rateLimitNext: 1, retryAfterSec: 30 });
    const r = await d.getPartner('P-ACME');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 30_000 });
  });

  it('recovers when the token endpoint fails once', async () => {
    const d = driverFor();
    sb.setFaults({ failNext: 1 });
    expect((await d.getPartner('P-ACME')).ok).toBe(true);
  });

  it('reports a refused connection as a retryable network error', async () => {
    const d = createCommunityDriver({
      baseUrl: 'http://127.0.0.1:9',
      tenantId: 't',
      clientId: 'c',
      clientSecret: 's',
      retries: 0,
    });
    drivers.push(d);
    const r = await d.getCase('x');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.retryable).toBe(true);
  });
});
