import { z } from 'zod';
import type { SyncContext } from './context.ts';
import type { JobHandler } from './dispatcher.ts';
import type { FlowJobSpec } from './flowModule.ts';

/**
 * A job kind whose payload has no schema yet: any stored payload is handed over as it is. Only for the
 * move to flow modules; each flow replaces these with its `jobs.ts` schemas.
 */
export function untypedJob(handler: (ctx: SyncContext) => JobHandler): FlowJobSpec<unknown> {
  return { schema: z.unknown(), handler };
}
