import type { FlowModule } from '../../sync/flowModule.ts';
import { untypedJob } from '../../sync/untypedJob.ts';
import { openGateHandler, publishRolloutHandler, reblockHandler, remindRolloutsHandler, rolloutCuRoute, rolloutTgRoute, scanRolloutsHandler, startRolloutHandler, syncAcksHandler } from './handlers/rollout.ts';

/** Flow 8: a rollout announced to an audience of partners, its acknowledgements tracked in ClickUp. */
export const rolloutsFlow: FlowModule = {
  id: '08-rollouts',
  title: 'Rollouts',
  enabled: () => true,
  jobs: {
    'rollouts.scan': untypedJob(scanRolloutsHandler),
    'rollout.start': untypedJob(startRolloutHandler),
    'rollout.publish': untypedJob(publishRolloutHandler),
    'rollout.sync_acks': untypedJob(syncAcksHandler),
    'rollout.open_gate': untypedJob(openGateHandler),
    'rollout.reblock': untypedJob(reblockHandler),
    'rollouts.remind': untypedJob(remindRolloutsHandler),
  },
  tgRoutes: [{ name: 'rollouts', order: 30, route: rolloutTgRoute }],
  cuRoutes: { rollout: rolloutCuRoute },
  schedules: (scheduler, ctx) => {
    const r = ctx.config.flows?.rollouts;
    if (r) {
      scheduler.add({ kind: 'rollouts.scan', cron: r.scan_cron });
      scheduler.add({ kind: 'rollouts.remind', cron: r.reminder_cron });
    }
  },
};
