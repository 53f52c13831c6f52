import type { SyncContext } from '../context.ts';
import type { JobHandler, JobOutcome } from '../dispatcher.ts';
import type { ClickUpWebhookEvent } from '../../connectors/clickup/types.ts';
import { getLinkByTask, type Link } from '../../store/ops/links.ts';

/** Handles a ClickUp webhook for a task linked to one kind of entity (case, request, rollout, onboarding…). */
export type CuEntityRoute = (ctx: SyncContext, ev: ClickUpWebhookEvent, link: Link) => Promise<JobOutcome>;

/**
 * `cu.event` jobs: one ClickUp webhook delivery. Only tasks we linked matter: a task that is not linked
 * (or no longer matches) is ignored, never treated as a deletion. The link's entity picks the flow.
 */
export function cuEventHandler(ctx: SyncContext, routes: Readonly<Record<string, CuEntityRoute>>): JobHandler {
  return async ({ payload }) => {
    const ev = payload as ClickUpWebhookEvent;
    if (!ev.task_id) return { status: 'done' };
    const link = await getLinkByTask(ctx.store.db, ev.task_id);
    if (!link) return { status: 'done' };
    const route = routes[link.entity];
    if (!route) {
      ctx.logger.debug({ entity: link.entity, event: ev.event }, 'no flow for ClickUp changes of this entity');
      return { status: 'done' };
    }
    return route(ctx, ev, link);
  };
}
