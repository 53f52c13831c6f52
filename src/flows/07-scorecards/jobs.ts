import { z } from 'zod';

/** Job kinds of flow 7 (stored kind strings) and their payloads. */
export const scorecardJobs = {
  'metrics.push': z.unknown(),
  'metrics.push_partner': z.unknown(),
} as const;
