import type { FlowModule } from '../../sync/flowModule.ts';
import { untypedJob } from '../../sync/untypedJob.ts';
import {
  approvalCuRoute, approvalsSweepHandler, approvalsTgRoute, attachRequestDocumentHandler, closeApprovalTaskHandler, createApprovalTaskHandler, postCommentAfterDecisionHandler, postDecisionHandler,
} from './handlers/approvals.ts';

/** Flow 6: a partner's request decided in a ClickUp task. */
export const approvalsFlow: FlowModule = {
  id: '06-approvals',
  title: 'Approvals',
  enabled: () => true,
  jobs: {
    'approval.create_task': untypedJob(createApprovalTaskHandler),
    'approval.post_decision': untypedJob(postDecisionHandler),
    'approval.post_comment': untypedJob(postCommentAfterDecisionHandler),
    'approval.close_task': untypedJob(closeApprovalTaskHandler),
    'approval.attach_document': untypedJob(attachRequestDocumentHandler),
    'approvals.sweep': untypedJob(approvalsSweepHandler),
  },
  // First of all routes (as before the flow modules: approvals, onboarding, rollouts, then the case flows).
  tgRoutes: [{ name: 'approvals', order: 10, route: approvalsTgRoute }],
  cuRoutes: { approval: approvalCuRoute },
  schedules: (scheduler, ctx) => {
    const a = ctx.config.flows?.approvals;
    if (a) scheduler.add({ kind: 'approvals.sweep', cron: a.sweep_cron });
  },
};
