import { z } from 'zod';

const Priority = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);

/** What a ClickUp task should look like (core/taskDraft.ts TaskDraft). */
const TaskDraft = z.object({
  name: z.string(),
  markdown: z.string(),
  priority: Priority,
  dueAt: z.number().nullable(),
  tags: z.array(z.string()),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
});

/**
 * Job kinds of flow 1 (stored kind strings) and their payloads. `clickup.create_task` is queued by the
 * intake decision (its payload repeats its kind); `case.reintake` by the ClickUp route of a deleted task, the
 * start-up requeue of held cases and `gridbridge backfill`.
 */
export const intakeJobs = {
  'clickup.create_task': z.object({
    kind: z.literal('clickup.create_task').optional(),
    caseId: z.string(),
    listId: z.string(),
    task: TaskDraft,
    replaces: z.string().optional(),
  }),
  'case.reintake': z.object({ caseId: z.string(), source: z.string() }),
} as const;
