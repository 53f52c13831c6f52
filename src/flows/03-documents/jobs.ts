import { z } from 'zod';

/** Job kinds of flow 3 (stored kind strings) and their payloads. */
export const documentJobs = {
  /** A partner's document onto the task; queued by the intake decision (its payload repeats its kind) and by the document route. */
  'clickup.upload_document': z.object({
    kind: z.literal('clickup.upload_document').optional(),
    caseId: z.string(),
    documentId: z.string(),
  }),
  /** A file attached in ClickUp to the partner's case (`contentType` as ClickUp gave it, or null). */
  'tradinggrid.upload_document': z.object({
    caseId: z.string(),
    attachmentId: z.string(),
    url: z.string(),
    title: z.string(),
    contentType: z.string().nullable(),
    sharedBy: z.string().optional(),
  }),
} as const;
