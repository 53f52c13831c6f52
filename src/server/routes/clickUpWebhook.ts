import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { verifyClickUpSignature } from '../../connectors/clickup/signature.ts';
import { webhookEventSchema } from '../../connectors/clickup/types.ts';
import { recordInboundEvent } from '../../store/ops/recordInboundEvent.ts';
import { newEngineJob } from '../../sync/engineJobs.ts';
import { getLinkByTask } from '../../store/ops/links.ts';
import { readRawBody } from '../rawBody.ts';

export interface ClickUpWebhookDeps {
  db: Kysely<Database>;
  /** Secret of the registered webhook; read per request because registration may rotate it. */
  secret: () => string | null;
  bodyLimitBytes: number;
  now: () => number;
  onAccepted: () => void;
  /** A signed delivery we could not store: ClickUp counts it failed, and may drop it after five tries. */
  onFailed?: () => void;
}

/**
 * POST /webhooks/clickup: X-Signature (hex HMAC-SHA256 of the raw body) → 401; then the delivery is
 * stored once (one we cannot read is stored and ignored, never refused), keyed by webhook id plus its history item ids (ClickUp redelivers).
 */
export function mountClickUpWebhook(app: Hono, deps: ClickUpWebhookDeps): void {
  app.post('/webhooks/clickup', async (c) => {
    const raw = await readRawBody(c, deps.bodyLimitBytes);
    if (!raw.ok) return c.json({ error: raw.error }, raw.status);
    const secret = deps.secret();
    if (!secret) return c.json({ error: 'ClickUp webhook not registered yet' }, 503);
    if (!verifyClickUpSignature(raw.body, c.req.header('x-signature'), secret)) {
      return c.json(
        {
          error: c.req.header('x-signature')
            ? 'signature rejected: X-Signature does not match the body'
            : 'signature rejected: missing X-Signature header',
        },
        401,
      );
    }
    let json: unknown;
    let unusable: string | null = null;
    try {
      json = JSON.parse(raw.body.toString('utf8'));
    } catch (e) {
      unusable = `body is not valid JSON: ${(e as Error).message}`;
    }
    const parsed = unusable === null ? webhookEventSchema.safeParse(json) : null;
    if (parsed && !parsed.success)
      unusable = parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ');
    if (!parsed?.success) {
      // Signed by ClickUp, so ours to keep, but not a shape we read (a new event kind, a changed payload):
      // stored for the record and ignored. A refusal would count against the webhook's health (each
      // event tried five times, suspended at fail_count 100: https://developer.clickup.com/docs/webhookhealth)
      // and could never succeed on a retry.
      const eventId = `unrecognised:sha256:${createHash('sha256').update(raw.body).digest('hex')}`;
      const payload = { unrecognised: unusable, body: json === undefined ? raw.body.toString('utf8') : json };
      const { duplicate } = await recordInboundEvent(
        deps.db,
        { source: 'clickup', eventId, type: 'unrecognised', payload },
        newEngineJob('cu.event', { event: 'unrecognised' }, { key: `cu.event:${eventId}`, queueKey: null }),
        deps.now(),
      );
      return c.json({ accepted: true, duplicate, ignored: unusable }, 200);
    }
    // A delivery that fails here counts against the webhook's health, and a later success resets fail_count
    // before the catch-up's next check can see it: the catch-up also hears it from us.
    try {
      const ev = parsed.data;
      const items = ev.history_items ?? [];
      const eventId =
        items.length > 0
          ? `${ev.webhook_id}:${items.map((h) => h.id).join(',')}`
          : `${ev.webhook_id}:sha256:${createHash('sha256').update(raw.body).digest('hex')}`;
      const link = ev.task_id ? await getLinkByTask(deps.db, ev.task_id) : null;
      const queueKey = link ? `case:${link.entityId}` : ev.task_id ? `task:${ev.task_id}` : null;
      const { duplicate } = await recordInboundEvent(
        deps.db,
        { source: 'clickup', eventId, type: ev.event, payload: ev },
        newEngineJob('cu.event', ev, { key: `cu.event:${eventId}`, queueKey }),
        deps.now(),
      );
      if (!duplicate) deps.onAccepted();
      return c.json({ accepted: true, duplicate }, 200);
    } catch (e) {
      deps.onFailed?.();
      throw e;
    }
  });
}
