import type { FlowModule } from '../../sync/flowModule.ts';
import { untypedJob } from '../../sync/untypedJob.ts';
import { onboardingCuRoute, onboardingNoteHandler, onboardingTgRoute, setOnboardingPartnerStatusHandler } from './handlers/onboarding.ts';
import { buildGroupHandler, finishGroupHandler } from '../shared/taskGroupHandlers.ts';

/** Flow 4: a partner's onboarding as a group of ClickUp tasks. Also runs the task-group jobs flow 8 shares. */
export const onboardingFlow: FlowModule = {
  id: '04-onboarding',
  title: 'Partner onboarding',
  enabled: () => true,
  jobs: {
    'onboarding.set_partner_status': untypedJob(setOnboardingPartnerStatusHandler),
    'onboarding.note': untypedJob(onboardingNoteHandler),
    'group.build': untypedJob(buildGroupHandler),
    'group.finish': untypedJob(finishGroupHandler),
  },
  tgRoutes: [{ name: 'onboarding', order: 20, route: onboardingTgRoute }],
  cuRoutes: { onboarding: onboardingCuRoute },
};
