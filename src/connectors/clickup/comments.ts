import { ok, type Result } from '../../core/result.ts';
import { parseResponse } from './parse.ts';
import { taskAddress, type TaskRef } from './taskRef.ts';
import type { ResourceContext } from './tasks.ts';
import { invalidInput } from './transport.ts';
import {
  commentsSchema,
  createdCommentSchema,
  type ClickUpComment,
  type CreateCommentBody,
  type CreatedComment,
} from './types.ts';

/** POST /v2/task/{task_id}/comment */
export async function createComment(
  c: ResourceContext,
  ref: TaskRef,
  body: CreateCommentBody,
): Promise<Result<CreatedComment>> {
  const a = taskAddress(ref, c.teamId);
  if (typeof a === 'string') return invalidInput('createComment', a);
  return parseResponse(
    createdCommentSchema,
    'createComment',
    await c.t.request({ method: 'POST', path: `${a.path}/comment`, query: a.query, json: body }),
  );
}

/** GET /v2/task/{task_id}/comment, newest first; pages back (25 a time, `start`/`start_id`) to the oldest. */
export async function listComments(
  c: ResourceContext,
  ref: TaskRef,
  maxPages = 1000,
): Promise<Result<ClickUpComment[]>> {
  const a = taskAddress(ref, c.teamId);
  if (typeof a === 'string') return invalidInput('listComments', a);
  const all: ClickUpComment[] = [];
  let cursor: { start: number; start_id: string } | undefined;
  for (let i = 0; i < maxPages; i++) {
    const r = parseResponse(
      commentsSchema,
      'listComments',
      await c.t.request({ method: 'GET', path: `${a.path}/comment`, query: { ...a.query, ...cursor } }),
    );
    if (!r.ok) return r;
    all.push(...r.value.comments);
    const oldest = r.value.comments.at(-1);
    if (r.value.comments.length < 25 || !oldest) break;
    cursor = { start: Number(oldest.date), start_id: oldest.id };
  }
  return ok(all);
}
