import type { FlowModule } from '../../sync/flowModule.ts';
import { createTaskHandler } from './createTaskHandler.ts';
import { reintakeHandler } from './intakeHandler.ts';
import { caseOpenedRoute } from './routes.ts';
import { intakeJobs } from './jobs.ts';

/** Flow 1: a partner's case becomes a ClickUp task in the partner's list (held when the partner is not mapped). */
export const intakeFlow: FlowModule = {
  id: '01-case-intake',
  title: 'Case intake',
  enabled: () => true,
  jobs: {
    'clickup.create_task': { schema: intakeJobs['clickup.create_task'], handler: createTaskHandler },
    'case.reintake': { schema: intakeJobs['case.reintake'], handler: reintakeHandler },
  },
  // After the routes of flows 4, 6 and 8 (their events are not case events; the order is kept as it was).
  tgRoutes: [{ name: 'case.opened', order: 100, route: caseOpenedRoute }],
};
