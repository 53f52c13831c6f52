import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { verifyTradingGridWebhook, parseTradingGridEvent } from '../../connectors/tradinggrid/events.ts';
import { recordInboundEvent } from '../../store/ops/recordInboundEvent.ts';
import { newEngineJob } from '../../sync/engineJobs.ts';
import { compareInboundEvent } from '../../store/ops/compareInboundEvent.ts';
import { readRawBody } from '../rawBody.ts';
import { tgQueueKey } from '../../sync/tgQueueKey.ts';

export interface TradingGridWebhookDeps {
  db: Kysely<Database>;
  secret: string;
  bodyLimitBytes: number;
  toleranceSec?: number;
  now: () => number;
  onAccepted: () => void;
}

/**
 * POST /webhooks/tradinggrid: signature on the raw bytes (401), then shape (400), then one durable
 * insert of the event and its job; answered only after that commit. A repeat delivery answers 200.
 */
export function mountTradingGridWebhook(app: Hono, deps: TradingGridWebhookDeps): void {
  app.post('/webhooks/tradinggrid', async (c) => {
    const raw = await readRawBody(c, deps.bodyLimitBytes);
    if (!raw.ok) return c.json({ error: raw.error }, raw.status);
    // The three headers the signature reads, not a copy of every header per request.
    const headers = {
      'webhook-id': c.req.header('webhook-id'),
      'webhook-timestamp': c.req.header('webhook-timestamp'),
      'webhook-signature': c.req.header('webhook-signature'),
    };
    const v = verifyTradingGridWebhook(raw.body, headers, deps.secret, {
      toleranceSec: deps.toleranceSec,
      nowSec: Math.floor(deps.now() / 1000),
    });
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
      newEngineJob('tg.event', ev, { key: `tg.event:${ev.id}`, queueKey: tgQueueKey(ev) }),
      deps.now(),
    );
    if (!duplicate) deps.onAccepted();
    // Replay protection: the same message again is a harmless duplicate; the same id with other content is refused.
    else if ((await compareInboundEvent(deps.db, 'tradinggrid', ev.id, ev)) === 'different') {
      return c.json(
        {
          error: `event id ${ev.id} was already accepted with a different body; a reused id is not applied (send a new id)`,
        },
        409,
      );
    }
    return c.json({ accepted: true, duplicate }, duplicate ? 200 : 202);
  });
}
