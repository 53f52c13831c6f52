import type { SyncContext } from './context.ts';
import type { JobHandler } from './dispatcher.ts';
import { catchUpTasks, ensureWebhook, type WebhookSpec } from '../connectors/clickup/webhookRegistration.ts';
import { recordInboundEvent } from '../store/ops/recordInboundEvent.ts';
import { hasInboundEvent } from '../store/ops/hasInboundEvent.ts';
import { getLinkByTask, markTaskSeen } from '../store/ops/links.ts';
import * as cursors from '../store/ops/cursors.ts';
import { outcomeFromRemote } from './outcome.ts';
import type { Store } from '../store/db.ts';
import { ourListIds } from '../flows/shared/ourLists.ts';
import { newEngineJob } from './engineJobs.ts';
import type { z } from 'zod';
import type { webhookHistoryItemSchema } from '../connectors/clickup/types.ts';

/**
 * The events the bridge reads, team-wide, filtered afterwards by its links:
 * - `taskStatusUpdated`: a status moved by a person → partner status (flow 2), an approval decided by
 *   status, onboarding and rollout progress;
 * - `taskCommentPosted`: a partner-flagged comment → a comment on the case (flow 3);
 * - `taskUpdated`: custom-field changes (an approval's decision field, rollout fields) and new files: ClickUp
 *   has no attachment event, a file added to a task comes as a `taskUpdated` (see docs/CLICKUP.md).
 * - `taskDeleted`: a linked task deleted by a person (`sync.on_task_deleted`: leave the case unlinked or
 *   make a new task).
 * - `taskMoved`: a linked task moved out of our lists pauses its syncing (nothing reaches the partner);
 *   moved back, it resumes.
 * - `taskPriorityUpdated`, `taskDueDateUpdated`: a person's change of a case task's priority or due date is
 *   remembered, so a later partner edit (which may move both, the due date when the case is reclassified)
 *   does not overwrite a newer one (flow 2's field edits).
 * Subscribing to these and not `*` keeps list, folder, space and goal traffic away from the route. ClickUp
 * may list more (a re-enable sends `*`): any superset is kept as it is.
 */
export const CLICKUP_WEBHOOK_EVENTS = [
  'taskStatusUpdated',
  'taskUpdated',
  'taskCommentPosted',
  'taskDeleted',
  'taskMoved',
  'taskPriorityUpdated',
  'taskDueDateUpdated',
];

/** The registered webhook's secret (read per request by the route; a new one only if the webhook had to be created anew). */
export interface ClickUpWebhookState {
  secret: string | null;
  id: string | null;
  endpoint: string | null;
  lastHealth: string | null;
  /**
   * Signed ClickUp deliveries this process could not accept (the store failed under the route): each is a
   * delivery ClickUp counts as failed, and a later success resets its fail_count before the minute's check
   * can see it, so the route's own count is a second witness of a possible loss. Process-local.
   */
  failedAnswers?: number;
  /** failedAnswers as of the last check that read tasks in full. */
  failedAnswersSeen?: number;
  /** Keeps a newly returned secret sealed in the store, so it survives a restart without being kept in clear; absent when no key is configured. */
  persist?: (secret: string) => Promise<void>;
}

const CURSOR = 'clickup.catch_up';
const CATCH_UP_OVERLAP_MS = 120_000;
/** What the last check saw of the webhook's health, so the next can tell whether deliveries were lost since. */
const HEALTH_MEMO = 'clickup.catch_up.health';
/**
 * A check this long after the previous one means nobody checked for a while (our own downtime, no leader):
 * deliveries may have failed unseen, and a fail_count reset by a later success would hide them.
 */
export const CHECK_GAP_MS = 5 * 60_000;
/**
 * ClickUp drops an event after five tries at undocumented intervals, so the change behind a drop can be older
 * than the last check: when the health shows a loss, the full reads look back this far.
 */
export const LOSS_LOOKBACK_MS = 30 * 60_000;

export interface HealthMemo {
  webhookId: string;
  failCount: number;
  status: string;
  /** When this memo was written by a check (or by start-up). */
  at: number;
  /** Start-up or a new leader asks the next check to read in full: deliveries may have failed while we were down. */
  fullDue: boolean;
  /**
   * Why a check that had to read in full did not finish (a list read failed, the process died): the next check
   * reads in full for that reason, since the health that showed the loss may be healthy again by then.
   */
  due?: FullReadReason;
}

/** Why a check reads changed case tasks in full, or null when the webhook's health says nothing was lost. */
export type FullReadReason =
  | 'first check'
  | 'restart'
  | 'webhook recreated'
  | 'webhook re-enabled'
  | 'webhook widened'
  | 'webhook not active'
  | 'fail_count rose'
  | 'check gap'
  | 'our answers failed'
  | 'unread task';

export function fullReadReason(
  memo: HealthMemo | null,
  w: { id: string; action: string; status: string; failCount: number },
  now: number,
  failedAnswersSince: number,
): FullReadReason | null {
  if (!memo) return 'first check';
  if (w.action === 'create' || memo.webhookId !== w.id) return 'webhook recreated';
  if (w.action === 'reenable') return 'webhook re-enabled';
  if (w.action === 'widen') return 'webhook widened';
  if (w.status !== 'active') return 'webhook not active';
  // Per https://developer.clickup.com/docs/webhookhealth fail_count grows by one per event dropped after five
  // tries and resets on the next success: any count other than the one we saw means an event was dropped.
  if (w.failCount > 0 && w.failCount !== memo.failCount) return 'fail_count rose';
  if (memo.fullDue) return memo.due ?? 'restart';
  if (now - memo.at > CHECK_GAP_MS) return 'check gap';
  if (failedAnswersSince > 0) return 'our answers failed';
  return null;
}

/** The saved memo as stored (`raw`, what a guarded save compares against) and as read (null when unreadable). */
async function readMemo(store: Store): Promise<{ raw: string | null; memo: HealthMemo | null }> {
  const raw = await cursors.readCursor(store.db, HEALTH_MEMO);
  return { raw, memo: parseMemo(raw) };
}

function parseMemo(raw: string | null): HealthMemo | null {
  if (raw === null) return null;
  try {
    const m = JSON.parse(raw) as HealthMemo;
    return typeof m.webhookId === 'string' && typeof m.at === 'number' ? m : null;
  } catch {
    return null; // unreadable: treated as no memo, so the next check reads in full
  }
}

/**
 * The memo to save when another writer saved `theirs` after this check last read or wrote the memo: a read in
 * full they left owed (a start-up or new leader, another instance's check that failed half-way) stays owed,
 * with their reason first. It may be a read another instance is doing right now: one read too many, never one
 * too few.
 */
export function mergeMemo(theirs: HealthMemo | null, ours: HealthMemo): HealthMemo {
  if (!theirs?.fullDue) return ours;
  const due = theirs.due ?? ours.due;
  return { ...ours, fullDue: true, ...(due ? { due } : {}) };
}

/**
 * Save `memo` over `expected` (the memo as this check last read or wrote it) in one guarded statement; when
 * another writer saved in between, merge with theirs (`mergeMemo`) and save over that instead. A blind write
 * here lost the read in full a start-up or another instance saved owed while this check was reading. Returns
 * the memo as saved, for the check's next save.
 */
async function saveMemo(store: Store, expected: string | null, memo: HealthMemo, now: number): Promise<string> {
  const value = JSON.stringify(memo);
  const saved = await cursors.saveCursorOver(
    store.db,
    HEALTH_MEMO,
    expected,
    value,
    (theirs) => JSON.stringify(mergeMemo(parseMemo(theirs), memo)),
    now,
  );
  return saved ?? value;
}

export function webhookSpec(ctx: SyncContext, endpoint: string): WebhookSpec {
  return { teamId: ctx.config.clickup.team_id, endpoint, events: CLICKUP_WEBHOOK_EVENTS };
}

/**
 * Move the catch-up cursor to `value` over `expected` (the cursor as this check read it) in one guarded
 * statement; when another writer moved it in between, keep the earlier of theirs and ours and save that over
 * theirs. A blind write here let a check that began first (and so never read a task changed meanwhile) move the
 * cursor past a change another instance's check had held it back to, as it could not read that task: the task's
 * files were then never read. At worst a window read twice, never a change skipped.
 */
async function saveCursor(store: Store, expected: string | null, value: number, now: number): Promise<void> {
  await cursors.saveCursorOver(
    store.db,
    CURSOR,
    expected,
    String(value),
    (seen) => {
      const theirs = seen === null ? NaN : Number(seen);
      return String(Number.isFinite(theirs) ? Math.min(theirs, value) : value);
    },
    now,
  );
}

/**
 * Register (or reuse, re-enable, widen) our webhook, keep its secret, and poll tasks changed since the last
 * check, feeding their statuses through the normal event path (one list call per list; repeats dedupe, echoes
 * cost nothing). Case tasks are read in full (for files added meanwhile: ClickUp's list does not carry
 * attachments) only when deliveries may have been lost since the last check: the webhook's health shows a
 * dropped event, it was recreated or re-enabled, we restarted, or nobody checked for a while. With healthy
 * deliveries a person's change costs no read here: its webhook event already brought it.
 */
export async function ensureClickUpWebhook(
  ctx: SyncContext,
  state: ClickUpWebhookState,
  onAccepted: () => void,
  opts: { catchUp?: boolean } = {},
): Promise<
  | { action: string; caughtUp: number; fullRead?: FullReadReason | null; tasksRead?: number }
  | { error: string; retryable: boolean }
> {
  if (!state.endpoint) return { action: 'none', caughtUp: 0 };
  const r = await ensureWebhook(ctx.clickup, webhookSpec(ctx, state.endpoint));
  if (!r.ok) return { error: r.error.detail, retryable: r.error.retryable };
  if (r.value.secret && r.value.secret !== state.secret) await state.persist?.(r.value.secret);
  state.secret = r.value.secret;
  state.id = r.value.webhook.id;
  state.lastHealth = r.value.webhook.health?.status ?? 'active';
  const health = {
    id: r.value.webhook.id,
    action: r.value.action,
    status: r.value.webhook.health?.status ?? 'active',
    failCount: Number(r.value.webhook.health?.fail_count ?? 0),
  };
  const now = ctx.now();
  const sinceRaw = await cursors.readCursor(ctx.store.db, CURSOR);
  const since = sinceRaw === null ? null : Number(sinceRaw);
  const { raw: memoRaw, memo } = await readMemo(ctx.store);
  // Start-up and a new leader only register (and start the cursor on a first start): the catch-up,
  // which may read many tasks, runs as a queued health check, and reads in full since we may have been
  // down (ClickUp's failed deliveries then reset on the first success after we are back).
  if (opts.catchUp === false) {
    // Created only if absent, in one statement: a cursor another instance saved meanwhile is left as it is.
    if (since === null) await cursors.initCursor(ctx.store.db, CURSOR, String(now), now);
    await saveMemo(
      ctx.store,
      memoRaw,
      { webhookId: health.id, failCount: health.failCount, status: health.status, at: memo?.at ?? now, fullDue: true },
      now,
    );
    return { action: r.value.action, caughtUp: 0 };
  }
  const failedAnswers = state.failedAnswers ?? 0;
  const reason = fullReadReason(memo, health, now, failedAnswers - (state.failedAnswersSeen ?? 0));
  // The memo as this check last read or wrote it: its final save changes it only if nobody else did meanwhile.
  let memoSaved = memoRaw;
  // What showed the loss (a dropped event's fail_count, a suspended webhook this check re-enabled) is gone once
  // ClickUp's next success resets it: the obligation to read in full is kept before reading, so a check that
  // fails half-way or dies leaves it to the next one.
  if (reason !== null && !(memo?.fullDue && (memo.due ?? 'restart') === reason))
    memoSaved = await saveMemo(
      ctx.store,
      memoSaved,
      {
        webhookId: health.id,
        failCount: health.failCount,
        status: health.status,
        at: memo?.at ?? now,
        fullDue: true,
        due: reason,
      },
      now,
    );
  let caughtUp = 0;
  let tasksRead = 0;
  // The next window starts no later than the oldest change whose task could not be read.
  let unreadFrom: number | null = null;
  if (since !== null) {
    // A dropped event's change can predate the last check by ClickUp's retry span: look further back.
    const lossShown =
      reason === 'fail_count rose' ||
      reason === 'webhook not active' ||
      reason === 'webhook re-enabled' ||
      reason === 'our answers failed';
    const from = Math.min(since - CATCH_UP_OVERLAP_MS, lossShown ? now - LOSS_LOOKBACK_MS : Infinity);
    // Every list we link tasks in: cases, and the approval, onboarding and rollout lists.
    for (const listId of ourListIds(ctx.config)) {
      const tasks = await catchUpTasks(ctx.clickup, listId, from);
      if (!tasks.ok) return { error: tasks.error.detail, retryable: tasks.error.retryable };
      for (const t of tasks.value) {
        const link = await getLinkByTask(ctx.store.db, t.id);
        if (!link) continue;
        const at = Number(t.date_updated ?? now);
        const statusEventId = `catchup:${t.id}:${at}`;
        const fed = await hasInboundEvent(ctx.store.db, 'clickup', statusEventId);
        // A case task is read for its files once per change no full read has covered yet (task creation,
        // which knows the whole task, also moves the mark).
        const readFiles = reason !== null && link.entity === 'case' && (link.seenAt == null || link.seenAt < at);
        // Already fed by an earlier check and no files to look for: nothing to do.
        if (fed && !readFiles) continue;
        // parent_id: the list the task is in now, so a task moved back while the taskMoved delivery was lost resumes.
        const items: Array<z.input<typeof webhookHistoryItemSchema>> = fed
          ? []
          : [
              {
                id: statusEventId,
                field: 'status',
                date: String(at),
                parent_id: listId,
                after: { status: t.status.status },
              },
            ];
        if (readFiles) {
          // Files added while deliveries were lost: the task's attachments, fed as attachment items (known
          // ones, ours included, cost nothing).
          const full = await ctx.clickup.getTask(t.id);
          tasksRead++;
          if (!full.ok) {
            // One unreadable task does not stop the others; the next check reads again from its change
            // (status and files together, as one event).
            unreadFrom = Math.min(unreadFrom ?? at, at);
            continue;
          }
          for (const a of (
            full.value as {
              attachments?: Array<{
                id?: string;
                title?: string;
                url?: string;
                mimetype?: string;
                date?: string | number;
              }>;
            }
          ).attachments ?? []) {
            if (a.id && a.url)
              items.push({
                id: `catchup:attachment:${a.id}`,
                field: 'attachments',
                date: String(a.date ?? at),
                after: { id: a.id, title: a.title, url: a.url, mimetype: a.mimetype },
              });
          }
        }
        if (items.length > 0) {
          const eventId = fed ? `${statusEventId}:files` : statusEventId;
          const payload = { event: 'taskUpdated', webhook_id: 'catch-up', task_id: t.id, history_items: items };
          const { duplicate } = await recordInboundEvent(
            ctx.store.db,
            { source: 'clickup', eventId, type: 'taskUpdated', payload },
            newEngineJob('cu.event', payload, { key: `cu.event:${eventId}`, queueKey: `case:${link.entityId}` }),
            now,
          );
          if (!duplicate) caughtUp++;
        }
        if (readFiles) await markTaskSeen(ctx.store.db, t.id, at);
      }
    }
    if (caughtUp > 0) onAccepted();
  }
  // The next read starts at cursor - overlap and takes changes strictly after it (date_updated_gt), so
  // a cursor 1 ms before the unread change, plus the overlap, reads that change again.
  // Guarded (saveCursor): a cursor another instance's check held back meanwhile is not moved past.
  await saveCursor(
    ctx.store,
    sinceRaw,
    unreadFrom === null ? now : Math.min(now, unreadFrom - 1 + CATCH_UP_OVERLAP_MS),
    now,
  );
  // A task that could not be read keeps the next check reading in full, or its files would be missed. A read
  // in full owed by a start-up or another instance while this check was reading stays owed (saveMemo).
  await saveMemo(
    ctx.store,
    memoSaved,
    { webhookId: health.id, failCount: health.failCount, status: health.status, at: now, fullDue: unreadFrom !== null },
    now,
  );
  if (reason !== null) state.failedAnswersSeen = failedAnswers;
  if (r.value.action !== 'reuse' || caughtUp > 0 || tasksRead > 0)
    ctx.logger.info(
      { action: r.value.action, caughtUp, tasksRead, fullRead: reason, removedDuplicates: r.value.removedDuplicates },
      'ClickUp webhook checked',
    );
  return { action: r.value.action, caughtUp, fullRead: reason, tasksRead };
}

/** `clickup.webhook_health` (scheduled): the same check on a timer, so a failing webhook is noticed and healed. */
export function webhookHealthHandler(ctx: SyncContext, state: ClickUpWebhookState, onAccepted: () => void): JobHandler {
  // The bridge's handler of the kind parses the job's payload before calling this (with or without registration).
  return async () => {
    const r = await ensureClickUpWebhook(ctx, state, onAccepted);
    if ('error' in r)
      return outcomeFromRemote(
        { code: 'webhook_check', retryable: r.retryable, detail: r.error },
        'checking the ClickUp webhook',
      );
    return { status: 'done' };
  };
}
