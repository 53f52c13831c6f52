import type { FlowModule } from '../../sync/flowModule.ts';
import { rolloutJobs } from './jobs.ts';
import {
  openGateHandler,
  publishRolloutHandler,
  reblockHandler,
  remindRolloutsHandler,
  scanRolloutsHandler,
  startRolloutHandler,
  syncAcksHandler,
} from './handlers/rollout.ts';
import { rolloutCuRoute, rolloutTgRoute } from './routes.ts';

/** Flow 8: a rollout announced to an audience of partners, its acknowledgements tracked in ClickUp. */
export const rolloutsFlow: FlowModule = {
  id: '08-rollouts',
  title: 'Rollouts',
  enabled: () => true,
  jobs: {
    'rollouts.scan': { schema: rolloutJobs['rollouts.scan'], handler: scanRolloutsHandler },
    'rollout.start': { schema: rolloutJobs['rollout.start'], handler: startRolloutHandler },
    'rollout.publish': { schema: rolloutJobs['rollout.publish'], handler: publishRolloutHandler },
    'rollout.sync_acks': { schema: rolloutJobs['rollout.sync_acks'], handler: syncAcksHandler },
    'rollout.open_gate': { schema: rolloutJobs['rollout.open_gate'], handler: openGateHandler },
    'rollout.reblock': { schema: rolloutJobs['rollout.reblock'], handler: reblockHandler },
    'rollouts.remind': { schema: rolloutJobs['rollouts.remind'], handler: remindRolloutsHandler },
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
