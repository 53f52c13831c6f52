import type { SyncContext } from './context.ts';
import type { JobHandler } from './dispatcher.ts';
import { catchUpTasks, ensureWebhook, type WebhookSpec } from '../connectors/clickup/webhookRegistration.ts';
import { recordInboundEvent } from '../store/ops/recordInboundEvent.ts';
import { hasInboundEvent } from '../store/ops/hasInboundEvent.ts';
import { getLinkByTask, markTaskSeen } from '../store/ops/links.ts';
import { outcomeFromRemote } from './outcome.ts';
import type { Store } from '../store/db.ts';
import { ourListIds } from './ourLists.ts';

/**
 * The events the bridge reads, team-wide, filtered afterwards by its links:
 * - `taskStatusUpdated`: a status moved by a person → partner status (flow 2), an approval decided by
 *   status, onboarding and rollout progress;
 * - `taskCommentPosted`: a partner-flagged comment → a comment on the case (flow 3);
 * - `taskUpdated`: custom-field changes (an approval's decision field, rollout fields) and new files: ClickUp
 *   has no attachment event, a file added to a task comes as a `taskUpdated` (see docs/CLICKUP.md).
 * Subscribing to these and not `*` keeps list, folder, space and goal traffic away from the route. ClickUp
 * may list more (a re-enable sends `*`): any superset is kept as it is.
 */
export const CLICKUP_WEBHOOK_EVENTS = ['taskStatusUpdated', 'taskUpdated', 'taskCommentPosted'];

/** The registered webhook's secret (read per request by the route; a new one only if the webhook had to be created anew). */
export interface ClickUpWebhookState {
  secret: string | null;
  id: string | null;
  endpoint: string | null;
  lastHealth: string | null;
  /** Keeps a newly returned secret sealed in the store (issue #11); absent when no key is configured. */
  persist?: (secret: string) => Promise<void>;
}

const CURSOR = 'clickup.catch_up';
const CATCH_UP_OVERLAP_MS = 120_000;

export function webhookSpec(ctx: SyncContext, endpoint: string): WebhookSpec {
  return { teamId: ctx.config.clickup.team_id, endpoint, events: CLICKUP_WEBHOOK_EVENTS };
}

async function readCursor(store: Store): Promise<number | null> {
  const r = await store.db.selectFrom('cursors').select('value').where('name', '=', CURSOR).executeTakeFirst();
  return r ? Number(r.value) : null;
}

async function writeCursor(store: Store, value: number, now: number): Promise<void> {
  await store.db
    .insertInto('cursors')
    .values({ name: CURSOR, value: String(value), updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: String(value), updated_at: now }))
    .execute();
}

/**
 * Register (or reuse, re-enable, widen) our webhook, keep its secret, and poll tasks changed since
 * the last check, feeding them through the normal event path. Events already seen dedupe by id; stale
 * ones lose to the stored memory.
 */
export async function ensureClickUpWebhook(ctx: SyncContext, state: ClickUpWebhookState, onAccepted: () => void, opts: { catchUp?: boolean } = {}): Promise<{ action: string; caughtUp: number } | { error: string; retryable: boolean }> {
  if (!state.endpoint) return { action: 'none', caughtUp: 0 };
  const r = await ensureWebhook(ctx.clickup, webhookSpec(ctx, state.endpoint));
  if (!r.ok) return { error: r.error.detail, retryable: r.error.retryable };
  if (r.value.secret && r.value.secret !== state.secret) await state.persist?.(r.value.secret);
  state.secret = r.value.secret;
  state.id = r.value.webhook.id;
  state.lastHealth = r.value.webhook.health?.status ?? 'active';
  const now = ctx.now();
  const since = await readCursor(ctx.store);
  // Start-up and a new leader only register (and start the cursor on a first start): the catch-up,
  // which may read many tasks, runs as a queued health check.
  if (opts.catchUp === false) {
    if (since === null) await writeCursor(ctx.store, now, now);
    return { action: r.value.action, caughtUp: 0 };
  }
  let caughtUp = 0;
  // The next window starts no later than the oldest change whose task could not be read.
  let unreadFrom: number | null = null;
  // ClickUp gives up on a delivery after a few tries without marking the webhook failing, so a change
  // can be lost while the webhook looks healthy: every check polls what changed since the last one
  // (one list call per list), with an overlap for clock skew. Repeats dedupe; echoes cost nothing.
  if (since !== null) {
    // Every list we link tasks in: cases, and the approval, onboarding and rollout lists.
    for (const listId of ourListIds(ctx.config)) {
      const tasks = await catchUpTasks(ctx.clickup, listId, since - CATCH_UP_OVERLAP_MS);
      if (!tasks.ok) return { error: tasks.error.detail, retryable: tasks.error.retryable };
      for (const t of tasks.value) {
        const link = await getLinkByTask(ctx.store.db, t.id);
        if (!link) continue;
        const at = Number(t.date_updated ?? now);
        const eventId = `catchup:${t.id}:${at}`;
        // Already fed by an earlier check and not processed yet: no second read.
        if (await hasInboundEvent(ctx.store.db, 'clickup', eventId)) continue;
        const items: Array<Record<string, unknown>> = [{ id: eventId, field: 'status', date: String(at), after: { status: t.status.status } }];
        // The status comes with the list (no read) and is always fed. A case task is read for its files
        // once per change the catch-up has not read yet: a delivered webhook proves nothing about an
        // earlier one that was lost, so only the catch-up's own reads (and task creation, which knows
        // the whole task) move the mark.
        const readFiles = link.entity === 'case' && (link.seenAt == null || link.seenAt < at);
        if (readFiles) {
          // Files added while deliveries were lost: the task's attachments, fed as attachment items (known
          // ones, ours included, cost nothing).
          const full = await ctx.clickup.getTask(t.id);
          if (!full.ok) {
            // One unreadable task does not stop the others; the next check reads again from its change.
            unreadFrom = Math.min(unreadFrom ?? at, at);
            continue;
          }
          for (const a of ((full.value as { attachments?: Array<{ id?: string; title?: string; url?: string; mimetype?: string; date?: string | number }> }).attachments ?? [])) {
            if (a.id && a.url) items.push({ id: `catchup:attachment:${a.id}`, field: 'attachments', date: String(a.date ?? at), after: { id: a.id, title: a.title, url: a.url, mimetype: a.mimetype } });
          }
        }
        const payload = { event: 'taskUpdated', webhook_id: 'catch-up', task_id: t.id, history_items: items };
        const { duplicate } = await recordInboundEvent(ctx.store.db, { source: 'clickup', eventId, type: 'taskUpdated', payload }, { kind: 'cu.event', key: `cu.event:${eventId}`, queueKey: `case:${link.entityId}`, payload }, now);
        if (readFiles) await markTaskSeen(ctx.store.db, t.id, at);
        if (!duplicate) caughtUp++;
      }
    }
    if (caughtUp > 0) onAccepted();
  }
  // The next read starts at cursor - overlap and takes changes strictly after it (date_updated_gt), so
  // a cursor 1 ms before the unread change, plus the overlap, reads that change again.
  await writeCursor(ctx.store, unreadFrom === null ? now : Math.min(now, unreadFrom - 1 + CATCH_UP_OVERLAP_MS), now);
  if (r.value.action !== 'reuse' || caughtUp > 0) ctx.logger.info({ action: r.value.action, caughtUp, removedDuplicates: r.value.removedDuplicates }, 'ClickUp webhook checked');
  return { action: r.value.action, caughtUp };
}

/** `clickup.webhook_health` (scheduled): the same check on a timer, so a failing webhook is noticed and healed. */
export function webhookHealthHandler(ctx: SyncContext, state: ClickUpWebhookState, onAccepted: () => void): JobHandler {
  return async () => {
    const r = await ensureClickUpWebhook(ctx, state, onAccepted);
    if ('error' in r) return outcomeFromRemote({ code: 'webhook_check', retryable: r.retryable, detail: r.error }, 'checking the ClickUp webhook');
    return { status: 'done' };
  };
}
