import type { SyncContext } from '../context.ts';
import type { JobHandler } from '../dispatcher.ts';
import { tgEventHandler } from './tgEvent.ts';
import { createTaskHandler } from './createTask.ts';
import { uploadDocumentHandler } from './uploadDocument.ts';
import { reintakeHandler } from './caseIntake.ts';
import { cuEventHandler, type CuEntityRoute } from './cuEvent.ts';
import type { TgEventRoute } from './tgEvent.ts';

/** Job kind → handler. Kinds are stored in the jobs table, so renaming one needs a migration. */
export function buildHandlers(ctx: SyncContext): Map<string, JobHandler> {
  // Trading Grid events other flows take before the case flow sees them (first route that answers wins).
  const tgRoutes: TgEventRoute[] = [];
  // ClickUp changes by the entity the task is linked to.
  const cuRoutes: Record<string, CuEntityRoute> = {};
  return new Map<string, JobHandler>([
    ['tg.event', tgEventHandler(ctx, tgRoutes)],
    ['cu.event', cuEventHandler(ctx, cuRoutes)],
    ['clickup.create_task', createTaskHandler(ctx)],
    ['clickup.upload_document', uploadDocumentHandler(ctx)],
    ['case.reintake', reintakeHandler(ctx) as JobHandler],
  ]);
}
