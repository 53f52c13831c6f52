import { z } from 'zod';
import { TradingGridEventSchema } from '../connectors/tradinggrid/events.ts';
import { webhookEventSchema } from '../connectors/clickup/types.ts';
import { markChecked, type CheckedJob } from '../core/checkedJob.ts';
import type { JobOutcome } from './dispatcher.ts';
import { jobSchemas, type JobInput, type JobKind } from '../flows/catalogue.ts';

/**
 * `cu.event`: a ClickUp webhook delivery as the webhook route stores it, or the catch-up's (webhook_id
 * `catch-up`); a delivery the route could not read is stored as `{ event: 'unrecognised' }` (no task: skipped).
 */
export const cuEventSchema = webhookEventSchema.extend({ webhook_id: z.string().optional() });
export type CuEvent = z.infer<typeof cuEventSchema>;

/** A scheduled job's payload: the scheduler's slot time (nothing else; what it does comes from the config). */
export const scheduledSlot = z.looseObject({ slot: z.number().optional() });

/**
 * The payloads of the engine's own job kinds, parsed when the job is claimed like every flow's job: a stored
 * payload that does not parse is a dead letter naming the reason. `tg.event` is the contract's event (webhook,
 * poll, AC CSV, backfill), validated at the edge too; the others are scheduled. Kind strings are stored in the
 * jobs table: renaming one needs a migration.
 */
export const engineJobs = {
  'tg.event': TradingGridEventSchema,
  'cu.event': cuEventSchema,
  'tradinggrid.poll': scheduledSlot,
  'clickup.webhook_health': scheduledSlot,
  'store.prune': scheduledSlot,
} as const;

export type EngineJobKind = keyof typeof engineJobs;
/** Every job kind there is: the flows' and channels' (src/flows/catalogue.ts) and the engine's. */
export type AnyJobKind = JobKind | EngineJobKind;
/** The payload of any kind as it is queued (what the kind's schema accepts). */
export type AnyJobInput<K extends AnyJobKind> = K extends JobKind
  ? JobInput<K>
  : K extends EngineJobKind
    ? z.input<(typeof engineJobs)[K]>
    : never;

/** A job of one of the engine's kinds to queue, its payload checked against the kind's schema at compile time. */
export function newEngineJob<K extends EngineJobKind>(
  kind: K,
  payload: z.input<(typeof engineJobs)[K]>,
  opts: { key: string; queueKey?: string | null; runAt?: number; maxAttempts?: number },
): CheckedJob & { kind: K } {
  return markChecked({ kind, payload, ...opts });
}

/** The kinds a schedule may run: those whose payload has a `slot` (the scheduler's slot time). */
export type ScheduledKind = {
  [K in AnyJobKind]: AnyJobInput<K> extends { slot?: number }
    ? 'slot' extends keyof AnyJobInput<K>
      ? K
      : never
    : never;
}[AnyJobKind];
/** What a schedule adds to its jobs' payloads besides the slot. */
export type ScheduledFields<K extends ScheduledKind> = Omit<AnyJobInput<K>, 'slot'>;

/**
 * The job of one schedule's slot: the payload (the schedule's fields and the slot) is checked against the kind's
 * schema at run time too, since it is put together here; a schedule whose fields do not fit is a bug and throws.
 */
export function newScheduledJob<K extends ScheduledKind>(
  kind: K,
  fields: ScheduledFields<K> | undefined,
  slot: number,
  opts: { key: string; queueKey: string },
): CheckedJob & { kind: K } {
  const schema: z.ZodType = kind in engineJobs ? engineJobs[kind as EngineJobKind] : jobSchemas[kind as JobKind];
  const payload = { ...fields, slot };
  const parsed = schema.safeParse(payload);
  if (!parsed.success)
    throw new Error(`the schedule of '${kind}' makes a payload its schema refuses: ${parsed.error.message}`);
  return markChecked({ kind, payload, ...opts });
}

/** One line naming what in a payload does not match its schema (path: message; …). */
export function describePayloadIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(payload)'}: ${i.message}`).join('; ');
}

/** A stored payload parsed with its kind's schema when the job is claimed; one that does not parse is a dead letter saying why. */
export function parsePayload<S extends z.ZodType>(
  kind: string,
  schema: S,
  payload: unknown,
): { ok: true; payload: z.output<S> } | { ok: false; refused: JobOutcome } {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return { ok: true, payload: parsed.data };
  return {
    ok: false,
    refused: {
      status: 'fail',
      error: `payload of job kind '${kind}' does not match its schema: ${describePayloadIssues(parsed.error)}`,
    },
  };
}
