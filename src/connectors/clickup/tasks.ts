import { err, ok, type Result } from '../../core/result.ts';
import { parseResponse } from './parse.ts';
import { taskAddress, seg, type TaskRef } from './taskRef.ts';
import { invalidInput, type ClickUpTransport } from './transport.ts';
import {
  taskSchema,
  tasksPageSchema,
  type ClickUpTask,
  type CreateTaskBody,
  type GetTasksQuery,
  type UpdateTaskBody,
} from './types.ts';

export interface ResourceContext {
  t: ClickUpTransport;
  teamId?: string;
}

/** Query for listing tasks; `page` is driven by the pager. Array filters go out as `name[]=` like ClickUp's docs. */
export type ListTasksQuery = Omit<GetTasksQuery, 'page'>;

export interface GetTaskOptions {
  includeSubtasks?: boolean;
  includeMarkdown?: boolean;
}

/** POST /v2/list/{list_id}/task */
export async function createTask(
  c: ResourceContext,
  listId: string,
  body: CreateTaskBody,
): Promise<Result<ClickUpTask>> {
  const where = `createTask(list ${listId})`;
  return parseResponse(
    taskSchema,
    where,
    await c.t.request({ method: 'POST', path: `/v2/list/${seg(listId)}/task`, json: body }),
  );
}

/** PUT /v2/task/{task_id} */
export async function updateTask(c: ResourceContext, ref: TaskRef, body: UpdateTaskBody): Promise<Result<ClickUpTask>> {
  const a = taskAddress(ref, c.teamId);
  if (typeof a === 'string') return invalidInput('updateTask', a);
  return parseResponse(
    taskSchema,
    'updateTask',
    await c.t.request({ method: 'PUT', path: a.path, query: a.query, json: body }),
  );
}

/** GET /v2/task/{task_id} */
export async function getTask(
  c: ResourceContext,
  ref: TaskRef,
  opts: GetTaskOptions = {},
): Promise<Result<ClickUpTask>> {
  const a = taskAddress(ref, c.teamId);
  if (typeof a === 'string') return invalidInput('getTask', a);
  const query = {
    ...a.query,
    include_subtasks: opts.includeSubtasks,
    include_markdown_description: opts.includeMarkdown,
  };
  return parseResponse(taskSchema, 'getTask', await c.t.request({ method: 'GET', path: a.path, query }));
}

/** DELETE /v2/task/{task_id} */
export async function deleteTask(c: ResourceContext, ref: TaskRef): Promise<Result<void>> {
  const a = taskAddress(ref, c.teamId);
  if (typeof a === 'string') return invalidInput('deleteTask', a);
  const r = await c.t.request<unknown>({ method: 'DELETE', path: a.path, query: a.query });
  return r.ok ? ok(undefined) : r;
}

const ARRAY_PARAMS = new Set(['statuses', 'assignees', 'watchers', 'tags', 'custom_items']);

function toQuery(
  q: ListTasksQuery,
  page: number,
): Record<string, string | number | boolean | undefined | Array<string | number>> {
  const out: Record<string, string | number | boolean | undefined | Array<string | number>> = { page };
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    if (k === 'custom_fields' || k === 'custom_field') {
      // A JSON-encoded filter array, sent as one value.
      out[k] = Array.isArray(v) ? (v.length === 1 ? String(v[0]) : JSON.stringify(v)) : String(v);
    } else if (ARRAY_PARAMS.has(k) && Array.isArray(v)) {
      out[`${k}[]`] = v;
    } else out[k] = v;
  }
  return out;
}

/** GET /v2/list/{list_id}/task, every page (100 a time) until `last_page`. */
export async function listTasks(
  c: ResourceContext,
  listId: string,
  query: ListTasksQuery = {},
  maxPages = 10_000,
): Promise<Result<ClickUpTask[]>> {
  const all: ClickUpTask[] = [];
  for (let page = 0; page < maxPages; page++) {
    const where = `listTasks(list ${listId}, page ${page})`;
    const r = parseResponse(
      tasksPageSchema,
      where,
      await c.t.request({ method: 'GET', path: `/v2/list/${seg(listId)}/task`, query: toQuery(query, page) }),
    );
    if (!r.ok) return r;
    all.push(...r.value.tasks);
    const last = r.value.last_page ?? r.value.tasks.length < 100;
    if (last || r.value.tasks.length === 0) return ok(all);
  }
  return err({
    code: 'clickup:too_many_pages',
    retryable: false,
    detail: `listTasks(list ${listId}): more than ${maxPages} pages`,
  });
}

/**
 * Tasks of a list whose custom field equals `value` (closed tasks and subtasks included), through the
 * `custom_fields` filter: how the dispatcher finds a task it created before a crash or a lost answer.
 * ClickUp's `=` is "contains" for text fields (`CASE-1` finds `CASE-10`), `==` the exact match
 * ("Filter tasks using Custom Fields", https://developer.clickup.com/docs/taskfilters); `==` is sent
 * and each hit's value is compared again here, so a filter that matched loosely cannot adopt a stranger.
 */
export async function findTasksByCustomField(
  c: ResourceContext,
  listId: string,
  fieldId: string,
  value: string | number | boolean,
): Promise<Result<ClickUpTask[]>> {
  const filter = JSON.stringify([{ field_id: fieldId, operator: '==', value }]);
  const r = await listTasks(c, listId, { custom_fields: [filter], include_closed: true, subtasks: true });
  if (!r.ok) return r;
  return ok(r.value.filter((t) => hasFieldValue(t, fieldId, value)));
}

/** Whether the task's custom field `fieldId` holds exactly `value` (compared as text, as ClickUp stores it). */
export function hasFieldValue(t: ClickUpTask, fieldId: string, value: string | number | boolean): boolean {
  return (t.custom_fields ?? []).some(
    (f) => f.id === fieldId && f.value !== undefined && f.value !== null && String(f.value) === String(value),
  );
}
