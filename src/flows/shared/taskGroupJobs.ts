import { z } from 'zod';

/** Values of custom fields by logical name, as a task group step carries them. */
const fieldValues = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));
const priority = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);

/** `TaskGroupPlan` (src/core/taskGroup.ts) as a job payload carries it. */
export const taskGroupPlanSchema = z.object({
  entity: z.string(),
  groupId: z.string(),
  listId: z.string(),
  keyField: z.string(),
  fieldNames: z.record(z.string(), z.string().optional()),
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
  onBuilt: z.object({ kind: z.string(), payload: z.record(z.string(), z.unknown()) }).optional(),
});

/** Task groups (flows 4 and 8): built one task per job, then finished (checklists, dependencies, `onBuilt`). */
export const taskGroupJobs = {
  /** `index` 0 is the parent, 1…n the steps. */
  'group.build': z.object({ plan: taskGroupPlanSchema, index: z.number().int().nonnegative() }),
  'group.finish': z.object({ plan: taskGroupPlanSchema }),
} as const;

/** The payload of one of these kinds, as its handler receives it. */
export type TaskGroupPayload<K extends keyof typeof taskGroupJobs> = z.infer<(typeof taskGroupJobs)[K]>;
