import type { SyncContext } from '../../sync/context.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import type { TaskGroupPayload, TaskGroupPlan } from './taskGroupJobs.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import { groupEntityId, groupTaskKey } from '../../core/taskGroup.ts';
import { newJob, type Job } from '../catalogue.ts';
import { getLink, recordLink } from '../../store/ops/links.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { enqueueFlowJobs, flowFields } from './flowSupport.ts';
import type { ClickUpTask } from '../../connectors/clickup/types.ts';
import { findSavedTask, oneOrNone } from './saved.ts';
import { holdForMapping, writeDrift } from '../02-status-sync/mappingHealth.ts';
import type { Drift } from '../02-status-sync/decisions/mappingDrift.ts';

/**
 * `group.build` builds a task group one task per job: the parent (index 0), then each step as a subtask.
 * Each created task is recorded in the links table, in the same commit that enqueues the next build job,
 * before the next task is created; after a crash the task is found by its key field before creating
 * another. Subtasks a ClickUp template already made (same name) are adopted, not duplicated.
 * `group.finish` then adds checklists and dependencies, each looked up before it is created.
 */

const queueOf = (plan: TaskGroupPlan) => `${plan.entity}:${plan.groupId}`;

function nextJob(plan: TaskGroupPlan, index: number): Job<'group.build' | 'group.finish'> {
  if (index <= plan.steps.length)
    return newJob(
      'group.build',
      { plan, index },
      { key: `group.build:${plan.entity}:${plan.groupId}:${index}`, queueKey: queueOf(plan) },
    );
  return newJob(
    'group.finish',
    { plan },
    { key: `group.finish:${plan.entity}:${plan.groupId}`, queueKey: queueOf(plan) },
  );
}

export function buildGroupHandler(ctx: SyncContext): TypedJobHandler<TaskGroupPayload<'group.build'>> {
  return async ({ payload, attempt, job }) => {
    const { plan, index } = payload;
    const db = ctx.store.db;
    const stepKey = index === 0 ? 'parent' : plan.steps[index - 1]!.key;
    const entityId = groupEntityId(plan.groupId, stepKey);
    const advance = (taskId: string | null, how: string): JobOutcome => ({
      status: 'done',
      commit: async (trx) => {
        if (taskId) {
          await recordLink(trx, { entity: plan.entity, entityId, cuTaskId: taskId, cuListId: plan.listId }, ctx.now());
          await appendAudit(
            trx,
            {
              actor: 'gridbridge',
              entity: plan.entity,
              entityId: plan.groupId,
              action: how,
              after: { step: stepKey, cuTaskId: taskId },
            },
            ctx.now(),
          );
        }
        await enqueueFlowJobs(ctx, trx, [nextJob(plan, index + 1)]);
      },
    });
    if (await getLink(db, plan.entity, entityId)) return advance(null, 'exists');
    // A field or option of the list renamed or deleted in ClickUp: this task of the group waits for the mapping.
    const stepFields = index === 0 ? plan.parent.fields : plan.steps[index - 1]!.fields;
    const drift = (known: boolean) =>
      writeDrift(
        ctx,
        plan.listId,
        { fields: { ...plan.fieldNames, gb_key: plan.keyField }, values: { ...stepFields, gb_key: stepKey } },
        known,
      );
    const hold = (d: Drift) =>
      holdForMapping(
        ctx,
        { kind: job.kind, key: job.key, queueKey: job.queue_key, payload },
        { entity: plan.entity, id: plan.groupId },
        d,
      );
    const knownDrift = await drift(true);
    if (knownDrift) return hold(knownDrift);
    const refused = async (why: string): Promise<JobOutcome> => {
      const d = await drift(false);
      return d ? hold(d) : { status: 'fail', error: `${plan.entity} ${plan.groupId}: ${why}` };
    };

    const fields = flowFields(ctx, `${plan.entity}:group`, { ...plan.fieldNames, gb_key: plan.keyField });
    await fields.ensure(plan.listId);
    const keyField = fields.field(plan.listId, 'gb_key');
    const key = groupTaskKey(plan, stepKey);
    const setKey = async (taskId: string): Promise<JobOutcome | null> => {
      if (!keyField) return null;
      const r = await ctx.clickup.setCustomFieldValue(taskId, keyField.id, key);
      return r.ok ? null : outcomeFromRemote(r.error, `marking ${taskId} with ${key}`);
    };
    let fromTemplate: string | null = null;
    if (attempt > 1 && keyField) {
      const found = await findSavedTask(ctx, plan.listId, keyField.id, key, `the ${plan.entity} task ${key}`);
      if (!found.ok) return found.outcome;
      if (found.value) return advance(found.value.id, 'task_found_after_retry');
      if (index === 0 && plan.parent.templateName && !plan.parent.existingTaskId) {
        // A task made from a template gets its key only after it is created: one whose answer was lost
        // carries none. A task of the same name in the list without any key is that one.
        const listed = await ctx.clickup.listTasks(plan.listId, { include_closed: true });
        if (!listed.ok)
          return outcomeFromRemote(
            listed.error,
            `looking for ${plan.parent.name} made from template ${plan.parent.templateName}`,
          );
        const unkeyed = listed.value.filter(
          (t) =>
            t.name === plan.parent.name &&
            !(t.custom_fields ?? []).some(
              (f) => f.id === keyField.id && f.value !== undefined && f.value !== null && f.value !== '',
            ),
        );
        const one = oneOrNone(
          unkeyed,
          `named "${plan.parent.name}" without a ${plan.keyField} value (made from template ${plan.parent.templateName}?)`,
        );
        if (!one.ok) return one.outcome;
        fromTemplate = one.value?.id ?? null;
      }
    }

    if (index === 0) {
      const p = plan.parent;
      if (p.existingTaskId) {
        const failed = await setKey(p.existingTaskId);
        return failed ?? advance(p.existingTaskId, 'task_adopted');
      }
      const cf = await fields.customFields(plan.listId, { ...p.fields, gb_key: key });
      if (!cf.ok) return refused(cf.reason);
      if (p.templateName) {
        const tpls = await ctx.clickup.listTaskTemplates();
        if (!tpls.ok) return outcomeFromRemote(tpls.error, 'listing task templates');
        const tpl = tpls.value.find((t) => t.name === p.templateName);
        if (!tpl)
          return {
            status: 'fail',
            error: `ClickUp has no task template named "${p.templateName}" (${plan.entity} ${plan.groupId})`,
          };
        // Found after a lost answer (above), or made now; either way completed below (PUT and field values repeat safely).
        const made = fromTemplate
          ? { ok: true as const, value: { id: fromTemplate } }
          : await ctx.clickup.createTaskFromTemplate(plan.listId, tpl.id, { name: p.name });
        if (!made.ok) return outcomeFromRemote(made.error, `creating ${p.name} from template ${p.templateName}`);
        const u = await ctx.clickup.updateTask(made.value.id, {
          assignees: { add: p.assignees, rem: [] },
          ...(p.dueAt !== null ? { due_date: p.dueAt, due_date_time: true } : {}),
        });
        if (!u.ok) return outcomeFromRemote(u.error, `completing task ${made.value.id}`);
        for (const f of cf.fields) {
          const s = await ctx.clickup.setCustomFieldValue(made.value.id, f.id, f.value);
          if (!s.ok) return outcomeFromRemote(s.error, `setting a field of ${made.value.id}`);
        }
        return advance(made.value.id, 'task_created_from_template');
      }
      const created = await ctx.clickup.createTask(plan.listId, {
        name: p.name,
        markdown_content: p.markdown,
        assignees: p.assignees,
        tags: p.tags,
        custom_fields: cf.fields,
        ...(p.priority ? { priority: p.priority } : {}),
        ...(p.dueAt !== null ? { due_date: p.dueAt, due_date_time: true } : {}),
      });
      if (!created.ok && created.error.status === 400) {
        const d = await drift(false);
        if (d) return hold(d);
      }
      if (!created.ok) return outcomeFromRemote(created.error, `creating ${p.name}`);
      return advance(created.value.id, 'task_created');
    }

    const step = plan.steps[index - 1]!;
    const parent = await getLink(db, plan.entity, groupEntityId(plan.groupId, 'parent'));
    if (!parent)
      return {
        status: 'retry',
        error: `${plan.entity} ${plan.groupId}: parent task not recorded yet`,
        retryAfterMs: 1000,
      };
    if (plan.parent.templateName) {
      // The template may have made this step already: adopt it by name.
      const pt = await ctx.clickup.getTask(parent.cuTaskId, { includeSubtasks: true });
      if (!pt.ok) return outcomeFromRemote(pt.error, `reading ${parent.cuTaskId}`);
      const subs = (pt.value as { subtasks?: ClickUpTask[] }).subtasks ?? [];
      const same = subs.find((s) => s.name.trim().toLowerCase() === step.name.trim().toLowerCase());
      if (same) {
        const u = await ctx.clickup.updateTask(same.id, {
          markdown_content: step.markdown,
          assignees: { add: step.assignees, rem: [] },
          ...(step.dueAt !== null ? { due_date: step.dueAt, due_date_time: true } : {}),
        });
        if (!u.ok) return outcomeFromRemote(u.error, `adopting ${same.id}`);
        const cfa = await fields.customFields(plan.listId, { ...step.fields, gb_key: key });
        if (!cfa.ok) return refused(cfa.reason);
        for (const f of cfa.fields) {
          const s = await ctx.clickup.setCustomFieldValue(same.id, f.id, f.value);
          if (!s.ok) return outcomeFromRemote(s.error, `setting a field of ${same.id}`);
        }
        return advance(same.id, 'template_subtask_adopted');
      }
    }
    const cf = await fields.customFields(plan.listId, { ...step.fields, gb_key: key });
    if (!cf.ok) return refused(cf.reason);
    const created = await ctx.clickup.createTask(plan.listId, {
      name: step.name,
      markdown_content: step.markdown,
      assignees: step.assignees,
      parent: parent.cuTaskId,
      tags: ['gridbridge', plan.entity],
      custom_fields: cf.fields,
      ...(step.dueAt !== null ? { due_date: step.dueAt, due_date_time: true } : {}),
    });
    if (!created.ok && created.error.status === 400) {
      const d = await drift(false);
      if (d) return hold(d);
    }
    if (!created.ok) return outcomeFromRemote(created.error, `creating ${step.name}`);
    return advance(created.value.id, 'task_created');
  };
}

/** `group.finish`: a checklist per step and the dependencies between steps, each only if missing; then `onBuilt`. */
export function finishGroupHandler(ctx: SyncContext): TypedJobHandler<TaskGroupPayload<'group.finish'>> {
  return async ({ payload }) => {
    const { plan } = payload;
    const db = ctx.store.db;
    const ids = new Map<string, string>();
    for (const s of plan.steps) {
      const l = await getLink(db, plan.entity, groupEntityId(plan.groupId, s.key));
      if (!l) return { status: 'fail', error: `${plan.entity} ${plan.groupId}: step ${s.key} has no task` };
      ids.set(s.key, l.cuTaskId);
    }
    for (const s of plan.steps) {
      const taskId = ids.get(s.key)!;
      const t = await ctx.clickup.getTask(taskId);
      if (!t.ok) return outcomeFromRemote(t.error, `reading ${taskId}`);
      const task = t.value as ClickUpTask & {
        checklists?: Array<{ id: string; name: string; items?: Array<{ name: string }> }>;
        dependencies?: Array<{ task_id: string; depends_on: string }>;
      };
      if (s.checklist.length > 0) {
        let cl = (task.checklists ?? []).find((c) => c.name === s.name);
        if (!cl) {
          const made = await ctx.clickup.createChecklist(taskId, { name: s.name });
          if (!made.ok) return outcomeFromRemote(made.error, `adding the checklist of ${s.name}`);
          cl = { id: made.value.id, name: made.value.name, items: [] };
        }
        for (const item of s.checklist) {
          if ((cl.items ?? []).some((i) => i.name === item)) continue;
          const added = await ctx.clickup.createChecklistItem(cl.id, { name: item });
          if (!added.ok) return outcomeFromRemote(added.error, `adding "${item}" to ${s.name}`);
        }
      }
      for (const dep of s.dependsOn) {
        const on = ids.get(dep)!;
        if ((task.dependencies ?? []).some((d) => d.task_id === taskId && d.depends_on === on)) continue;
        const added = await ctx.clickup.addDependency(taskId, { dependsOn: on });
        if (!added.ok) return outcomeFromRemote(added.error, `making ${s.name} wait for ${dep}`);
      }
    }
    return {
      status: 'done',
      commit: async (trx) => {
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: plan.entity,
            entityId: plan.groupId,
            action: 'group_built',
            after: { tasks: plan.steps.length + 1 },
          },
          ctx.now(),
        );
        if (plan.onBuilt)
          await enqueueFlowJobs(ctx, trx, [
            { ...plan.onBuilt, key: `${plan.onBuilt.kind}:${plan.groupId}`, queueKey: queueOf(plan) },
          ]);
      },
    };
  };
}
