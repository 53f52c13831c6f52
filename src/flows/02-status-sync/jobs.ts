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
  /** `commentId`: the Trading Grid comment, read again when the job runs. */
  'clickup.add_comment': z.object({ caseId: z.string(), commentId: z.string() }),
} as const;
