import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import { getCase, lockCaseIfHeld } from '../../store/ops/cases.ts';
import { appendAudit } from '../../store/ops/audit.ts';

/**
 * A job for the case's task when the case has none: wait for it, unless its task was deleted and the case
 * stays unlinked (then the change is audited and dropped, never retried into a dead letter). On a case held for
 * its partner mapping the task cannot come until the mapping does: a job of the case's queue is parked (state
 * `waiting`: no attempts used, not holding up the queue) and the intake that takes the case up queues it behind
 * the task's create (takeWaitingJobs), like the partner comments the intake parks itself. Otherwise it retries
 * (the create is queued or running).
 */
export async function noTaskYet(
  ctx: SyncContext,
  caseId: string,
  job?: { queue_key: string | null },
): Promise<JobOutcome> {
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
  // Parked only under the case's queue key: the take-up takes the case's waiting jobs by that key.
  if (rec?.state === 'needs_mapping' && job?.queue_key === `case:${caseId}`)
    return {
      status: 'wait',
      error: `case ${caseId} is held for its partner mapping: waits for its ClickUp task`,
      // Asked again, the case's row locked, where the job is parked: a case taken up meanwhile retries it instead.
      stillWaiting: (trx) => lockCaseIfHeld(trx, caseId, ctx.store.dialect),
    };
  return { status: 'retry', error: `case ${caseId} has no ClickUp task yet`, retryAfterMs: 2000 };
}
