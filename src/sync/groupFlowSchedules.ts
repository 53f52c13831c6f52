import type { SyncContext } from './context.ts';
import type { Scheduler } from './scheduler.ts';

/** Periodic jobs of flows 4, 6 and 8 (each only when its flow is configured). */
export function registerGroupFlowSchedules(scheduler: Scheduler, ctx: SyncContext): void {
  const f = ctx.config.flows ?? {};
  if (f.approvals) scheduler.add({ kind: 'approvals.sweep', cron: f.approvals.sweep_cron });
  if (f.rollouts) {
    scheduler.add({ kind: 'rollouts.scan', cron: f.rollouts.scan_cron });
    scheduler.add({ kind: 'rollouts.remind', cron: f.rollouts.reminder_cron });
  }
}
