import { z } from 'zod';
import { PARTNER_STATUSES } from '../../core/case.ts';

const PartnerStatus = z.enum(PARTNER_STATUSES);

/**
 * Job kinds of flow 2 (stored kind strings) and their payloads. `tradinggrid.set_status` is also queued by
 * task creation (status_on_task_created) and by the SLA sweep (flow 5: `escalated`, with a note).
 */
export const statusSyncJobs = {
  /** `at`: when the status was decided (ms epoch); `sharedBy`: the sharing rule that let it through. */
  'tradinggrid.set_status': z.object({
    caseId: z.string(),
    status: PartnerStatus,
    at: z.number(),
    note: z.string().optional(),
    sharedBy: z.string().optional(),
  }),
  'clickup.set_status': z.object({
    caseId: z.string(),
    status: PartnerStatus,
    clickUpStatus: z.string(),
    at: z.number(),
  }),
  'tradinggrid.add_comment': z.object({
    caseId: z.string(),
    body: z.string(),
    author: z.string(),
    clickUpCommentId: z.string(),
    sharedBy: z.string().optional(),
  }),
  /**
   * A partner edit shown on the task: `writes` go in one task update, `fields` (edit keys of custom fields) are
   * written from the case as it is when the job runs; `remember`: each edited key's value as the memory compares it.
   */
  'clickup.update_case_fields': z.object({
    caseId: z.string(),
    at: z.number(),
    writes: z.object({
      name: z.string().optional(),
      markdown: z.string().optional(),
      priority: z.number().int().min(1).max(4).optional(),
      /** The SLA due date (ms), decided again when the partner reclassified the case. */
      dueAt: z.number().optional(),
    }),
    fields: z.array(z.string()),
    remember: z.record(z.string(), z.string()),
  }),
  /** A ClickUp edit of a field mapped `both` / `to_tradinggrid`; `sharedBy`: the mapping that lets it reach the partner. */
  'tradinggrid.set_case_fields': z.object({
    caseId: z.string(),
    key: z.string(),
    field: z.string(),
    value: z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]),
    canonical: z.string(),
    at: z.number(),
    sharedBy: z.string(),
  }),
  /** `commentId`: the Trading Grid comment, read again when the job runs. */
  'clickup.add_comment': z.object({ caseId: z.string(), commentId: z.string() }),
} as const;
