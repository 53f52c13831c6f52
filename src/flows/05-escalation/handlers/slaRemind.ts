import type { SyncContext } from '../../../sync/context.ts';
import type { TypedJobHandler } from '../../../sync/flowModule.ts';
import type { EscalationPayload } from '../jobs.ts';
import { getLink } from '../../../store/ops/links.ts';
import { appendAudit } from '../../../store/ops/audit.ts';
import { outcomeFromRemote } from '../../../sync/outcome.ts';

const pct = (share: number) => `${Math.round(share * 100)} %`;

/** The marker that makes a reminder findable on a retry (comments have no idempotency key). */
export const reminderMarker = (p: EscalationPayload<'sla.remind'>) => `[gridbridge:sla-reminder:${p.threshold}]`;

/**
 * `sla.remind`: a ClickUp comment on the case task that mentions and notifies its assignee, once per
 * threshold (job key `sla.remind:<case>:<threshold>`). On a retry the comment is looked for first.
 */
export function slaRemindHandler(ctx: SyncContext): TypedJobHandler<EscalationPayload<'sla.remind'>> {
  return async ({ payload, attempt }) => {
    const p = payload;
    const link = await getLink(ctx.store.db, 'case', p.caseId);
    if (!link) return { status: 'fail', error: `case ${p.caseId} has no ClickUp task to remind on` };
    const marker = reminderMarker(p);
    if (attempt > 1) {
      const existing = await ctx.clickup.listComments(link.cuTaskId);
      if (!existing.ok) return outcomeFromRemote(existing.error, `reading comments of task ${link.cuTaskId}`);
      if (existing.value.some((c) => c.comment_text.includes(marker))) return { status: 'done' };
    }
    const task = await ctx.clickup.getTask(link.cuTaskId);
    if (!task.ok) return outcomeFromRemote(task.error, `reading task ${link.cuTaskId}`);
    // Everyone assigned is mentioned; the comment itself is assigned to the first (a ClickUp notification).
    const assignees = task.value.assignees ?? [];
    const assignee = assignees[0];
    const who = assignees.map((a) => `@${a.username ?? a.email ?? a.id} `).join('');
    const text =
      `${who}SLA reminder: this case has used ${pct(p.share)} of its resolution time (the ${pct(p.threshold)} mark). ` +
      `Due ${new Date(p.dueAt).toISOString()}. ${marker}`;
    const made = await ctx.clickup.createComment(link.cuTaskId, {
      comment_text: text,
      notify_all: true,
      ...(assignee ? { assignee: assignee.id } : {}),
    });
    if (!made.ok) return outcomeFromRemote(made.error, `commenting on task ${link.cuTaskId}`);
    return {
      status: 'done',
      commit: async (trx) => {
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: p.caseId,
            action: 'sla_reminder',
            after: {
              threshold: p.threshold,
              covers: p.covers,
              assignee: assignee?.id ?? null,
              commentId: made.value.id,
            },
          },
          ctx.now(),
        );
      },
    };
  };
}
