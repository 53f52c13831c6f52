import { z } from 'zod';

/** Job kinds of flow 1 (stored kind strings) and their payloads. */
export const intakeJobs = {
  'clickup.create_task': z.unknown(),
  'case.reintake': z.unknown(),
} as const;
