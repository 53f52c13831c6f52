import { computeWebhookSignature, decodeWebhookSecret } from '../src/connectors/tradinggrid/events.ts';

/** A Trading Grid event as the sandbox would send it: exact body bytes plus Standard Webhooks headers. */
export function signTgEvent(
  ev: { id: string; type?: string; occurred_at?: string; data?: unknown },
  secret: string,
  nowSec = Math.floor(Date.now() / 1000),
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(ev);
  const sig = computeWebhookSignature(decodeWebhookSecret(secret), ev.id, nowSec, body);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': ev.id,
      'webhook-timestamp': String(nowSec),
      'webhook-signature': `v1,${sig}`,
    },
  };
}
