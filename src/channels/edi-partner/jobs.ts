import { z } from 'zod';

/** Job kinds of the EDI partner channel (stored kind strings) and their payloads. */
export const ediPartnerJobs = {
  /** One outbound EDI file (written and numbered when queued) delivered to the partner. */
  'edi.send_file': z.object({ key: z.string() }),
} as const;

/** The payload of one of these kinds, as its handler receives it. */
export type EdiPartnerPayload<K extends keyof typeof ediPartnerJobs> = z.infer<(typeof ediPartnerJobs)[K]>;
