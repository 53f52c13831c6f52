import type { FlowModule } from '../../sync/flowModule.ts';
import { approvalJobs } from './jobs.ts';
import {
  approvalsSweepHandler,
  attachRequestDocumentHandler,
  closeApprovalTaskHandler,
  createApprovalTaskHandler,
  postCommentAfterDecisionHandler,
  postDecisionHandler,
} from './handlers/approvals.ts';
import { approvalCuRoute, approvalsTgRoute } from './routes.ts';
import { ediRequestHandler } from './handlers/ediRequests.ts';

/** Flow 6: a partner's request decided in a ClickUp task. */
export const approvalsFlow: FlowModule = {
  id: '06-approvals',
  title: 'Approvals',
  enabled: () => true,
  jobs: {
    'approval.create_task': { schema: approvalJobs['approval.create_task'], handler: createApprovalTaskHandler },
    'approval.post_decision': { schema: approvalJobs['approval.post_decision'], handler: postDecisionHandler },
    'approval.post_comment': {
      schema: approvalJobs['approval.post_comment'],
      handler: postCommentAfterDecisionHandler,
    },
    'approval.close_task': { schema: approvalJobs['approval.close_task'], handler: closeApprovalTaskHandler },
    'approval.attach_document': {
      schema: approvalJobs['approval.attach_document'],
      handler: attachRequestDocumentHandler,
    },
    'approvals.sweep': { schema: approvalJobs['approvals.sweep'], handler: approvalsSweepHandler },
    'approval.edi_request': { schema: approvalJobs['approval.edi_request'], handler: ediRequestHandler },
  },
  // First of all routes (as before the flow modules: approvals, onboarding, rollouts, then the case flows).
  tgRoutes: [{ name: 'approvals', order: 10, route: approvalsTgRoute }],
  cuRoutes: { approval: approvalCuRoute },
  schedules: (scheduler, ctx) => {
    const a = ctx.config.flows?.approvals;
    if (a) scheduler.add({ kind: 'approvals.sweep', cron: a.sweep_cron });
  },
};
