import { z } from 'zod';

/** Job kinds of flow 2 (stored kind strings) and their payloads. */
export const statusSyncJobs = {
  'tradinggrid.set_status': z.unknown(),
  'clickup.set_status': z.unknown(),
  'tradinggrid.add_comment': z.unknown(),
  'clickup.add_comment': z.unknown(),
} as const;
