import type { FlowModule } from '../../sync/flowModule.ts';
import { metricsPushHandler, metricsPushPartnerHandler } from './pushHandlers.ts';
import { scorecardJobs } from './jobs.ts';

/** Flow 7: partner scorecards pushed to Trading Grid (or e-mailed) on a cron. */
export const scorecardsFlow: FlowModule = {
  id: '07-scorecards',
  title: 'Scorecards',
  enabled: () => true,
  jobs: {
    'metrics.push': { schema: scorecardJobs['metrics.push'], handler: metricsPushHandler },
    'metrics.push_partner': { schema: scorecardJobs['metrics.push_partner'], handler: metricsPushPartnerHandler },
  },
  schedules: (scheduler, ctx) => {
    // An EDI-only deployment (driver mailbox) has nowhere to push scorecards: they stay in the report and the console.
    // Without a community endpoint the push still e-mails scorecards to partners on the e-mail channel.
    const c = ctx.config;
    if (c.metrics.push_cron && (c.tradinggrid.driver === 'community' || ctx.partnerChannel))
      scheduler.add({ kind: 'metrics.push', cron: c.metrics.push_cron, timezone: c.calendar.time_zone });
  },
};
