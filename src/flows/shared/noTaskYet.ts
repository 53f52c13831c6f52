import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import { getCase } from '../../store/ops/cases.ts';
import { appendAudit } from '../../store/ops/audit.ts';

/**
 * A job for the case's task when the case has none: wait for it, unless its task was deleted and the case
 * stays unlinked (then the change is audited and dropped, never retried into a dead letter).
 */
export async function noTaskYet(ctx: SyncContext, caseId: string): Promise<JobOutcome> {
  const rec = await getCase(ctx.store.db, caseId);
  if (rec?.unlinked)
    return {
      status: 'done',
      commit: (trx) =>
        appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: caseId,
            action: 'skipped_unlinked',
            after: { deletedTask: rec.unlinked!.taskId },
          },
          ctx.now(),
        ),
    };
  return { status: 'retry', error: `case ${caseId} has no ClickUp task yet`, retryAfterMs: 2000 };
}
