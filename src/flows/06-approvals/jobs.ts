import { z } from 'zod';

const outcome = z.enum(['approved', 'rejected']);
const party = z.object({ qualifier: z.string(), id: z.string() });

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
  /** A partner's 860 / ORDCHG read from the mailbox (connectors/tradinggrid/mailbox/exceptions.ts MailboxChangeRequest). */
  'approval.edi_request': z.object({
    item: z.object({
      type: z.literal('request'),
      partner: party,
      us: party,
      setId: z.string(),
      transactionRef: z.object({
        standard: z.enum(['x12', 'edifact']).nullable(),
        sender: z.string().nullable(),
        receiver: z.string().nullable(),
        interchange: z.string().nullable(),
        group: z.string().nullable(),
        transaction: z.string().nullable(),
        business: z.object({ type: z.string(), value: z.string() }).nullable(),
      }),
      request: z.object({
        po: z.string(),
        changeNumber: z.string().nullable(),
        poDate: z.string().nullable(),
        purpose: z.string(),
        currency: z.string().nullable(),
        lines: z.array(
          z.object({
            line: z.string(),
            change: z.string(),
            product: z.string().nullable(),
            quantity: z.number().nullable(),
            unit: z.string().nullable(),
            unitPrice: z.number().nullable(),
          }),
        ),
        notes: z.array(z.string()),
      }),
      occurredAt: z.string(),
      file: z.object({ name: z.string(), sha256: z.string() }),
      dedupeKey: z.string(),
    }),
  }),
  'approval.attach_document': z.object({ requestId: z.string(), documentId: z.string() }),
  /** Scheduled per slot. */
  'approvals.sweep': z.object({ slot: z.number().optional() }),
} as const;

/** The payload of one of these kinds, as its handler receives it. */
export type ApprovalPayload<K extends keyof typeof approvalJobs> = z.infer<(typeof approvalJobs)[K]>;
