import { ok, type Result } from '../../core/result.ts';
import { parseResponse } from './parse.ts';
import { seg } from './taskRef.ts';
import type { ResourceContext } from './tasks.ts';
import {
  webhookEnvelopeSchema,
  webhooksSchema,
  type ClickUpWebhook,
  type CreateWebhookBody,
  type UpdateWebhookBody,
} from './types.ts';

/** POST /v2/team/{team_id}/webhook → the webhook with its signing secret. */
export async function createWebhook(
  c: ResourceContext,
  teamId: string,
  body: CreateWebhookBody,
): Promise<Result<ClickUpWebhook>> {
  const r = parseResponse(
    webhookEnvelopeSchema,
    'createWebhook',
    await c.t.request({ method: 'POST', path: `/v2/team/${seg(teamId)}/webhook`, json: body }),
  );
  return r.ok ? ok(r.value.webhook) : r;
}

/** GET /v2/team/{team_id}/webhook: this token's webhooks with health {status, fail_count}. */
export async function listWebhooks(c: ResourceContext, teamId: string): Promise<Result<ClickUpWebhook[]>> {
  const r = parseResponse(
    webhooksSchema,
    'listWebhooks',
    await c.t.request({ method: 'GET', path: `/v2/team/${seg(teamId)}/webhook` }),
  );
  return r.ok ? ok(r.value.webhooks) : r;
}

/** PUT /v2/webhook/{webhook_id} {endpoint, events, status} — `status: 'active'` re-enables a failing one. */
export async function updateWebhook(
  c: ResourceContext,
  webhookId: string,
  body: UpdateWebhookBody,
): Promise<Result<ClickUpWebhook>> {
  const r = parseResponse(
    webhookEnvelopeSchema,
    'updateWebhook',
    await c.t.request({ method: 'PUT', path: `/v2/webhook/${seg(webhookId)}`, json: body }),
  );
  return r.ok ? ok(r.value.webhook) : r;
}

/** DELETE /v2/webhook/{webhook_id} */
export async function deleteWebhook(c: ResourceContext, webhookId: string): Promise<Result<void>> {
  const r = await c.t.request<unknown>({ method: 'DELETE', path: `/v2/webhook/${seg(webhookId)}` });
  return r.ok ? ok(undefined) : r;
}
