import { z } from 'zod';

/** Who an escalation goes to; `manager` is empty when no routing table is configured (then nobody is assigned). */
const routeTo = z.object({
  manager: z.string(),
  list_id: z.string().optional(),
  assignees: z.array(z.string()).optional(),
});

/** Job kinds of flow 5 (stored kind strings) and their payloads; the partner's `escalated` status goes through `tradinggrid.set_status`. */
export const escalationJobs = {
  /** Scheduled per slot; each page of cases queues the next (`after`: the last case id of the page before). */
  'sla.sweep': z.object({ slot: z.number(), after: z.string().optional() }),
  'sla.remind': z.object({
    caseId: z.string(),
    threshold: z.number(),
    covers: z.array(z.number()),
    share: z.number(),
    dueAt: z.number(),
  }),
  'sla.escalate': z.object({
    caseId: z.string(),
    level: z.number(),
    fromLevel: z.number(),
    routeTo,
    ruleIndex: z.number().nullable(),
    explanation: z.string(),
    priority: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
    dueAt: z.number().nullable(),
    title: z.string(),
    partner: z.string(),
  }),
  'sla.due_date': z.object({ caseId: z.string(), dueAt: z.number() }),
} as const;

/** The payload of one of these kinds, as its handler receives it. */
export type EscalationPayload<K extends keyof typeof escalationJobs> = z.infer<(typeof escalationJobs)[K]>;
