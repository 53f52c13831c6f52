import type { SyncContext } from '../context.ts';
import type { Scheduler } from '../scheduler.ts';

/**
 * Flow 5's sweep and flow 7's scorecard push; a null cron turns one off. Cron times read in the calendar's zone.
 * An EDI-only deployment (driver mailbox) has nowhere to push scorecards: they stay in the report and the console.
 */
export function registerSlaSchedules(scheduler: Scheduler, ctx: SyncContext): void {
  const timezone = ctx.config.calendar.time_zone;
  if (ctx.config.sla_sweep_cron) scheduler.add({ kind: 'sla.sweep', cron: ctx.config.sla_sweep_cron, timezone });
  // Without a community endpoint the push still e-mails scorecards to partners on the e-mail channel.
  if (ctx.config.metrics.push_cron && (ctx.config.tradinggrid.driver === 'community' || ctx.partnerChannel)) scheduler.add({ kind: 'metrics.push', cron: ctx.config.metrics.push_cron, timezone });
}
