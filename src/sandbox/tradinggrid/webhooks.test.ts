import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  parseTradingGridEvent,
  verifyTradingGridWebhook,
  type TradingGridEvent,
} from '../../connectors/tradinggrid/events.ts';
import { createCommunityDriver } from '../../connectors/tradinggrid/community/driver.ts';
import { startTradingGridSandbox, type TradingGridSandbox } from './server.ts';

interface Receiver {
  url: string;
  events: TradingGridEvent[];
  rejected: string[];
  /** Status to answer per delivery attempt (default 204). */
  answer: (n: number) => number;
  close(): Promise<void>;
}

/** A webhook endpoint that checks signatures on the raw bytes, like the bridge does. */
async function startReceiver(secret: () => string): Promise<Receiver> {
  let n = 0;
  const rec: Receiver = { url: '', events: [], rejected: [], answer: () => 204, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const v = verifyTradingGridWebhook(raw, req.headers, secret());
      if (!v.ok) {
        rec.rejected.push(v.reason);
        res.writeHead(401).end();
        return;
      }
      const status = rec.answer(n++);
      if (status < 300) {
        const p = parseTradingGridEvent(JSON.parse(raw.toString('utf8')));
        if (!p.ok) throw new Error(p.error.reason);
        rec.events.push(p.value);
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/tradinggrid`;
  rec.close = () => new Promise((r) => server.close(() => r()));
  return rec;
}

let sb: TradingGridSandbox | undefined;
let rec: Receiver | undefined;
afterEach(async () => {
  await sb?.close();
  await rec?.close();
  sb = undefined;
  rec = undefined;
});

async function setup(opts: Parameters<typeof startTradingGridSandbox>[0] = {}) {
  rec = await startReceiver(() => sb!.webhookSecret);
  sb = await startTradingGridSandbox({
    seed: 7,
    webhook: { retryBaseMs: 5, retryMaxMs: 20 },
    ...opts,
    webhookUrl: rec.url,
  });
  return { sb, rec };
}

describe('sandbox webhooks', () => {
  it('a raised case with a document emits signed case.opened and document.added that verify and parse', async () => {
    const { sb, rec } = await setup();
    const c = await sb.raiseCase({
      partnerId: 'P-ACME',
      kind: 'dispute',
      title: 'Price differs from contract',
      documents: [{ name: 'inv.pdf', kind: 'invoice', contentType: 'application/pdf', content: Buffer.from('x') }],
    });
    await sb.idle();
    expect(rec.rejected).toEqual([]);
    expect(rec.events.map((e) => e.type).sort()).toEqual(['case.opened', 'document.added']);
    const opened = rec.events.find((e) => e.type === 'case.opened')!;
    expect(opened.data).toMatchObject({ id: c.id, partner_id: 'P-ACME', kind: 'dispute' });
    const doc = rec.events.find((e) => e.type === 'document.added')!;
    expect(doc.data).toMatchObject({ case_id: c.id, uploaded_by: 'partner' });
    expect(sb.stats().events).toMatchObject({ emitted: 2, delivered: 2, pending: 0 });
  });

  it('a failed delivery is retried until it is accepted (at-least-once)', async () => {
    const { sb, rec } = await setup();
    rec.answer = (n) => (n < 2 ? 500 : 204);
    await sb.addPartner({ name: 'Hooli Parts', tier: 'standard' });
    await sb.idle();
    expect(rec.events.map((e) => e.type)).toEqual(['trading_partner.created']);
    expect(sb.stats().events).toMatchObject({ attempts: 3, failedAttempts: 2, delivered: 1 });
  });

  it('gives up after the configured attempts and keeps the event for inspection', async () => {
    const { sb, rec } = await setup({ webhook: { retryBaseMs: 1, retryMaxMs: 2, maxAttempts: 3 } });
    rec.answer = () => 503;
    await sb.addPartner({ name: 'Never Reached', tier: 'standard' });
    await sb.idle();
    expect(sb.state().undelivered.map((e) => e.type)).toEqual(['trading_partner.created']);
    expect(sb.stats().events.gaveUp).toBe(1);
  });

  it('events wait in the queue until a webhook URL is set', async () => {
    rec = await startReceiver(() => sb!.webhookSecret);
    sb = await startTradingGridSandbox();
    await sb.raiseCase({ partnerId: 'P-GLOBEX', kind: 'shipment_exception', title: 'late' });
    expect(sb.stats().events.pending).toBe(1);
    sb.setWebhookUrl(rec.url);
    await sb.idle();
    expect(rec.events).toHaveLength(1);
  });

  it('the duplicate fault delivers the same event id twice', async () => {
    const { sb, rec } = await setup({ faults: { webhookDuplicateRate: 1 } });
    await sb.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'dup' });
    await sb.idle();
    expect(rec.events).toHaveLength(2);
    expect(rec.events[0]!.id).toBe(rec.events[1]!.id);
  });

  it('the reorder fault lets later events overtake earlier ones', async () => {
    const { sb, rec } = await setup({ seed: 3, faults: { webhookReorderRate: 0.5, webhookReorderMaxMs: 60 } });
    for (let i = 0; i < 30; i++) await sb.addPartner({ name: `Partner ${i}`, tier: 'standard' });
    await sb.idle();
    const seq = rec.events.map((e) => Number(e.id.split('_').pop()));
    expect(seq).toHaveLength(30);
    expect(seq).not.toEqual([...seq].sort((a, b) => a - b));
    expect(sb.stats().events.reordered).toBeGreaterThan(0);
  });

  it('dropped events are recovered by pollChanges with a stored cursor', async () => {
    const { sb, rec } = await setup({ faults: { webhookDropRate: 1 } });
    const d = createCommunityDriver({
      baseUrl: sb.url,
      tenantId: sb.tenantId,
      clientId: sb.clientId,
      clientSecret: sb.clientSecret,
      pollOverlapMs: 1000,
    });
    try {
      const first = await d.pollChanges();
      expect(first.ok).toBe(true);
      if (!first.ok) return;
      const cursor = first.value.cursor;
      await new Promise((r) => setTimeout(r, 5)); // sleep-ok: the next change must carry a later timestamp than the cursor
      const c = await sb.raiseCase({
        partnerId: 'P-UMBRELLA',
        kind: 'compliance_issue',
        title: 'Certificate expired',
        documents: [
          { name: 'cert.pdf', kind: 'certificate', contentType: 'application/pdf', content: Buffer.from('cert') },
        ],
      });
      await sb.addCaseComment(c.id, { body: 'please advise' });
      const req = await sb.requestApproval({
        partnerId: 'P-ACME',
        kind: 'pricing_exception',
        summary: 'Q3 price hold',
      });
      const cr = await sb.addComplianceRequirement({
        title: 'ISO 9001 renewal',
        category: 'certification',
        dueAt: '2030-01-01T00:00:00Z',
      });
      await sb.setPartnerStatus('P-INITECH', 'inactive');
      await sb.idle();
      expect(rec.events).toEqual([]);
      expect(sb.stats().events.dropped).toBeGreaterThanOrEqual(6);

      const second = await d.pollChanges({ since: cursor });
      expect(second.ok).toBe(true);
      if (!second.ok) return;
      const got = second.value.events.map((e) => `${e.type} ${e.data.id}`);
      expect(got).toEqual(
        expect.arrayContaining([
          `case.opened ${c.id}`,
          `request.created ${req.id}`,
          `compliance_requirement.created ${cr.id}`,
          'trading_partner.status_changed P-INITECH',
        ]),
      );
      expect(second.value.events.some((e) => e.type === 'document.added' && e.data.case_id === c.id)).toBe(true);
      expect(second.value.events.some((e) => e.type === 'case.comment_added' && e.data.case_id === c.id)).toBe(true);
      for (const e of second.value.events) expect(parseTradingGridEvent(e).ok).toBe(true);
      expect(second.value.cursor > cursor).toBe(true);

      // Reading again from the new cursor: the overlap window repeats events with the same ids only.
      const third = await d.pollChanges({ since: second.value.cursor });
      expect(third.ok).toBe(true);
      if (!third.ok) return;
      const earlier = new Set(second.value.events.map((e) => e.id));
      expect(third.value.events.every((e) => earlier.has(e.id))).toBe(true);
    } finally {
      await d.close();
    }
  });
});
