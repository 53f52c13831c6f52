import type { FlowModule } from '../../sync/flowModule.ts';
import { escalationJobs } from './jobs.ts';
import { AssigneeResolver } from './handlers/assignees.ts';
import { slaSweepHandler } from './handlers/slaSweep.ts';
import { slaRemindHandler } from './handlers/slaRemind.ts';
import { slaEscalateHandler } from './handlers/slaEscalate.ts';
import { slaDueDateHandler } from './handlers/slaDueDate.ts';

/**
 * Flow 5: SLA sweep and its effects. The partner status `escalated` goes through the case sync's own
 * `tradinggrid.set_status` job (echo memory, status history).
 */
export const escalationFlow: FlowModule = {
  id: '05-escalation',
  title: 'SLA escalation',
  enabled: () => true,
  jobs: {
    'sla.sweep': { schema: escalationJobs['sla.sweep'], handler: (ctx) => slaSweepHandler(ctx) },
    'sla.remind': { schema: escalationJobs['sla.remind'], handler: slaRemindHandler },
    'sla.escalate': {
      schema: escalationJobs['sla.escalate'],
      handler: (ctx) =>
        slaEscalateHandler(
          ctx,
          new AssigneeResolver(ctx.clickup, ctx.now, undefined, ctx.config.mapping.users.overrides),
        ),
    },
    'sla.due_date': { schema: escalationJobs['sla.due_date'], handler: slaDueDateHandler },
  },
  // A null cron turns the sweep off; cron times read in the calendar's zone.
  schedules: (scheduler, ctx) => {
    if (ctx.config.sla_sweep_cron)
      scheduler.add({ kind: 'sla.sweep', cron: ctx.config.sla_sweep_cron, timezone: ctx.config.calendar.time_zone });
  },
};
