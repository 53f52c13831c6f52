import type { SyncContext } from '../../sync/context.ts';
import type { RolloutsConfig } from '../../config/flowsSchema.ts';
import type { GateConfig, RolloutPlanConfig } from './decisions/rollout.ts';

/** Flow 8's name and its slice of the configuration, read by its routes, its handlers and the partner pages alike. */

export const FLOW = 'rollout';
export const cfg = (ctx: SyncContext): RolloutsConfig | undefined => ctx.config.flows?.rollouts;
export const gateOf = (c: RolloutsConfig): GateConfig => ({
  thresholdPct: c.ack_threshold_pct,
  planKeys: c.plan.map((s) => s.key),
  gateStep: c.gate_step,
});
export const planConfigOf = (c: RolloutsConfig): RolloutPlanConfig => ({
  listId: c.list_id,
  keyField: c.fields.key,
  gateStep: c.gate_step,
  thresholdPct: c.ack_threshold_pct,
  steps: c.plan,
});
