import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { verifyTradingGridWebhook, parseTradingGridEvent, type TradingGridEvent } from '../../connectors/tradinggrid/events.ts';
import { recordInboundEvent } from '../../store/ops/recordInboundEvent.ts';
import { readRawBody } from '../rawBody.ts';

export interface TradingGridWebhookDeps {
  db: Kysely<Database>;
  secret: string;
  bodyLimitBytes: number;
  toleranceSec?: number;
  now: () => number;
  onAccepted: () => void;
}

/** Jobs touching one case run in order; events of other resources run freely. */
export function tgQueueKey(ev: TradingGridEvent): string | null {
  switch (ev.type) {
    case 'case.opened':
    case 'case.updated':
      return `case:${ev.data.id}`;
    case 'case.comment_added':
      return `case:${ev.data.case_id}`;
    case 'document.added':
      return ev.data.case_id ? `case:${ev.data.case_id}` : ev.data.request_id ? `request:${ev.data.request_id}` : null;
    case 'request.created':
      return `request:${ev.data.id}`;
    case 'trading_partner.created':
    case 'trading_partner.status_changed':
      return `partner:${ev.data.id}`;
    case 'notice.acknowledged':
      return `notice:${ev.data.id}`;
    default:
      return null;
  }
}

/**
 * POST /webhooks/tradinggrid: signature on the raw bytes (401), then shape (400), then one durable
 * insert of the event and its job; answered only after that commit. A repeat delivery answers 200.
 */
export function mountTradingGridWebhook(app: Hono, deps: TradingGridWebhookDeps): void {
  app.post('/webhooks/tradinggrid', async (c) => {
    const raw = await readRawBody(c, deps.bodyLimitBytes);
    if (!raw.ok) return c.json({ error: raw.error }, raw.status);
    const headers = Object.fromEntries(c.req.raw.headers.entries());
    const v = verifyTradingGridWebhook(raw.body, headers, deps.secret, { toleranceSec: deps.toleranceSec, nowSec: Math.floor(deps.now() / 1000) });
    if (!v.ok) return c.json({ error: `signature rejected: ${v.reason}` }, 401);
    let json: unknown;
    try {
      json = JSON.parse(raw.body.toString('utf8'));
    } catch (e) {
      return c.json({ error: `body is not valid JSON: ${(e as Error).message}` }, 400);
    }
    const parsed = parseTradingGridEvent(json);
    if (!parsed.ok) return c.json({ error: parsed.error.reason }, 400);
    const ev = parsed.value;
    const { duplicate } = await recordInboundEvent(
      deps.db,
      { source: 'tradinggrid', eventId: ev.id, type: ev.type, payload: ev },
      { kind: 'tg.event', key: `tg.event:${ev.id}`, queueKey: tgQueueKey(ev), payload: ev },
      deps.now(),
    );
    if (!duplicate) deps.onAccepted();
    return c.json({ accepted: true, duplicate }, duplicate ? 200 : 202);
  });
}
