import type { SyncContext } from '../context.ts';
import type { JobHandler, JobOutcome } from '../dispatcher.ts';
import type { ClickUpWebhookEvent } from '../../connectors/clickup/types.ts';
import { getLinkByTask, type Link } from '../../store/ops/links.ts';
import { ourListIds } from '../ourLists.ts';

/**
 * Waits (in ms, by attempt) for the link of a task in one of our lists. A person may change a task in the
 * moments between ClickUp creating it and the bridge committing its link, or while a crashed instance's
 * creation is retried; those changes (a file, a comment) would otherwise be lost. About two minutes in all.
 */
export const UNLINKED_RETRY_MS = [2_000, 4_000, 8_000, 16_000, 32_000, 60_000];

/** Handles a ClickUp webhook for a task linked to one kind of entity (case, request, rollout, onboarding…). */
export type CuEntityRoute = (ctx: SyncContext, ev: ClickUpWebhookEvent, link: Link) => Promise<JobOutcome>;

/**
 * `cu.event` jobs: one ClickUp webhook delivery. Only tasks we linked matter: a task that is not linked
 * (or no longer matches) is ignored, never treated as a deletion. The link's entity picks the flow.
 */
export function cuEventHandler(ctx: SyncContext, routes: Readonly<Record<string, CuEntityRoute>>): JobHandler {
  const lists = ourListIds(ctx.config);
  return async ({ payload, attempt }) => {
    const ev = payload as ClickUpWebhookEvent;
    if (!ev.task_id) return { status: 'done' };
    const link = await getLinkByTask(ctx.store.db, ev.task_id);
    if (!link) {
      const inOurList = (ev.history_items ?? []).some((i) => lists.has(String((i as { parent_id?: unknown }).parent_id ?? '')));
      const wait = UNLINKED_RETRY_MS[attempt - 1];
      // Tasks elsewhere in the workspace (the webhook is team-wide) are dropped at once.
      if (!inOurList || wait === undefined || attempt >= ctx.config.dispatcher.max_attempts) return { status: 'done' };
      return { status: 'retry', error: `task ${ev.task_id} in one of our lists has no link yet (its creation may still be committing)`, retryAfterMs: wait };
    }
    const route = routes[link.entity];
    if (!route) {
      ctx.logger.debug({ entity: link.entity, event: ev.event }, 'no flow for ClickUp changes of this entity');
      return { status: 'done' };
    }
    return route(ctx, ev, link);
  };
}
