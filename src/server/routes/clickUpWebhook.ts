import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { verifyClickUpSignature } from '../../connectors/clickup/signature.ts';
import { webhookEventSchema } from '../../connectors/clickup/types.ts';
import { recordInboundEvent } from '../../store/ops/recordInboundEvent.ts';
import { getLinkByTask } from '../../store/ops/links.ts';
import { readRawBody } from '../rawBody.ts';

export interface ClickUpWebhookDeps {
  db: Kysely<Database>;
  /** Secret of the registered webhook; read per request because registration may rotate it. */
  secret: () => string | null;
  bodyLimitBytes: number;
  now: () => number;
  onAccepted: () => void;
}

/**
 * POST /webhooks/clickup: X-Signature (hex HMAC-SHA256 of the raw body) → 401; shape → 400; then the
 * delivery is stored once, keyed by webhook id plus its history item ids (ClickUp redelivers).
 */
export function mountClickUpWebhook(app: Hono, deps: ClickUpWebhookDeps): void {
  app.post('/webhooks/clickup', async (c) => {
    const raw = await readRawBody(c, deps.bodyLimitBytes);
    if (!raw.ok) return c.json({ error: raw.error }, raw.status);
    const secret = deps.secret();
    if (!secret) return c.json({ error: 'ClickUp webhook not registered yet' }, 503);
    if (!verifyClickUpSignature(raw.body, c.req.header('x-signature'), secret)) {
      return c.json({ error: c.req.header('x-signature') ? 'signature rejected: X-Signature does not match the body' : 'signature rejected: missing X-Signature header' }, 401);
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.body.toString('utf8'));
    } catch (e) {
      return c.json({ error: `body is not valid JSON: ${(e as Error).message}` }, 400);
    }
    const parsed = webhookEventSchema.safeParse(json);
    if (!parsed.success) {
      return c.json({ error: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') }, 400);
    }
    const ev = parsed.data;
    const items = ev.history_items ?? [];
    const eventId = items.length > 0 ? `${ev.webhook_id}:${items.map((h) => h.id).join(',')}` : `${ev.webhook_id}:sha256:${createHash('sha256').update(raw.body).digest('hex')}`;
    const link = ev.task_id ? await getLinkByTask(deps.db, ev.task_id) : null;
    const queueKey = link ? `case:${link.entityId}` : ev.task_id ? `task:${ev.task_id}` : null;
    const { duplicate } = await recordInboundEvent(
      deps.db,
      { source: 'clickup', eventId, type: ev.event, payload: ev },
      { kind: 'cu.event', key: `cu.event:${eventId}`, queueKey, payload: ev },
      deps.now(),
    );
    if (!duplicate) deps.onAccepted();
    return c.json({ accepted: true, duplicate }, 200);
  });
}
