import { z } from 'zod';

const rolloutId = z.object({ rolloutId: z.string() });

/** Job kinds of flow 8 (stored kind strings) and their payloads. Its task group jobs are in ../shared/taskGroupJobs.ts. */
export const rolloutJobs = {
  /** Scheduled per slot. */
  'rollouts.scan': z.object({ slot: z.number().optional() }),
  /** From a marker task, the CLI or the admin API; `audience` is the text form (`all`, `tier:…`, partner ids). */
  'rollout.start': z.object({
    rolloutId: z.string(),
    taskId: z.string().optional(),
    title: z.string(),
    body: z.string(),
    audience: z.string(),
  }),
  'rollout.publish': rolloutId,
  'rollout.sync_acks': rolloutId,
  'rollout.open_gate': rolloutId,
  'rollout.reblock': z.object({ rolloutId: z.string(), reasons: z.array(z.string()) }),
  /** Scheduled per slot: the slot keys the reminder notices. */
  'rollouts.remind': z.object({ slot: z.number().optional() }),
} as const;

/** The payload of one of these kinds, as its handler receives it. */
export type RolloutPayload<K extends keyof typeof rolloutJobs> = z.infer<(typeof rolloutJobs)[K]>;
