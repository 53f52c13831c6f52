import { z } from 'zod';

/** Job kinds of flow 3 (stored kind strings) and their payloads. */
export const documentJobs = {
  'clickup.upload_document': z.unknown(),
  'tradinggrid.upload_document': z.unknown(),
} as const;
