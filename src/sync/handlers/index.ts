import type { SyncContext } from '../context.ts';
import type { JobHandler } from '../dispatcher.ts';
import { tgEventHandler } from './tgEvent.ts';
import { createTaskHandler } from './createTask.ts';
import { uploadDocumentHandler } from './uploadDocument.ts';
import { reintakeHandler } from './caseIntake.ts';

/** Job kind → handler. Kinds are stored in the jobs table, so renaming one needs a migration. */
export function buildHandlers(ctx: SyncContext): Map<string, JobHandler> {
  return new Map<string, JobHandler>([
    ['tg.event', tgEventHandler(ctx)],
    ['clickup.create_task', createTaskHandler(ctx)],
    ['clickup.upload_document', uploadDocumentHandler(ctx)],
    ['case.reintake', reintakeHandler(ctx) as JobHandler],
  ]);
}
