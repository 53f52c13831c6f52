import type { SyncContext } from '../../../sync/context.ts';
import type { TypedJobHandler } from '../../../sync/flowModule.ts';
import type { EscalationPayload } from '../jobs.ts';
import { getLink } from '../../../store/ops/links.ts';
import { listEscalations } from '../../../store/ops/listEscalations.ts';
import { recordEscalationTask } from '../../../store/ops/recordEscalationTask.ts';
import { appendAudit } from '../../../store/ops/audit.ts';
import { outcomeFromRemote } from '../../../sync/outcome.ts';
import type { AssigneeResolver } from './assignees.ts';

/** The tag that finds an escalation task again after a crash between "created" and "recorded". */
export const escalationTag = (caseId: string, level: number) => `gb-esc-${caseId}-l${level}`.toLowerCase();

function describeEscalation(
  p: EscalationPayload<'sla.escalate'>,
  caseTaskId: string,
  unknown: string[],
  previousTaskId: string | null,
): string {
  const lines = [
    `**Escalation level ${p.level}** for the partner case of ${p.partner}: ${p.title}`,
    '',
    `Why: ${p.explanation}.`,
    '',
    `Original task: ${caseTaskId}${previousTaskId ? ` · previous escalation: ${previousTaskId}` : ''}`,
  ];
  if (p.routeTo.manager)
    lines.push(
      `Routed to: ${p.routeTo.manager}${p.routeTo.assignees?.length ? ` (+ ${p.routeTo.assignees.join(', ')})` : ''}`,
    );
  else lines.push('Routed to: nobody (no routing table configured): assign a manager.');
  if (unknown.length > 0) lines.push(`Not ClickUp members of this workspace, so not assigned: ${unknown.join(', ')}`);
  if (p.dueAt !== null) lines.push(`This escalation is due ${new Date(p.dueAt).toISOString()}.`);
  return lines.join('\n');
}

/**
 * `sla.escalate` (job key `sla.escalate:<case>:<level>`): a high-priority ClickUp task for one rung of
 * the ladder, routed by the table (list and assignees), linked to the case task and to the previous
 * rung's task, with its own due date. Find-before-create on a retry (by its tag); linking is idempotent.
 */
export function slaEscalateHandler(
  ctx: SyncContext,
  assignees: AssigneeResolver,
): TypedJobHandler<EscalationPayload<'sla.escalate'>> {
  return async ({ payload, attempt }) => {
    const p = payload;
    const db = ctx.store.db;
    const link = await getLink(db, 'case', p.caseId);
    if (!link) return { status: 'fail', error: `case ${p.caseId} has no ClickUp task to escalate from` };
    const ladder = await listEscalations(db, p.caseId);
    if (ladder.find((r) => r.level === p.level)?.task_id) return { status: 'done' };
    const previous = ladder.filter((r) => r.level < p.level && r.task_id).at(-1)?.task_id ?? null;
    const listId = p.routeTo.list_id ?? link.cuListId;
    const tag = escalationTag(p.caseId, p.level);

    let taskId: string | undefined;
    let how = 'escalation_task_created';
    if (attempt > 1) {
      const found = await ctx.clickup.listTasks(listId, { tags: [tag], include_closed: true });
      if (!found.ok)
        return outcomeFromRemote(found.error, `looking for the level ${p.level} escalation task of case ${p.caseId}`);
      taskId = found.value[0]?.id;
      if (taskId) how = 'escalation_task_found_after_retry';
    }
    let assigned: number[] = [];
    if (!taskId) {
      const who = await assignees.resolve(p.routeTo);
      if (!who.ok) return outcomeFromRemote(who.error, 'reading the workspace members');
      assigned = who.value.ids;
      const created = await ctx.clickup.createTask(listId, {
        name: `[Escalation L${p.level}] ${p.partner}: ${p.title}`,
        markdown_content: describeEscalation(p, link.cuTaskId, who.value.unknown, previous),
        priority: p.priority,
        assignees: assigned,
        tags: ['gridbridge', 'escalation', tag],
        ...(p.dueAt !== null ? { due_date: p.dueAt, due_date_time: true } : {}),
      });
      if (!created.ok)
        return outcomeFromRemote(created.error, `creating the level ${p.level} escalation task of case ${p.caseId}`);
      taskId = created.value.id;
    }
    // Linking twice is harmless; a failure here retries, and the retry finds the task by its tag.
    for (const other of [link.cuTaskId, previous]) {
      if (!other) continue;
      const linked = await ctx.clickup.addTaskLink(taskId, other);
      if (!linked.ok) return outcomeFromRemote(linked.error, `linking escalation task ${taskId} to ${other}`);
    }
    const id = taskId;
    return {
      status: 'done',
      commit: async (trx) => {
        const now = ctx.now();
        await recordEscalationTask(trx, p.caseId, p.level, id, listId, now);
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: p.caseId,
            action: how,
            after: {
              level: p.level,
              taskId: id,
              listId,
              manager: p.routeTo.manager || null,
              assignees: assigned,
              ruleIndex: p.ruleIndex,
              explanation: p.explanation,
            },
          },
          now,
        );
      },
    };
  };
}
