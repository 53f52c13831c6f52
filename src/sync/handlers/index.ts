import type { SyncContext } from '../context.ts';
import type { JobHandler } from '../dispatcher.ts';
import { tgEventHandler } from './tgEvent.ts';
import { createTaskHandler } from './createTask.ts';
import { uploadDocumentHandler } from './uploadDocument.ts';
import { reintakeHandler } from './caseIntake.ts';
import { cuEventHandler, type CuEntityRoute } from './cuEvent.ts';
import type { TgEventRoute } from './tgEvent.ts';
import { mailboxHandlers } from './mailboxHandlers.ts';
import { groupFlowCuRoutes, groupFlowHandlers, groupFlowTgRoutes } from './groupFlows.ts';
import { caseClickUpRoute } from './caseSync.ts';
import { addClickUpCommentHandler, addPartnerCommentHandler, setClickUpStatusHandler, setPartnerStatusHandler, uploadToTradingGridHandler } from './caseEffects.ts';
import { slaHandlers } from './sla.ts';
import { partnerDigestHandler, partnerEmailHandler } from '../partnerChannel/sendHandlers.ts';
import { partnerActionHandler } from '../partnerChannel/actionHandlers.ts';

/** Job kind → handler. Kinds are stored in the jobs table, so renaming one needs a migration. */
export function buildHandlers(ctx: SyncContext): Map<string, JobHandler> {
  // Trading Grid events other flows take before the case flow sees them (first route that answers wins).
  const tgRoutes: TgEventRoute[] = [...groupFlowTgRoutes()];
  // ClickUp changes by the entity the task is linked to.
  const cuRoutes: Record<string, CuEntityRoute> = { case: caseClickUpRoute, ...groupFlowCuRoutes() };
  return new Map<string, JobHandler>([
    ['tg.event', tgEventHandler(ctx, tgRoutes)],
    ['cu.event', cuEventHandler(ctx, cuRoutes)],
    ['clickup.create_task', createTaskHandler(ctx)],
    ['clickup.upload_document', uploadDocumentHandler(ctx)],
    ['case.reintake', reintakeHandler(ctx) as JobHandler],
    ...mailboxHandlers(ctx),
    ...groupFlowHandlers(ctx),
    ['tradinggrid.set_status', setPartnerStatusHandler(ctx)],
    ['clickup.set_status', setClickUpStatusHandler(ctx)],
    ['tradinggrid.add_comment', addPartnerCommentHandler(ctx)],
    ['clickup.add_comment', addClickUpCommentHandler(ctx)],
    ['tradinggrid.upload_document', uploadToTradingGridHandler(ctx)],
    ...slaHandlers(ctx),
    ['partner.email', partnerEmailHandler(ctx)],
    ['partner.digest', partnerDigestHandler(ctx)],
    ['partner.action', partnerActionHandler(ctx)],
  ]);
}
