import type { SyncContext } from '../context.ts';
import type { JobHandler } from '../dispatcher.ts';
import type { TgEventRoute } from './tgEvent.ts';
import type { CuEntityRoute } from './cuEvent.ts';
import { onboardingCuRoute, onboardingTgRoute, setOnboardingPartnerStatusHandler } from './onboarding.ts';
import { openGateHandler, publishRolloutHandler, reblockHandler, remindRolloutsHandler, rolloutCuRoute, rolloutTgRoute, scanRolloutsHandler, startRolloutHandler, syncAcksHandler } from './rollout.ts';
import { buildGroupHandler, finishGroupHandler } from './taskGroup.ts';
import { approvalCuRoute, approvalsSweepHandler, approvalsTgRoute, attachRequestDocumentHandler, closeApprovalTaskHandler, createApprovalTaskHandler, postCommentAfterDecisionHandler, postDecisionHandler } from './approvals.ts';

/** Flows 4, 6 and 8 plug into the engine here: their Trading Grid routes, ClickUp entity routes and job kinds. */
export function groupFlowTgRoutes(): TgEventRoute[] {
  return [approvalsTgRoute, onboardingTgRoute, rolloutTgRoute];
}

export function groupFlowCuRoutes(): Record<string, CuEntityRoute> {
  return { approval: approvalCuRoute, onboarding: onboardingCuRoute, rollout: rolloutCuRoute };
}

export function groupFlowHandlers(ctx: SyncContext): Array<[string, JobHandler]> {
  return [
    ['approval.create_task', createApprovalTaskHandler(ctx)],
    ['approval.post_decision', postDecisionHandler(ctx)],
    ['approval.post_comment', postCommentAfterDecisionHandler(ctx)],
    ['approval.close_task', closeApprovalTaskHandler(ctx)],
    ['approval.attach_document', attachRequestDocumentHandler(ctx)],
    ['approvals.sweep', approvalsSweepHandler(ctx)],
    ['group.build', buildGroupHandler(ctx)],
    ['group.finish', finishGroupHandler(ctx)],
    ['onboarding.set_partner_status', setOnboardingPartnerStatusHandler(ctx)],
    ['rollouts.scan', scanRolloutsHandler(ctx)],
    ['rollout.start', startRolloutHandler(ctx)],
    ['rollout.publish', publishRolloutHandler(ctx)],
    ['rollout.sync_acks', syncAcksHandler(ctx)],
    ['rollout.open_gate', openGateHandler(ctx)],
    ['rollout.reblock', reblockHandler(ctx)],
    ['rollouts.remind', remindRolloutsHandler(ctx)],
  ];
}
