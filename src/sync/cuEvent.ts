import type { SyncContext } from './context.ts';
import type { TypedJobHandler } from './flowModule.ts';
import type { CuEvent } from './engineJobs.ts';
import { getLinkByTask } from '../store/ops/links.ts';
import type { CuEntityRoute } from './cuEntityRoute.ts';
import { ourListIds } from '../flows/shared/ourLists.ts';
import { decidePlacement, listOfDelivery } from '../flows/shared/taskPlacement.ts';
import { setLinkList } from '../store/ops/links.ts';
import { appendAudit } from '../store/ops/audit.ts';
import { personOf } from '../flows/shared/partnerGuard.ts';
import { outcomeFromRemote } from './outcome.ts';

/**
 * Waits (in ms, by attempt) for the link of a task in one of our lists. A person may change a task in the
 * moments between ClickUp creating it and the bridge committing its link, or while a crashed instance's
 * creation is retried; those changes (a file, a comment) would otherwise be lost. About two minutes in all.
 */
export const UNLINKED_RETRY_MS = [2_000, 4_000, 8_000, 16_000, 32_000, 60_000];

/**
 * `cu.event` jobs: one ClickUp webhook delivery. Only tasks we linked matter: a task that is not linked
 * (or no longer matches) is ignored, never treated as a deletion. The link's entity picks the flow.
 */
export function cuEventHandler(
  ctx: SyncContext,
  routes: Readonly<Record<string, CuEntityRoute>>,
): TypedJobHandler<CuEvent> {
  const lists = ourListIds(ctx.config);
  return async ({ payload: raw, attempt }) => {
    if (!raw.task_id) return { status: 'done' };
    // A new task's taskCreated and the taskStatusUpdated ClickUp sends with it describe its creation, not a
    // change a person made: they never become a partner status (and are not waited for while the bridge's
    // own creation commits its link).
    const items = raw.history_items ?? [];
    const changes = items.filter((i) => !isCreationItem(i));
    if (items.length > 0 && changes.length === 0) return { status: 'done' };
    const ev: CuEvent = changes.length === items.length ? raw : { ...raw, history_items: changes };
    const link = await getLinkByTask(ctx.store.db, raw.task_id);
    if (!link) {
      const inOurList = (ev.history_items ?? []).some((i) =>
        lists.has(String((i as { parent_id?: unknown }).parent_id ?? '')),
      );
      const wait = UNLINKED_RETRY_MS[attempt - 1];
      // Tasks elsewhere in the workspace (the webhook is team-wide) are dropped at once.
      if (!inOurList || wait === undefined || attempt >= ctx.config.dispatcher.max_attempts) return { status: 'done' };
      return {
        status: 'retry',
        error: `task ${ev.task_id} in one of our lists has no link yet (its creation may still be committing)`,
        retryAfterMs: wait,
      };
    }
    const route = routes[link.entity];
    if (!route) {
      ctx.logger.debug({ entity: link.entity, event: ev.event }, 'no flow for ClickUp changes of this entity');
      return { status: 'done' };
    }
    // A task moved out of our lists pauses: nothing it does reaches the partner until it is moved back.
    const nowList = listOfDelivery(ev.history_items ?? []);
    const placement = decidePlacement(link.cuListId, nowList, lists);
    if (placement === 'same') return route(ctx, ev, link);
    if (nowList && nowList !== link.cuListId) {
      const action =
        placement === 'moved_out' ? 'task_moved_out' : placement === 'moved_back' ? 'task_moved_back' : 'task_moved';
      await ctx.store.db.transaction().execute(async (trx) => {
        if (!(await setLinkList(trx, link.cuTaskId, nowList))) return;
        await appendAudit(
          trx,
          {
            actor: personOf(ev.history_items) ?? 'clickup',
            entity: link.entity,
            entityId: link.entityId,
            action,
            before: { listId: link.cuListId },
            after: {
              listId: nowList,
              cuTaskId: link.cuTaskId,
              ...(placement === 'moved_out'
                ? { syncing: 'paused: nothing reaches the partner until the task is moved back' }
                : {}),
            },
          },
          ctx.now(),
        );
      });
      if (placement === 'moved_out')
        ctx.logger.warn(
          { entity: link.entity, id: link.entityId, task: link.cuTaskId, list: nowList },
          `${link.entity} ${link.entityId}: its task was moved out of our lists; syncing paused until it is moved back`,
        );
    }
    if (placement === 'moved_out' || placement === 'paused') return { status: 'done' };
    const moved = { ...link, cuListId: nowList ?? link.cuListId };
    if (placement === 'moved_within') return route(ctx, ev, moved);
    // Moved back: what the task says now goes through the flow, as a status change by the person who moved it.
    const t = await ctx.clickup.getTask(link.cuTaskId);
    if (!t.ok) return outcomeFromRemote(t.error, `reading task ${link.cuTaskId} moved back into our lists`);
    const by = (ev.history_items ?? []).find((i) => i.user)?.user;
    const item = {
      id: `moved_back:${link.cuTaskId}:${ctx.now()}`,
      field: 'status',
      date: String(ctx.now()),
      parent_id: nowList,
      user: by,
      after: { status: t.value.status.status },
    };
    const others = (ev.history_items ?? []).filter((i) => i.field !== 'section_moved');
    return route(ctx, { ...ev, history_items: [...others, item] as never }, moved);
  };
}

/**
 * A history item that records a task's creation: `task_creation`, or a status item whose `before` is the
 * "removed" placeholder `{status: null, type: "removed", orderindex: -1}` that ClickUp sends for a new task
 * (https://developer.clickup.com/docs/webhooktaskpayloads, "taskCreated payload").
 */
export function isCreationItem(item: { field?: string; before?: unknown }): boolean {
  if (item.field === 'task_creation') return true;
  if (item.field !== 'status') return false;
  const b = item.before as { status?: unknown; type?: unknown } | null | undefined;
  return b !== null && typeof b === 'object' && (b.type === 'removed' || b.status === null);
}
