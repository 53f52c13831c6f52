import type { Transaction } from 'kysely';
import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { CuEntityRoute } from '../../sync/cuEntityRoute.ts';
import type { Database } from '../../store/schema.ts';
import type { PartnerStatus } from '../../core/case.ts';
import type { ClickUpWebhookEvent } from '../../connectors/clickup/types.ts';
import { decideFieldChange, type FieldDecision, type Side } from './decisions/fieldSync.ts';
import { toClickUpStatus, toPartnerStatus } from './decisions/statusMap.ts';
import { getFieldMemory, rememberField, type FieldMemory } from '../../store/ops/fieldMemory.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { checked, newJob, type Job, type JobInput, type JobKind, type QueuedJob } from '../catalogue.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { hasAttachmentDocument } from '../../store/ops/documents.ts';
import { getCase, saveCase } from '../../store/ops/cases.ts';
import { deleteLink } from '../../store/ops/links.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { enqueueGuarded, personOf } from '../shared/partnerGuard.ts';
import { isCasePausedByFilter } from '../01-case-intake/mapping/effects.ts';
import { needsCheckbox, shareComment, shareField, shareFile } from '../../core/sharing/rules.ts';
import { sharingRulesOf } from '../../config/sharingSchema.ts';
import { clickUpFieldEdits } from './fieldEdits.ts';
import { recordMappingHold, unmappedActor } from './mappingHealth.ts';

type HistoryItem = NonNullable<ClickUpWebhookEvent['history_items']>[number];

const STATUS = 'status';
const FLOW = 'cases';

interface ClickUpHistoryAttachment {
  id?: string;
  title?: string;
  url?: string;
  mimetype?: string;
}
interface ClickUpHistoryComment {
  id?: string;
  text_content?: string;
  comment_text?: string;
  user?: { username?: string; email?: string };
  /** The comment's parts; a file attached in the comment is a part of type "attachment". */
  comment?: Array<{ type?: string; attachment?: ClickUpHistoryAttachment }>;
}

function commentAttachments(c: ClickUpHistoryComment | undefined): ClickUpHistoryAttachment[] {
  return (c?.comment ?? []).filter((p) => p?.type === 'attachment' && p.attachment?.id).map((p) => p.attachment!);
}

/** A checkbox custom field's value on a task (ClickUp gives true, "true" or nothing). */
export function checkboxValue(t: { custom_fields?: Array<{ name: string; value?: unknown }> }, name: string): boolean {
  const f = (t.custom_fields ?? []).find((x) => x.name.trim().toLowerCase() === name.trim().toLowerCase());
  return f?.value === true || f?.value === 'true';
}

/** Jobs of one case run in order; every effect job carries its own idempotency key. */
function effect<K extends JobKind>(
  caseId: string,
  kind: K,
  key: string,
  payload: JobInput<K>,
  maxAttempts: number,
): QueuedJob<K> {
  return newJob(kind, payload, { key, queueKey: `case:${caseId}`, maxAttempts });
}

function itemTime(item: HistoryItem, fallback: number): number {
  const t = Number(item.date);
  return Number.isFinite(t) && t > 0 ? t : fallback;
}

function statusName(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { status?: unknown }).status === 'string')
    return (v as { status: string }).status;
  return null;
}

/** Apply a field decision's memory changes and effects inside the job's transaction. */
async function commitStatusDecision(
  ctx: SyncContext,
  trx: Transaction<Database>,
  caseId: string,
  change: { side: Side; value: string; at: number },
  d: FieldDecision,
  jobs: Job[],
): Promise<void> {
  const now = ctx.now();
  if (d.action === 'ignore') {
    if (d.remember) await rememberField(trx, 'case', caseId, STATUS, change.side, d.remember);
    return;
  }
  await rememberField(trx, 'case', caseId, STATUS, change.side, { value: change.value, at: change.at });
  const to = d.to;
  const partnerStatus = d.value as PartnerStatus;
  if (to === 'tradinggrid') {
    const v = shareField(sharingRulesOf(ctx.config), FLOW, STATUS);
    if (!v.share) {
      await appendAudit(
        trx,
        {
          actor: 'gridbridge',
          entity: 'case',
          entityId: caseId,
          action: 'kept_internal',
          after: { what: 'status', status: partnerStatus, reason: v.reason },
        },
        now,
      );
      return;
    }
    jobs.push(
      effect(
        caseId,
        'tradinggrid.set_status',
        `tg.set_status:${caseId}:${change.side}:${change.at}:${d.value}`,
        { caseId, status: partnerStatus, at: d.at, sharedBy: v.rule },
        ctx.config.dispatcher.max_attempts,
      ),
    );
  } else {
    const cuStatus = toClickUpStatus(
      partnerStatus,
      ctx.config.clickup.status_map,
      ctx.config.clickup.status_to_clickup,
    );
    if (!cuStatus) {
      await appendAudit(
        trx,
        {
          actor: 'gridbridge',
          entity: 'case',
          entityId: caseId,
          action: 'status_not_mapped_to_clickup',
          after: { partnerStatus },
        },
        now,
      );
      return;
    }
    jobs.push(
      effect(
        caseId,
        'clickup.set_status',
        `cu.set_status:${caseId}:${change.side}:${change.at}:${d.value}`,
        { caseId, status: partnerStatus, clickUpStatus: cuStatus, at: d.at },
        ctx.config.dispatcher.max_attempts,
      ),
    );
  }
  if (d.action === 'resolve_conflict') {
    await appendAudit(
      trx,
      {
        actor: 'gridbridge',
        entity: 'case',
        entityId: caseId,
        action: 'status_conflict_resolved',
        before: { [d.winner === 'clickup' ? 'tradinggrid' : 'clickup']: d.loserValue },
        after: { winner: d.winner, value: d.value },
      },
      now,
    );
  }
}

/** Decide one status change against the memory (pure decision), and move `memory` as the commit will. */
function decideStatusWith(
  ctx: SyncContext,
  memory: FieldMemory,
  change: { side: Side; value: string; at: number },
): FieldDecision {
  const decision = decideFieldChange(
    change,
    { clickup: memory.clickup, tradinggrid: memory.tradinggrid },
    memory.agreed?.value ?? null,
    ctx.config.sync.status,
  );
  if (decision.action === 'ignore') {
    if (decision.remember) memory[change.side] = decision.remember;
  } else memory[change.side] = { value: change.value, at: change.at };
  return decision;
}

/** Decide one status change against the stored memory. */
export async function decideStatus(
  ctx: SyncContext,
  caseId: string,
  change: { side: Side; value: string; at: number },
): Promise<FieldDecision> {
  return decideStatusWith(ctx, await getFieldMemory(ctx.store.db, 'case', caseId, STATUS), change);
}

/**
 * A history item saying the task's files changed. ClickUp has no attachment event and does not document
 * the item a new file brings inside its `taskUpdated` (docs/CLICKUP.md): any field naming attachments counts.
 */
export function isAttachmentItem(item: { field?: string }): boolean {
  return typeof item.field === 'string' && /attachment/i.test(item.field);
}

/**
 * ClickUp changes on a case task (flows 2 and 3): status → partner status, partner-flagged comments →
 * case comments, new attachments → partner documents. Each becomes its own idempotent job; echoes of our
 * own writes and stale deliveries cost no call.
 */
export const caseClickUpRoute: CuEntityRoute = async (ctx, ev, link): Promise<JobOutcome> => {
  const caseId = link.entityId;
  if (ev.event === 'taskDeleted' || (ev.history_items ?? []).some((i) => i.field === 'deleted'))
    return taskDeleted(ctx, caseId, link.cuTaskId);
  // Changes made with our own token (the integration user) are never echoed back, whatever their value.
  const items = [...(ev.history_items ?? [])]
    .filter((i) => !ctx.mapping?.isOwnChange(i))
    .sort((a, b) => itemTime(a, 0) - itemTime(b, 0));
  if (items.length === 0) return { status: 'done' };
  // A case that left mapping.filters.cases on the Trading Grid side is paused: nothing reaches the partner.
  if (await isCasePausedByFilter(ctx, caseId)) {
    return {
      status: 'done',
      commit: (trx) =>
        appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: caseId,
            action: 'clickup_change_paused',
            after: {
              taskId: ev.task_id,
              reason: 'the case left mapping.filters.cases',
              fields: items.map((i) => i.field),
            },
          },
          ctx.now(),
        ),
    };
  }
  // mapping.filters.clickup_updates: a task that no longer matches stops syncing; it is not a closed case.
  const gate = ctx.mapping ? await ctx.mapping.taskVerdict(ev.task_id!, link.cuListId) : { sync: true as const };
  if ('error' in gate)
    return outcomeFromRemote(
      { code: 'clickup_read', retryable: gate.retryable, detail: gate.error },
      `reading task ${ev.task_id} for the update filter`,
    );
  if (!gate.sync) {
    const reason = gate.reason;
    return {
      status: 'done',
      commit: (trx) =>
        appendAudit(
          trx,
          {
            actor: 'gridbridge',
            entity: 'case',
            entityId: caseId,
            action: 'clickup_update_filtered',
            after: { taskId: ev.task_id, reason, fields: items.map((i) => i.field) },
          },
          ctx.now(),
        ),
    };
  }
  const jobs: Job[] = [];
  const statusChanges: Array<{ change: { side: Side; value: string; at: number }; decision: FieldDecision }> = [];
  let memory: FieldMemory | undefined;
  const audits: Array<{ action: string; after: unknown }> = [];
  const max = ctx.config.dispatcher.max_attempts;
  const rules = sharingRulesOf(ctx.config);
  const fileCandidates: Array<{ a: ClickUpHistoryAttachment; inSharedComment: boolean }> = [];
  const statusNames: Array<{ value: string; at: number }> = [];
  const unmapped: Array<{ item: HistoryItem; name: string; at: number }> = [];
  // A status the map does not know may be one a person added that the mapping lacks yet: when ClickUp statuses
  // reach the partner it is held (not dropped) until the map names it or an admin drops it.
  const toPartnerAllowed = ['both', 'to_tradinggrid'].includes(ctx.config.sync.status.direction);
  let readFiles = false;
  for (const item of items) {
    const at = itemTime(item, ctx.now());
    if (item.field === 'status') {
      const name = statusName(item.after);
      if (!name) continue;
      // The task's status as ClickUp names it, for the console and the API (the memory above keeps the partner's).
      statusNames.push({ value: name, at });
      const partner = toPartnerStatus(name, ctx.config.clickup.status_map);
      if (!partner) {
        if (toPartnerAllowed) unmapped.push({ item, name, at });
        else audits.push({ action: 'clickup_status_not_mapped', after: { clickUpStatus: name } });
        continue;
      }
      const change = { side: 'clickup' as const, value: partner, at };
      // Decisions within one delivery see the memory as it will be after the earlier ones.
      memory ??= await getFieldMemory(ctx.store.db, 'case', caseId, STATUS);
      statusChanges.push({ change, decision: decideStatusWith(ctx, memory, change) });
    } else if (item.field === 'comment') {
      const c = (item as { comment?: ClickUpHistoryComment }).comment;
      const text = (c?.text_content ?? c?.comment_text ?? '').trim();
      const commentId = String(c?.id ?? item.after ?? item.id);
      const author = c?.user?.username ?? c?.user?.email ?? 'internal team';
      const v = shareComment(rules, FLOW, { text });
      if (!v.share) {
        audits.push({
          action: 'kept_internal',
          after: { what: 'comment', clickUpCommentId: commentId, reason: v.reason },
        });
        continue;
      }
      jobs.push(
        effect(
          caseId,
          'tradinggrid.add_comment',
          `tg.add_comment:cu:${commentId}`,
          { caseId, body: v.text, author, clickUpCommentId: commentId, sharedBy: v.rule },
          max,
        ),
      );
      // Files attached in a comment for the partner go with it when the rule says so.
      for (const f of commentAttachments(c)) fileCandidates.push({ a: f, inSharedComment: true });
    } else if (isAttachmentItem(item)) {
      const a = item.after as { id?: unknown; title?: string; url?: unknown; mimetype?: string } | null;
      // ClickUp does not document this item's `after`: use it when it names the file, else read the task.
      if (a && typeof a === 'object' && typeof a.id === 'string' && typeof a.url === 'string')
        fileCandidates.push({
          a: { id: a.id, title: a.title, url: a.url, mimetype: a.mimetype },
          inSharedComment: false,
        });
      else readFiles = true;
    }
  }
  // Edits of synced task fields (name, description, priority, mapped custom fields), per their direction.
  const fieldEdits = await clickUpFieldEdits(ctx, caseId, items, (i) => itemTime(i, ctx.now()));
  if (fieldEdits) jobs.push(...fieldEdits.jobs);
  // The task as it is now, read at most once: its files when the item did not name them, its checkbox when the rule needs it.
  type TaskRead = {
    attachments?: Array<{ id?: unknown; title?: string; url?: unknown; mimetype?: string }>;
    custom_fields?: Array<{ name: string; value?: unknown }>;
  };
  let task: TaskRead | null = null;
  const readTask = async (why: string): Promise<JobOutcome | null> => {
    if (task) return null;
    const t = await ctx.clickup.getTask(ev.task_id!);
    if (!t.ok) return outcomeFromRemote(t.error, `reading task ${ev.task_id} for ${why}`);
    task = t.value;
    return null;
  };
  if (readFiles) {
    const failed = await readTask('its attachments');
    if (failed) return failed;
    for (const a of (task as TaskRead | null)?.attachments ?? []) {
      if (typeof a.id === 'string' && typeof a.url === 'string')
        fileCandidates.push({
          a: { id: a.id, title: a.title, url: a.url, mimetype: a.mimetype },
          inSharedComment: false,
        });
    }
  }
  // A file named twice (in a shared comment and as an attachment) is decided with what is known of both.
  const candidates = new Map<string, { a: ClickUpHistoryAttachment; inSharedComment: boolean }>();
  for (const f of fileCandidates) {
    if (!f.a.id || !f.a.url) continue;
    const prev = candidates.get(f.a.id);
    candidates.set(f.a.id, { a: f.a, inSharedComment: f.inSharedComment || (prev?.inSharedComment ?? false) });
  }
  const checkboxField = rules[FLOW]!.files.checkbox_field;
  for (const { a, inSharedComment } of candidates.values()) {
    const title = a.title ?? 'attachment';
    if (await hasAttachmentDocument(ctx.store.db, caseId, a.id!)) continue;
    if (needsCheckbox(rules, FLOW, { name: title, inSharedComment })) {
      // The checkbox is read as the task is now: a person ticks it before attaching the files to share.
      const failed = await readTask(`its "${checkboxField}" field`);
      if (failed) return failed;
    }
    const v = shareFile(rules, FLOW, {
      name: title,
      inSharedComment,
      checkbox: task ? checkboxValue(task, checkboxField) : null,
    });
    if (!v.share) {
      audits.push({
        action: 'kept_internal',
        after: { what: 'file', name: title, attachmentId: a.id, reason: v.reason },
      });
      continue;
    }
    jobs.push(
      effect(
        caseId,
        'tradinggrid.upload_document',
        `tg.upload_document:cu:${a.id}`,
        { caseId, attachmentId: a.id!, url: a.url!, title, contentType: a.mimetype ?? null, sharedBy: v.rule },
        max,
      ),
    );
  }
  if (
    jobs.length === 0 &&
    !fieldEdits &&
    audits.length === 0 &&
    statusNames.length === 0 &&
    unmapped.length === 0 &&
    statusChanges.every((s) => s.decision.action === 'ignore' && !s.decision.remember)
  )
    return { status: 'done' };
  return {
    status: 'done',
    commit: async (trx) => {
      for (const n of statusNames) await rememberField(trx, 'case', caseId, 'status_name', 'clickup', n);
      for (const s of statusChanges) await commitStatusDecision(ctx, trx, caseId, s.change, s.decision, jobs);
      for (const a of audits)
        await appendAudit(
          trx,
          { actor: 'gridbridge', entity: 'case', entityId: caseId, action: a.action, after: a.after },
          ctx.now(),
        );
      await fieldEdits?.commit(trx);
      for (const u of unmapped) await holdUnmappedStatus(ctx, trx, ev, caseId, link.cuListId, u);
      // One person's mass change (hundreds of tasks moved by mistake) is held for an admin past the limit.
      await enqueueGuarded(ctx, trx, personOf(items), jobs);
    },
  };
};

/**
 * Keep a move to a ClickUp status the status map does not name as a held change: the delivery with only that
 * status item, so its release reads it again (by then mapped) through this route, with the person who made it
 * (the bulk-change guard counts it then). Released by the mapping check once `clickup.status_map` names the
 * status (after a restart with the new config), or dropped by an admin (console, `gridbridge held drop`).
 */
async function holdUnmappedStatus(
  ctx: SyncContext,
  trx: Transaction<Database>,
  ev: Parameters<CuEntityRoute>[1],
  caseId: string,
  listId: string,
  u: { item: HistoryItem; name: string; at: number },
): Promise<void> {
  const reason = `ClickUp status "${u.name}" (task ${ev.task_id}, list ${listId}) is not in clickup.status_map, so the partner was told nothing: add it to clickup.status_map (or mapping.fields) and restart to send it, or drop this change`;
  await recordMappingHold(ctx, trx, {
    job: {
      kind: 'cu.event',
      key: `cu.event:unmapped:${caseId}:${u.name.trim().toLowerCase()}`,
      queueKey: `case:${caseId}`,
      payload: {
        ...ev,
        history_items: [u.item],
        webhook_id: 'held:unmapped_status',
        held_for: { entity: 'case', id: caseId },
      },
    },
    on: { entity: 'case', id: caseId },
    d: { listId, what: 'status', name: u.name, mapping: 'clickup.status_map', reason },
    actor: unmappedActor(u.name),
    once: true,
  });
}

/**
 * A person deleted the case's task. The link goes (nothing is sent to a task that is gone, nothing
 * dead-letters on it); then, per `sync.on_task_deleted`, a new task is made through the normal intake,
 * or the case stays unlinked and marked so the console says so and no later event makes a task again.
 * The partner is told nothing either way.
 */
async function taskDeleted(ctx: SyncContext, caseId: string, taskId: string): Promise<JobOutcome> {
  const recreate = ctx.config.sync.on_task_deleted === 'recreate';
  return {
    status: 'done',
    commit: async (trx) => {
      const now = ctx.now();
      if (!(await deleteLink(trx, 'case', caseId, taskId))) return; // a repeat of the same deletion
      const rec = await getCase(trx, caseId);
      if (recreate) {
        if (rec) await saveCase(trx, { ...rec, replacesTask: taskId, updatedAt: now });
        await enqueueJobs(
          trx,
          [
            newJob(
              'case.reintake',
              { caseId, source: rec?.source ?? 'community' },
              { key: `case.reintake:task_deleted:${caseId}:${taskId}`, queueKey: `case:${caseId}` },
            ),
          ],
          now,
          ctx.config.dispatcher.max_attempts,
        );
      } else if (rec) {
        const holdReason = `its ClickUp task ${taskId} was deleted on ${new Date(now).toISOString()}: the case is unlinked and nothing syncs to ClickUp (sync.on_task_deleted: leave_unlinked; set recreate to make a new task)`;
        await saveCase(trx, { ...rec, unlinked: { taskId, at: now }, holdReason, updatedAt: now });
      }
      await appendAudit(
        trx,
        {
          actor: 'clickup',
          entity: 'case',
          entityId: caseId,
          action: 'task_deleted',
          after: { cuTaskId: taskId, then: recreate ? 'recreate' : 'leave_unlinked' },
        },
        now,
      );
    },
  };
}

/** The ClickUp person behind a delivery's changes, as the bulk-change guard counts them. */
/**
 * A partner-side status seen on a `case.updated` event (flow 2, the way back). The event carries the
 * status, so an echo of our own write is recognised without reading the case again.
 */
export async function statusFromTradingGrid(
  ctx: SyncContext,
  caseId: string,
  status: PartnerStatus,
  at: number,
): Promise<JobOutcome> {
  const change = { side: 'tradinggrid' as const, value: status, at };
  const decision = await decideStatus(ctx, caseId, change);
  if (decision.action === 'ignore' && !decision.remember) return { status: 'done' };
  return {
    status: 'done',
    commit: async (trx) => {
      const jobs: Job[] = [];
      await commitStatusDecision(ctx, trx, caseId, change, decision, jobs);
      await enqueueJobs(trx, checked(jobs), ctx.now(), ctx.config.dispatcher.max_attempts);
    },
  };
}

/** A partner comment on the case becomes a ClickUp comment, attributed to the partner contact. */
export function partnerCommentToClickUp(ctx: SyncContext, caseId: string, commentId: string): JobOutcome {
  return {
    status: 'done',
    commit: async (trx) => {
      await enqueueJobs(
        trx,
        [partnerCommentJob(ctx, caseId, commentId)],
        ctx.now(),
        ctx.config.dispatcher.max_attempts,
      );
    },
  };
}

/** The job that shows a partner's comment on the case's task, keyed by the comment (one per comment). */
export function partnerCommentJob(
  ctx: SyncContext,
  caseId: string,
  commentId: string,
): QueuedJob<'clickup.add_comment'> {
  return effect(
    caseId,
    'clickup.add_comment',
    `cu.add_comment:tg:${commentId}`,
    { caseId, commentId },
    ctx.config.dispatcher.max_attempts,
  );
}
