import type { SyncContext } from '../../sync/context.ts';
import type { Scheduler } from '../../sync/scheduler.ts';

/** `mailbox.scan` and `accsv.scan` on their crons, when those sections are configured. */
export function registerMailboxSchedules(scheduler: Scheduler, ctx: SyncContext): void {
  const { mailbox, ac_csv } = ctx.config;
  if (mailbox)
    scheduler.add({
      kind: 'mailbox.scan',
      cron: mailbox.scan_cron,
      ...(mailbox.timezone ? { timezone: mailbox.timezone } : {}),
    });
  if (ac_csv)
    scheduler.add({
      kind: 'accsv.scan',
      cron: ac_csv.scan_cron,
      ...(ac_csv.timezone ? { timezone: ac_csv.timezone } : {}),
    });
}
