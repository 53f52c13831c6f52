import type { FlowModule } from '../../sync/flowModule.ts';
import { onboardingJobs } from './jobs.ts';
import { taskGroupJobs } from '../shared/taskGroupJobs.ts';
import { onboardingNoteHandler, setOnboardingPartnerStatusHandler } from './handlers/onboarding.ts';
import { onboardingCuRoute, onboardingTgRoute } from './routes.ts';
import { buildGroupHandler, finishGroupHandler } from '../shared/taskGroupHandlers.ts';

/** Flow 4: a partner's onboarding as a group of ClickUp tasks. Also runs the task-group jobs flow 8 shares. */
export const onboardingFlow: FlowModule = {
  id: '04-onboarding',
  title: 'Partner onboarding',
  enabled: () => true,
  jobs: {
    'onboarding.set_partner_status': {
      schema: onboardingJobs['onboarding.set_partner_status'],
      handler: setOnboardingPartnerStatusHandler,
    },
    'onboarding.note': { schema: onboardingJobs['onboarding.note'], handler: onboardingNoteHandler },
    'group.build': { schema: taskGroupJobs['group.build'], handler: buildGroupHandler },
    'group.finish': { schema: taskGroupJobs['group.finish'], handler: finishGroupHandler },
  },
  tgRoutes: [{ name: 'onboarding', order: 20, route: onboardingTgRoute }],
  cuRoutes: { onboarding: onboardingCuRoute },
};
