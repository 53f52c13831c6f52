import { createHash } from 'node:crypto';
import type { SyncContext } from '../../sync/context.ts';
import type { JobOutcome } from '../../sync/dispatcher.ts';
import type { ClickUpTask, CreateCommentBody } from '../../connectors/clickup/types.ts';
import { outcomeFromRemote } from '../../sync/outcome.ts';
import { savedTaskReadsFor } from './savedTaskReads.ts';
import { listReadyRetries } from '../../store/ops/listReadyRetries.ts';
import type { JobRow } from '../../store/ops/claimJobs.ts';

/**
 * "Find out before sending again". A create whose answer was lost (a 5xx, a reset, a timeout after the
 * request left) may have been saved: the transport never repeats it in place (RemoteError.ambiguous),
 * the job fails retryably, and its next attempt (attempt > 1, as after a crash) looks for the saved
 * write before creating again. These are the look-ups shared by the handlers; each flow's identifying
 * mark is listed in the README's design notes.
 */

export type Found<T> = { ok: true; value: T } | { ok: false; outcome: JobOutcome };

/**
 * The one task of `listId` whose text field `fieldId` is exactly `value` (ClickUp's `==`, compared again
 * by the connector). Several is an error that names them: we do not guess which one is ours.
 * `job` (the asking job, as claimed): the look-up may be answered together with the others of the list, by a
 * read of the tasks created since the job was queued, made for them or kept from a read made after this
 * job's earlier runs had ended (savedTaskReads.ts).
 */
export async function findSavedTask(
  ctx: SyncContext,
  listId: string,
  fieldId: string,
  value: string,
  what: string,
  job?: JobRow,
): Promise<Found<ClickUpTask | null>> {
  const queuedAt = Number(job?.created_at);
  const found =
    job && Number.isFinite(queuedAt)
      ? await savedTaskReadsFor(ctx.clickup, ctx.now, (kinds) => listReadyRetries(ctx.store.db, kinds)).find(
          listId,
          fieldId,
          value,
          queuedAt,
          { id: Number(job.id), kind: job.kind, claims: numberOr(job.claims), crashes: numberOr(job.crashes) },
        )
      : await ctx.clickup.findTasksByCustomField(listId, fieldId, value);
  if (!found.ok) return { ok: false, outcome: outcomeFromRemote(found.error, `looking for ${what}`) };
  return oneOrNone(found.value, `${what} ("${value}")`);
}

/** A count as the store returned it (PostgreSQL's bigint as a string), or undefined when it is not there. */
function numberOr(v: number | string | null | undefined): number | undefined {
  return v === undefined || v === null ? undefined : Number(v);
}

/** At most one task: several is a dead letter naming each (id and name), not a guess. */
export function oneOrNone(tasks: ClickUpTask[], what: string): Found<ClickUpTask | null> {
  if (tasks.length <= 1) return { ok: true, value: tasks[0] ?? null };
  const names = tasks.map((t) => `${t.id} "${t.name}"`).join(', ');
  return {
    ok: false,
    outcome: {
      status: 'fail',
      error: `${tasks.length} ClickUp tasks are ${what}: ${names}. The bridge does not guess which is its own: delete or unmark the extra ones, then replay this dead letter`,
    },
  };
}

/**
 * Our mark on a comment we post: a short `[gb:<12 hex>]` on its own last line, derived from the job key
 * (the same on every attempt). ClickUp comments have no idempotency key or custom field, and zero-width
 * characters may be normalised away by ClickUp's editor; a short visible tag survives and is searchable.
 */
export function commentMarker(key: string): string {
  return `[gb:${createHash('sha256').update(key).digest('hex').slice(0, 12)}]`;
}

/**
 * Posts `body` on the task once per `key`: the marker goes on its last line; from the second attempt on
 * the task's comments are read first and a comment carrying the marker counts as posted.
 * Resolves to the comment id and whether it was found (posted by an earlier attempt), or an outcome.
 */
export async function commentOnce(
  ctx: SyncContext,
  taskId: string,
  body: CreateCommentBody,
  key: string,
  attempt: number,
): Promise<Found<{ id: string; found: boolean }>> {
  const marker = commentMarker(key);
  if (attempt > 1) {
    const list = await ctx.clickup.listComments(taskId);
    if (!list.ok) return { ok: false, outcome: outcomeFromRemote(list.error, `reading comments of task ${taskId}`) };
    const same = list.value.find((c) => c.comment_text.includes(marker));
    if (same) return { ok: true, value: { id: same.id, found: true } };
  }
  const made = await ctx.clickup.createComment(taskId, { ...body, comment_text: `${body.comment_text}\n${marker}` });
  if (!made.ok) return { ok: false, outcome: outcomeFromRemote(made.error, `commenting on task ${taskId}`) };
  return { ok: true, value: { id: String(made.value.id), found: false } };
}

/** A tag that finds a task again (tags are lower case in ClickUp); long ids are hashed to stay short. */
export function lookupTag(prefix: string, id: string): string {
  const safe = id.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return `${prefix}-${safe.length <= 40 ? safe : createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
}
