import type { Hono } from 'hono';
import { createApp } from '../../src/server/app.ts';
import { computeWebhookSignature, decodeWebhookSecret } from '../../src/connectors/tradinggrid/events.ts';
import { signClickUpBody } from '../../src/connectors/clickup/signature.ts';
import { tempSqliteStore } from '../helpers/tempStore.ts';

export const TG_SECRET = `whsec_${Buffer.from('a 24-byte test secret!!!').toString('base64')}`;
export const CU_SECRET = 'clickup-webhook-secret-for-tests';
export const NOW_MS = 1_750_000_000_000;

/** The real Hono app on a temp SQLite store, with per-source limits small enough to test. */
export async function webhookApp(limits: { tradinggrid?: number; clickup?: number } = {}) {
  const tmp = await tempSqliteStore();
  let accepted = 0;
  const app: Hono = createApp({
    db: tmp.store.db,
    tgWebhookSecret: TG_SECRET,
    clickUpWebhookSecret: () => CU_SECRET,
    bodyLimitBytes: 64 * 1024,
    bodyLimitBytesBySource: limits,
    now: () => NOW_MS,
    onAccepted: () => void accepted++,
  });
  return { app, store: tmp.store, cleanup: tmp.cleanup, accepted: () => accepted };
}

export function tgHeaders(
  body: string | Buffer,
  opts: { id?: string; ts?: number; secret?: string } = {},
): Record<string, string> {
  const id = opts.id ?? 'evt_1';
  const ts = opts.ts ?? Math.floor(NOW_MS / 1000);
  const sig = computeWebhookSignature(decodeWebhookSecret(opts.secret ?? TG_SECRET), id, ts, body);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': `v1,${sig}`,
  };
}

export function cuHeaders(body: string | Buffer): Record<string, string> {
  return { 'content-type': 'application/json', 'x-signature': signClickUpBody(body, CU_SECRET) };
}

export function tgEvent(id: string, data: Record<string, unknown> = { id: 'CASE-1' }, type = 'case.updated'): string {
  return JSON.stringify({ id, type, occurred_at: '2025-06-15T15:06:40Z', data });
}
