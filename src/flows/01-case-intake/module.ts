import type { FlowModule } from '../../sync/flowModule.ts';
import { createTaskHandler } from '../../sync/handlers/createTask.ts';
import { reintakeHandler } from '../../sync/handlers/caseIntake.ts';
import { caseTgRoute } from '../../sync/handlers/caseTgRoute.ts';
import { caseClickUpRoute } from '../../sync/handlers/caseSync.ts';
import { intakeJobs } from './jobs.ts';

/** Flow 1: a partner's case becomes a ClickUp task (and the case flows' event routes, until flows 2 and 3 take theirs). */
export const intakeFlow: FlowModule = {
  id: '01-case-intake',
  title: 'Case intake',
  enabled: () => true,
  jobs: {
    'clickup.create_task': { schema: intakeJobs['clickup.create_task'], handler: createTaskHandler },
    'case.reintake': { schema: intakeJobs['case.reintake'], handler: reintakeHandler },
  },
  // After the routes of flows 4, 6 and 8: a case event none of them took.
  tgRoutes: [{ name: 'case', order: 100, route: caseTgRoute }],
  cuRoutes: { case: caseClickUpRoute },
};
