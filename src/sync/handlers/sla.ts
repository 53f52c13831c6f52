import type { SyncContext } from '../context.ts';
import type { JobHandler } from '../dispatcher.ts';
import { AssigneeResolver } from '../sla/assignees.ts';
import { slaSweepHandler } from './slaSweep.ts';
import { slaRemindHandler } from './slaRemind.ts';
import { slaEscalateHandler } from './slaEscalate.ts';
import { slaDueDateHandler } from './slaDueDate.ts';
import { metricsPushHandler, metricsPushPartnerHandler } from './metricsPush.ts';

/**
 * Job kinds of issue #8 (flows 5 and 7): SLA sweep and its effects, scorecard push. The partner status
 * `escalated` goes through the case sync's own `tradinggrid.set_status` job (echo memory, status history).
 */
export function slaHandlers(ctx: SyncContext): Array<[string, JobHandler]> {
  const assignees = new AssigneeResolver(ctx.clickup, ctx.now, undefined, ctx.config.mapping.users.overrides);
  return [
    ['sla.sweep', slaSweepHandler(ctx)],
    ['sla.remind', slaRemindHandler(ctx)],
    ['sla.escalate', slaEscalateHandler(ctx, assignees)],
    ['sla.due_date', slaDueDateHandler(ctx)],
    ['metrics.push', metricsPushHandler(ctx)],
    ['metrics.push_partner', metricsPushPartnerHandler(ctx)],
  ];
}
