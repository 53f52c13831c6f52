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

/**
 * What ensureWebhook did: reused a healthy one, re-enabled an unhealthy one, widened one that missed some of
 * our events (both by PUT, keeping its id and secret), or created one. A webhook is never deleted and
 * created again: that would change its secret and lose the events sent in between.
 */
export type WebhookAction = 'reuse' | 'reenable' | 'widen' | 'create';

export interface EnsuredWebhook {
  webhook: ClickUpWebhook;
  /** Key for X-Signature; the same for as long as the webhook lives. */
  secret: string;
  action: WebhookAction;
  /** Deliveries may have been missed (it was failing or suspended): poll to catch up. */
  needsCatchUp: boolean;
  /** Extra webhooks for the same endpoint that were deleted (each would have doubled every event). */
  removedDuplicates: string[];
}

/**
 * Does the webhook deliver every event we need? ClickUp answers a webhook created with `*` with the
 * whole list of event names (the Get Webhooks example in its OpenAPI document), so equality with what we
 * sent is the wrong test: any superset serves us, and `*` itself is accepted should it ever be shown.
 */
export function coversEvents(have: readonly string[], want: readonly string[]): boolean {
  if (have.includes('*')) return true;
  const needed = want.includes('*') ? CLICKUP_WEBHOOK_EVENT_NAMES : want;
  return needed.every((e) => have.includes(e));
}

/** Every event name ClickUp documents for webhooks (Create Webhook in its OpenAPI document); `*` means all of them. */
export const CLICKUP_WEBHOOK_EVENT_NAMES: readonly string[] = [
  'taskCreated',
  'taskUpdated',
  'taskDeleted',
  'taskPriorityUpdated',
  'taskStatusUpdated',
  'taskAssigneeUpdated',
  'taskDueDateUpdated',
  'taskTagUpdated',
  'taskMoved',
  'taskCommentPosted',
  'taskCommentUpdated',
  'taskTimeEstimateUpdated',
  'taskTimeTrackedUpdated',
  'listCreated',
  'listUpdated',
  'listDeleted',
  'folderCreated',
  'folderUpdated',
  'folderDeleted',
  'spaceCreated',
  'spaceUpdated',
  'spaceDeleted',
  'goalCreated',
  'goalUpdated',
  'goalDeleted',
  'keyResultCreated',
  'keyResultUpdated',
  'keyResultDeleted',
];

/** Does this registered webhook serve our endpoint and scope? */
export function webhookMatches(w: ClickUpWebhook, spec: WebhookSpec): boolean {
  return w.endpoint === spec.endpoint && (spec.listId === undefined || String(w.list_id ?? '') === spec.listId);
}

/**
 * Pure decision for the webhook serving our endpoint (or none). A healthy one delivering at least our
 * events is reused as it is; an unhealthy one is re-enabled and one missing events is widened, both by
 * PUT with `events: "*"` (the only form the OpenAPI document types for Update Webhook; a superset is
 * harmless because the route stores and ignores events it does not use).
 */
export function decideWebhookAction(existing: ClickUpWebhook | undefined, spec: WebhookSpec): WebhookAction {
  if (!existing) return 'create';
  if (!coversEvents(existing.events, spec.events)) return 'widen';
  return existing.health.status === 'active' ? 'reuse' : 'reenable';
}

/**
 * Registers our webhook idempotently: lists the team's webhooks first, reuses a matching healthy one,
 * removes duplicates, re-enables or widens one in place. Safe to call at every start-up and from a
 * periodic health check: a healthy webhook costs one GET and nothing else.
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
  let webhook: ClickUpWebhook;
  switch (action) {
    case 'reuse':
      webhook = keep!;
      break;
    case 'reenable':
    case 'widen': {
      const r = await client.updateWebhook(keep!.id, { endpoint: spec.endpoint, events: '*', status: 'active' });
      if (!r.ok) return r;
      webhook = { ...r.value, secret: r.value.secret ?? keep!.secret };
      break;
    }
    case 'create': {
      const body = {
        endpoint: spec.endpoint,
        events: spec.events,
        ...(spec.listId ? { list_id: Number(spec.listId) } : {}),
      };
      const r = await client.createWebhook(spec.teamId, body);
      if (!r.ok) return r;
      webhook = r.value;
      break;
    }
  }
  if (!webhook.secret) {
    return err({
      code: 'clickup:webhook_secret_missing',
      retryable: false,
      detail: `ensureWebhook: ClickUp did not return the secret of webhook ${webhook.id}`,
    } satisfies RemoteError);
  }
  return ok({ webhook, secret: webhook.secret, action, needsCatchUp: wasUnhealthy, removedDuplicates });
}

function score(w: ClickUpWebhook, spec: WebhookSpec): number {
  return (w.health.status === 'active' ? 2 : 0) + (coversEvents(w.events, spec.events) ? 1 : 0);
}

/** Health of our webhook as ClickUp reports it, or undefined if it is gone. */
export async function webhookHealth(
  client: ClickUpClient,
  spec: WebhookSpec,
): Promise<Result<(ClickUpWebhook['health'] & { id: string }) | undefined>> {
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
  return client.listTasks(listId, {
    date_updated_gt: sinceMs,
    include_closed: true,
    subtasks: true,
    order_by: 'updated',
  });
}
