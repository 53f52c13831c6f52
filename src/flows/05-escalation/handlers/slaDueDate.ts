import type { SyncContext } from '../../../sync/context.ts';
import type { TypedJobHandler } from '../../../sync/flowModule.ts';
import type { EscalationPayload } from '../jobs.ts';
import { getLink } from '../../../store/ops/links.ts';
import { setCaseDueDate } from '../../../store/ops/setCaseDueDate.ts';
import { appendAudit } from '../../../store/ops/audit.ts';
import { outcomeFromRemote } from '../../../sync/outcome.ts';

/**
 * `sla.due_date`: the SLA due date moved (a pause ended, a policy changed): write it to the ClickUp task
 * and to the case record (whose `sla_due_at` the scorecards read). Setting a due date is idempotent.
 */
export function slaDueDateHandler(ctx: SyncContext): TypedJobHandler<EscalationPayload<'sla.due_date'>> {
  return async ({ payload }) => {
    const p = payload;
    const link = await getLink(ctx.store.db, 'case', p.caseId);
    if (!link) return { status: 'fail', error: `case ${p.caseId} has no ClickUp task for its due date` };
    const r = await ctx.clickup.updateTask(link.cuTaskId, { due_date: p.dueAt, due_date_time: true });
    if (!r.ok) return outcomeFromRemote(r.error, `setting the due date of task ${link.cuTaskId}`);
    return {
      status: 'done',
      commit: async (trx) => {
        const before = await setCaseDueDate(trx, p.caseId, p.dueAt);
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: p.caseId,
            action: 'sla_due_date',
            after: { dueAt: new Date(p.dueAt).toISOString() },
          },
          ctx.now(),
        );
        void before;
      },
    };
  };
}
