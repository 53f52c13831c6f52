import { err, ok, type RemoteError, type Result } from '../../core/result.ts';
import type { ClickUpClient } from './client.ts';
import type { ClickUpTask, ClickUpWebhook } from './types.ts';

export interface WebhookSpec {
  teamId: string;
  /** Our public URL ClickUp posts to. */
  endpoint: string;
  events: string[];
  listId?: string;
}

/** What ensureWebhook did: reused a healthy one, re-enabled or recreated an unhealthy one, or created one. */
export type WebhookAction = 'reuse' | 'reenable' | 'recreate' | 'create';

export interface EnsuredWebhook {
  webhook: ClickUpWebhook;
  /** Key for X-Signature; changes when the webhook is recreated. */
  secret: string;
  action: WebhookAction;
  /** Deliveries may have been missed (it was failing/suspended, or is new after a recreate): poll to catch up. */
  needsCatchUp: boolean;
  /** Extra webhooks for the same endpoint that were deleted (each would have doubled every event). */
  removedDuplicates: string[];
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Does this registered webhook serve our endpoint and scope? */
export function webhookMatches(w: ClickUpWebhook, spec: WebhookSpec): boolean {
  return w.endpoint === spec.endpoint && (spec.listId === undefined || String(w.list_id ?? '') === spec.listId);
}

/**
 * Pure decision for one matching webhook (or none). A healthy one with our events is reused; an
 * unhealthy one is re-enabled by PUT when it listens to every event (the OpenAPI file types `events` on
 * update as a single string, so only `*` can be sent back faithfully), otherwise it is recreated; one
 * with other events is recreated.
 */
export function decideWebhookAction(existing: ClickUpWebhook | undefined, spec: WebhookSpec): WebhookAction {
  if (!existing) return 'create';
  const eventsOk = sameSet(existing.events, spec.events);
  const healthy = existing.health.status === 'active';
  if (eventsOk && healthy) return 'reuse';
  if (eventsOk && sameSet(spec.events, ['*'])) return 'reenable';
  return 'recreate';
}

/**
 * Registers our webhook idempotently: lists the team's webhooks first, reuses a matching healthy one,
 * removes duplicates, re-enables or recreates an unhealthy one. Safe to call at every start-up and
 * from a periodic health check.
 */
export async function ensureWebhook(client: ClickUpClient, spec: WebhookSpec): Promise<Result<EnsuredWebhook>> {
  const listed = await client.listWebhooks(spec.teamId);
  if (!listed.ok) return listed;
  const matching = listed.value.filter((w) => webhookMatches(w, spec));
  // Prefer a healthy one with the right events as the keeper.
  matching.sort((a, b) => score(b, spec) - score(a, spec));
  const [keep, ...dups] = matching;
  const removedDuplicates: string[] = [];
  for (const d of dups) {
    const r = await client.deleteWebhook(d.id);
    if (!r.ok) return r;
    removedDuplicates.push(d.id);
  }
  const action = decideWebhookAction(keep, spec);
  const wasUnhealthy = keep !== undefined && keep.health.status !== 'active';
  const body = { endpoint: spec.endpoint, events: spec.events, ...(spec.listId ? { list_id: Number(spec.listId) } : {}) };
  let webhook: ClickUpWebhook;
  switch (action) {
    case 'reuse':
      webhook = keep!;
      break;
    case 'reenable': {
      const r = await client.updateWebhook(keep!.id, { endpoint: spec.endpoint, events: '*', status: 'active' });
      if (!r.ok) return r;
      webhook = { ...r.value, secret: r.value.secret ?? keep!.secret };
      break;
    }
    case 'recreate': {
      const d = await client.deleteWebhook(keep!.id);
      if (!d.ok) return d;
      const r = await client.createWebhook(spec.teamId, body);
      if (!r.ok) return r;
      webhook = r.value;
      break;
    }
    case 'create': {
      const r = await client.createWebhook(spec.teamId, body);
      if (!r.ok) return r;
      webhook = r.value;
      break;
    }
  }
  if (!webhook.secret) {
    return err({ code: 'clickup:webhook_secret_missing', retryable: false, detail: `ensureWebhook: ClickUp did not return the secret of webhook ${webhook.id}` } satisfies RemoteError);
  }
  return ok({ webhook, secret: webhook.secret, action, needsCatchUp: wasUnhealthy || action === 'recreate', removedDuplicates });
}

function score(w: ClickUpWebhook, spec: WebhookSpec): number {
  return (w.health.status === 'active' ? 2 : 0) + (sameSet(w.events, spec.events) ? 1 : 0);
}

/** Health of our webhook as ClickUp reports it, or undefined if it is gone. */
export async function webhookHealth(client: ClickUpClient, spec: WebhookSpec): Promise<Result<ClickUpWebhook['health'] & { id: string } | undefined>> {
  const listed = await client.listWebhooks(spec.teamId);
  if (!listed.ok) return listed;
  const w = listed.value.find((x) => webhookMatches(x, spec));
  return ok(w ? { id: w.id, ...w.health } : undefined);
}

/**
 * Tasks of a list changed after `sinceMs` (closed ones and subtasks included): the catch-up poll that
 * fills the gap a failing webhook left. Feed each through the same path as a webhook event.
 */
export function catchUpTasks(client: ClickUpClient, listId: string, sinceMs: number): Promise<Result<ClickUpTask[]>> {
  return client.listTasks(listId, { date_updated_gt: sinceMs, include_closed: true, subtasks: true, order_by: 'updated' });
}
