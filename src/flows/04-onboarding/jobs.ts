import { z } from 'zod';

/** Trading Grid partner statuses (the contract's list; onboarding only ever moves a partner forward). */
const partnerStatus = z.enum(['invited', 'registering', 'testing', 'active', 'inactive']);

/** Job kinds of flow 4 (stored kind strings) and their payloads. Its task group jobs are in ../shared/taskGroupJobs.ts. */
export const onboardingJobs = {
  'onboarding.set_partner_status': z.object({ partnerId: z.string(), status: partnerStatus }),
  /** A line (pause, resume) on the parent task of the onboarding group. */
  'onboarding.note': z.object({ groupId: z.string(), text: z.string() }),
} as const;

/** The payload of one of these kinds, as its handler receives it. */
export type OnboardingPayload<K extends keyof typeof onboardingJobs> = z.infer<(typeof onboardingJobs)[K]>;
