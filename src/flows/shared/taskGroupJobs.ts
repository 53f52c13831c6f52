import { z } from 'zod';

/** Values of custom fields by logical name, as a task group step carries them. */
const fieldValues = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));
const priority = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);

/**
 * Jobs a task group queues once it is built (checklists and dependencies done), each kind with its payload. A jobs
 * file cannot name the catalogue (it spreads this one), so each kind a plan may carry is listed here; its payload
 * is the kind's own (src/flows/08-rollouts/jobs.ts).
 */
const onBuiltJob = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rollout.sync_acks'), payload: z.object({ rolloutId: z.string() }) }),
]);

/** A group of ClickUp tasks a flow asks for (onboarding, a rollout's plan): a parent and ordered subtasks. */
export const taskGroupPlanSchema = z.object({
  /** Links-table entity of every task of the group (`onboarding`, `rollout`). */
  entity: z.string(),
  groupId: z.string(),
  listId: z.string(),
  /** Custom field (name) that carries `<entity>:<groupId>:<step>` on each task, to find it after a crash. */
  keyField: z.string(),
  /** Logical → ClickUp field names for the `fields` of the parent and the steps. */
  fieldNames: z.record(z.string(), z.string().optional()),
  /** The parent task: made here (optionally from a task template), or an existing task adopted. */
  parent: z.object({
    existingTaskId: z.string().optional(),
    templateName: z.string().optional(),
    name: z.string(),
    markdown: z.string(),
    assignees: z.array(z.number()),
    dueAt: z.number().nullable(),
    priority: priority.optional(),
    tags: z.array(z.string()),
    fields: fieldValues,
  }),
  steps: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      markdown: z.string(),
      assignees: z.array(z.number()),
      dueAt: z.number().nullable(),
      checklist: z.array(z.string()),
      dependsOn: z.array(z.string()),
      fields: fieldValues,
    }),
  ),
  onBuilt: onBuiltJob.optional(),
});

/** A task group's plan, as a decision makes it and `group.build` carries it. */
export type TaskGroupPlan = z.infer<typeof taskGroupPlanSchema>;

/** Task groups (flows 4 and 8): built one task per job, then finished (checklists, dependencies, `onBuilt`). */
export const taskGroupJobs = {
  /** `index` 0 is the parent, 1…n the steps. */
  'group.build': z.object({ plan: taskGroupPlanSchema, index: z.number().int().nonnegative() }),
  'group.finish': z.object({ plan: taskGroupPlanSchema }),
} as const;

/** The payload of one of these kinds, as its handler receives it. */
export type TaskGroupPayload<K extends keyof typeof taskGroupJobs> = z.infer<(typeof taskGroupJobs)[K]>;
