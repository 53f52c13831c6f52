import { z } from 'zod';
import { TradingGridEventSchema } from '../connectors/tradinggrid/events.ts';
import { webhookEventSchema } from '../connectors/clickup/types.ts';

/**
 * `cu.event`: a ClickUp webhook delivery as the webhook route stores it, or the catch-up's (webhook_id
 * `catch-up`); a delivery the route could not read is stored as `{ event: 'unrecognised' }` (no task: skipped).
 */
export const cuEventSchema = webhookEventSchema.extend({ webhook_id: z.string().optional() });
export type CuEvent = z.infer<typeof cuEventSchema>;

/**
 * The payloads of the engine's event jobs, parsed when the job is claimed like every flow's job: a stored
 * event that does not parse is a dead letter naming the reason. `tg.event` is the contract's event (webhook,
 * poll, AC CSV, backfill), validated at the edge too.
 */
export const engineJobs = {
  'tg.event': TradingGridEventSchema,
  'cu.event': cuEventSchema,
} as const;
