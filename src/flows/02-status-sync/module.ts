import type { FlowModule } from '../../sync/flowModule.ts';
import {
  addClickUpCommentHandler,
  addPartnerCommentHandler,
  setClickUpStatusHandler,
  setPartnerStatusHandler,
} from './effectHandlers.ts';
import { caseClickUpRoute } from './caseClickUpRoute.ts';
import { setPartnerCaseFieldsHandler, updateCaseFieldsHandler } from './fieldEdits.ts';
import { caseCommentRoute, caseUpdatedRoute } from './routes.ts';
import { statusSyncJobs } from './jobs.ts';

/** Flow 2: status and comments of a linked case, both ways. */
export const statusSyncFlow: FlowModule = {
  id: '02-status-sync',
  title: 'Status and comment sync',
  enabled: () => true,
  jobs: {
    'tradinggrid.set_status': { schema: statusSyncJobs['tradinggrid.set_status'], handler: setPartnerStatusHandler },
    'clickup.set_status': { schema: statusSyncJobs['clickup.set_status'], handler: setClickUpStatusHandler },
    'tradinggrid.add_comment': { schema: statusSyncJobs['tradinggrid.add_comment'], handler: addPartnerCommentHandler },
    'clickup.add_comment': { schema: statusSyncJobs['clickup.add_comment'], handler: addClickUpCommentHandler },
    'clickup.update_case_fields': {
      schema: statusSyncJobs['clickup.update_case_fields'],
      handler: updateCaseFieldsHandler,
    },
    'tradinggrid.set_case_fields': {
      schema: statusSyncJobs['tradinggrid.set_case_fields'],
      handler: setPartnerCaseFieldsHandler,
    },
  },
  tgRoutes: [
    { name: 'case.updated', order: 110, route: caseUpdatedRoute },
    { name: 'case.comment_added', order: 120, route: caseCommentRoute },
  ],
  // One route for a case task's changes: statuses and comments (flow 2) and the files a person attaches (flow 3).
  cuRoutes: { case: caseClickUpRoute },
};
