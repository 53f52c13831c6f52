import type { SyncContext } from './context.ts';
import type { Scheduler } from './scheduler.ts';
import { registerMailboxSchedules } from './mailbox/mailboxSchedules.ts';
import { registerGroupFlowSchedules } from './groupFlowSchedules.ts';
import { registerSlaSchedules } from './sla/slaSchedules.ts';

/** Every periodic job of the bridge. Each `kind` needs a handler in handlers/index.ts. */
export function registerSchedules(scheduler: Scheduler, ctx: SyncContext): void {
  void scheduler;
  void ctx;
  registerMailboxSchedules(scheduler, ctx);
  registerGroupFlowSchedules(scheduler, ctx);
  registerSlaSchedules(scheduler, ctx);
}
