import type { SyncContext } from '../../sync/context.ts';
import type { JobHandler } from '../../sync/dispatcher.ts';
import type { TypedJobHandler } from '../../sync/flowModule.ts';
import type { JobPayload } from '../catalogue.ts';
import { recordLink } from '../../store/ops/links.ts';
import { getCaseWithLink } from '../../store/ops/caseWithLink.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { rememberField } from '../../store/ops/fieldMemory.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { newJob } from '../catalogue.ts';
import { decideFirstStatus, toPartnerStatus } from '../02-status-sync/decisions/statusMap.ts';
import { decideEditDirection } from '../02-status-sync/decisions/editDirection.ts';
import { shareField } from '../../core/sharing/rules.ts';
import { sharingRulesOf } from '../../config/sharingSchema.ts';
import { mappedTaskExtras, type MappedTaskExtras } from './mapping/effects.ts';
import { sideStamp } from '../shared/sideStamp.ts';
import { SETTABLE_CASE_STATUSES } from '../../connectors/tradinggrid/events.ts';
import { findSavedTask } from '../shared/saved.ts';
import { fieldDrift, statusDrift, type Drift } from '../02-status-sync/decisions/mappingDrift.ts';
import {
  checkMappingHealth,
  holdForMapping,
  MAPPING_HEALTH_CURSOR,
  parseMappingHealth,
} from '../02-status-sync/mappingHealth.ts';

const settable = new Set<string>(SETTABLE_CASE_STATUSES);

/**
 * `clickup.create_task`: one ClickUp task per case. The link store is checked first; after a crash
 * between "created" and "recorded", or a create whose answer was lost (attempt > 1 either way), the task
 * is looked up by its TG case id field (exact match) before another is created; two tasks with that id
 * are a dead letter naming them. Normal path: exactly one ClickUp call.
 */
export function createTaskHandler(ctx: SyncContext): TypedJobHandler<JobPayload<'clickup.create_task'>> {
  return async ({ payload: intent, attempt, job }) => {
    const db = ctx.store.db;
    // The link guard, the record the mappings read and the last mapping check's findings, in one round trip.
    const known = await getCaseWithLink(db, intent.caseId, MAPPING_HEALTH_CURSOR);
    if (known.link) return { status: 'done' };

    let extras: MappedTaskExtras | null = null;
    // The task takes the case's state; the partner hears only a step forward.
    const first = decideFirstStatus({
      partnerSees: known.record?.partnerStatus ?? 'open',
      onCreated: ctx.config.sync.status_on_task_created,
      statusMap: ctx.config.clickup.status_map,
      back: ctx.config.clickup.status_to_clickup,
      direction: ctx.config.sync.status.direction,
    });
    const record = (
      taskId: string,
      how: string,
      clickUpStatus: string | null,
      stampedAt: string | null | undefined,
      movedByPerson = false,
    ) => ({
      status: 'done' as const,
      commit: async (
        trx: Parameters<NonNullable<Extract<Awaited<ReturnType<JobHandler>>, { status: 'done' }>['commit']>>[0],
      ) => {
        const now = ctx.now();
        // A task we just created holds nothing we do not know: the catch-up need not read it for files.
        const seenAt = how === 'task_created' ? sideStamp(stampedAt, now) : null;
        const link = await recordLink(
          trx,
          { entity: 'case', entityId: intent.caseId, cuTaskId: taskId, cuListId: intent.listId, seenAt },
          now,
        );
        await appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: intent.caseId,
            action: how,
            after: { cuTaskId: link.cuTaskId, listId: intent.listId },
          },
          now,
        );
        await extras?.commit(trx, intent.caseId, now);
        // The task's first status is what ClickUp shows, as of ClickUp's stamp (a person may move it before this
        // commit runs); the partner learns the case was received.
        const initial = clickUpStatus ? toPartnerStatus(clickUpStatus, ctx.config.clickup.status_map) : null;
        if (initial)
          await rememberField(trx, 'case', intent.caseId, 'status', 'clickup', {
            value: initial,
            at: sideStamp(stampedAt, now),
          });
        if (clickUpStatus)
          await rememberField(trx, 'case', intent.caseId, 'status_name', 'clickup', {
            value: clickUpStatus,
            at: sideStamp(stampedAt, now),
          });
        // A task found after a crash may have been moved by a person while it was not linked yet (those
        // events were ignored): the partner gets that status rather than the first one. Otherwise the
        // partner gets status_on_task_created only when it is a step forward from what it sees now: an
        // old case (backfill, or changed after go-live) is never told "received" again nor moved back.
        const partnerSees = known.record?.partnerStatus ?? 'open';
        const toPartner = decideEditDirection(ctx.config.sync.status.direction, 'clickup');
        const target =
          movedByPerson && initial && settable.has(initial)
            ? initial !== partnerSees && toPartner.cross
              ? initial
              : null
            : first.toPartner;
        if (!toPartner.cross && (movedByPerson || ctx.config.sync.status_on_task_created))
          await appendAudit(
            trx,
            {
              actor: 'gridbridge',
              entity: 'case',
              entityId: intent.caseId,
              action: 'status_not_sent',
              after: { what: 'first status', reason: toPartner.reason },
            },
            now,
          );
        if (partnerSees !== 'open')
          await rememberField(trx, 'case', intent.caseId, 'status', 'agreed', {
            value: partnerSees,
            at: known.record?.updatedAt ?? now,
          });
        const v = shareField(sharingRulesOf(ctx.config), 'cases', 'status');
        if (target && !v.share)
          await appendAudit(
            trx,
            {
              actor: 'gridbridge',
              entity: 'case',
              entityId: intent.caseId,
              action: 'kept_internal',
              after: { what: 'status', status: target, reason: v.reason },
            },
            now,
          );
        else if (target && v.share) {
          const rule = movedByPerson
            ? v.rule
            : `sync.status_on_task_created (${target}); the partner saw ${partnerSees}`;
          await enqueueJobs(
            trx,
            [
              newJob(
                'tradinggrid.set_status',
                { caseId: intent.caseId, status: target, at: now, sharedBy: rule },
                { key: `tg.set_status:${intent.caseId}:created:${target}`, queueKey: `case:${intent.caseId}` },
              ),
            ],
            now,
            ctx.config.dispatcher.max_attempts,
          );
        } else if (
          toPartner.cross &&
          !movedByPerson &&
          ctx.config.sync.status_on_task_created &&
          partnerSees !== 'open'
        ) {
          await appendAudit(
            trx,
            {
              actor: 'gridbridge',
              entity: 'case',
              entityId: intent.caseId,
              action: 'first_status_kept',
              after: {
                partnerSees,
                taskStatus: first.taskStatus,
                reason: `the partner already sees ${partnerSees}: no status sent`,
              },
            },
            now,
          );
        }
      },
    });

    if (attempt > 1) {
      await ctx.fields.ensure(intent.listId);
      const idField = ctx.fields.field(intent.listId, 'tg_case_id');
      if (idField) {
        const found = await findSavedTask(
          ctx,
          intent.listId,
          idField.id,
          intent.caseId,
          `the task of case ${intent.caseId}`,
          job,
        );
        if (!found.ok) return found.outcome;
        const match = found.value;
        if (match)
          return record(
            match.id,
            'task_found_after_retry',
            match.status?.status ?? null,
            match.date_updated,
            match.status?.type !== undefined && match.status.type !== 'open',
          );
      }
    }

    // A status, field or option of this list renamed or deleted in ClickUp: the task waits for the mapping to fit.
    const driftStop = (drift: Drift[]) =>
      (first.taskStatus ? statusDrift(drift, intent.listId, first.taskStatus) : null) ??
      fieldDrift(drift, intent.listId, intent.task.fields);
    const hold = (d: Drift) =>
      holdForMapping(
        ctx,
        { kind: job.kind, key: job.key, queueKey: `case:${intent.caseId}`, payload: intent },
        intent.caseId,
        d,
      );
    const knownDrift = driftStop(parseMappingHealth(known.cursor).drift);
    if (knownDrift) return hold(knownDrift);
    const recheck = async () => driftStop((await checkMappingHealth(ctx, [intent.listId])).drift);
    // A configured field the list does not have (deleted since the resolver read it) would be left out silently.
    const have = await ctx.fields.ensure(intent.listId);
    const names = ctx.config.clickup.fields as Record<string, string | undefined>;
    if (Object.entries(intent.task.fields).some(([k, v]) => v !== null && names[k] && !have.has(k))) {
      const d = await recheck();
      if (d) return hold(d);
    }
    const cf = await ctx.fields.customFields(intent.listId, intent.task.fields);
    if (!cf.ok) {
      const d = await recheck();
      if (d) return hold(d);
      return { status: 'fail', error: `case ${intent.caseId}: ${cf.reason}` };
    }
    const mapped = await mappedTaskExtras(ctx, intent.caseId, intent.listId, known.record);
    if (!mapped.ok) return mapped.outcome;
    extras = mapped.extras;
    const t = intent.task;
    const created = await ctx.clickup.createTask(intent.listId, {
      name: t.name,
      markdown_content: t.markdown,
      ...(first.taskStatus ? { status: first.taskStatus } : {}),
      priority: extras?.priority ?? t.priority,
      ...(t.dueAt !== null || extras?.dueAt !== undefined
        ? { due_date: extras?.dueAt ?? t.dueAt!, due_date_time: true }
        : {}),
      tags: t.tags,
      custom_fields: extras ? extras.customFields(cf.fields) : cf.fields,
      ...(extras && extras.assignees.length > 0 ? { assignees: extras.assignees } : {}),
    });
    if (!created.ok && created.error.status === 400) {
      const d = await recheck();
      if (d) return hold(d);
    }
    if (!created.ok) return outcomeFromRemote(created.error, `creating the ClickUp task of case ${intent.caseId}`);
    return record(
      created.value.id,
      'task_created',
      created.value.status?.status ?? null,
      created.value.date_updated ?? created.value.date_created,
    );
  };
}
