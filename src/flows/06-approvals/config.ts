import type { SyncContext } from '../../sync/context.ts';
import type { ApprovalsConfig } from '../../config/flowsSchema.ts';
import type { ApprovalsFlowConfig } from './decisions/approvals.ts';

/** Flow 6's name and its slice of the configuration, read by its routes and its handlers alike. */

export const FLOW = 'approval';

export function cfg(ctx: SyncContext): ApprovalsConfig | undefined {
  return ctx.config.flows?.approvals;
}

export function flowConfig(c: ApprovalsConfig): ApprovalsFlowConfig {
  return {
    listId: c.list_id,
    rules: c.routes.map((r) => ({
      kinds: r.kinds,
      minValue: r.min_value,
      maxValue: r.max_value,
      tiers: r.tiers,
      assignees: r.assignees,
      priority: r.priority,
      label: r.label,
    })),
    defaultAssignees: c.default_assignees,
    dueHours: c.due_hours,
  };
}
