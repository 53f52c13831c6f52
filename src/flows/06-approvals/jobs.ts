import { z } from 'zod';

const outcome = z.enum(['approved', 'rejected']);

/** Job kinds of flow 6 (stored kind strings) and their payloads. */
export const approvalJobs = {
  'approval.create_task': z.object({
    requestId: z.string(),
    listId: z.string(),
    task: z.object({
      name: z.string(),
      markdown: z.string(),
      assignees: z.array(z.number()),
      priority: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
      dueAt: z.number(),
      fields: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
    }),
  }),
  /** `revision` 0 is the decision on the request; a later one is a revision sent as a notice. */
  'approval.post_decision': z.object({
    requestId: z.string(),
    partnerId: z.string(),
    revision: z.number().int().nonnegative(),
    outcome,
    previous: outcome.nullable(),
    by: z.string().nullable(),
  }),
  'approval.post_comment': z.object({
    requestId: z.string(),
    partnerId: z.string(),
    commentId: z.string(),
    text: z.string(),
    by: z.string().nullable(),
    sharedBy: z.string(),
  }),
  'approval.close_task': z.object({ requestId: z.string() }),
  'approval.attach_document': z.object({ requestId: z.string(), documentId: z.string() }),
  /** Scheduled per slot. */
  'approvals.sweep': z.object({ slot: z.number().optional() }),
} as const;

/** The payload of one of these kinds, as its handler receives it. */
export type ApprovalPayload<K extends keyof typeof approvalJobs> = z.infer<(typeof approvalJobs)[K]>;
