import { z } from 'zod';

/** Job kinds of the partner e-mail and pages channel (stored kind strings) and their payloads. */
export const partnerEmailJobs = {
  /** One message of the outbox (partner_messages.key). */
  'partner.email': z.object({ key: z.string() }),
  /** A digest of the outbox (partner_messages.key of the digest), due at the end of its window. */
  'partner.digest': z.object({ key: z.string() }),
  /** What a partner did on a partner page (partner_actions.id). */
  'partner.action': z.object({ id: z.string() }),
} as const;

/** The payload of one of these kinds, as its handler receives it. */
export type PartnerEmailPayload<K extends keyof typeof partnerEmailJobs> = z.infer<(typeof partnerEmailJobs)[K]>;
