import { ok, type Result } from '../../core/result.ts';
import { parseResponse } from './parse.ts';
import { seg, taskAddress, type TaskRef } from './taskRef.ts';
import type { ResourceContext } from './tasks.ts';
import { invalidInput } from './transport.ts';
import {
  checklistEnvelopeSchema,
  type ClickUpChecklist,
  type CreateChecklistBody,
  type CreateChecklistItemBody,
  type EditChecklistBody,
  type EditChecklistItemBody,
} from './types.ts';

/** POST /v2/task/{task_id}/checklist */
export async function createChecklist(
  c: ResourceContext,
  ref: TaskRef,
  body: CreateChecklistBody,
): Promise<Result<ClickUpChecklist>> {
  const a = taskAddress(ref, c.teamId);
  if (typeof a === 'string') return invalidInput('createChecklist', a);
  const r = parseResponse(
    checklistEnvelopeSchema,
    'createChecklist',
    await c.t.request({ method: 'POST', path: `${a.path}/checklist`, query: a.query, json: body }),
  );
  return r.ok ? ok(r.value.checklist) : r;
}

/** PUT /v2/checklist/{checklist_id} */
export async function editChecklist(
  c: ResourceContext,
  checklistId: string,
  body: EditChecklistBody,
): Promise<Result<void>> {
  const r = await c.t.request<unknown>({ method: 'PUT', path: `/v2/checklist/${seg(checklistId)}`, json: body });
  return r.ok ? ok(undefined) : r;
}

/** DELETE /v2/checklist/{checklist_id} */
export async function deleteChecklist(c: ResourceContext, checklistId: string): Promise<Result<void>> {
  const r = await c.t.request<unknown>({ method: 'DELETE', path: `/v2/checklist/${seg(checklistId)}` });
  return r.ok ? ok(undefined) : r;
}

/** POST /v2/checklist/{checklist_id}/checklist_item → the checklist with its items. */
export async function createChecklistItem(
  c: ResourceContext,
  checklistId: string,
  body: CreateChecklistItemBody,
): Promise<Result<ClickUpChecklist>> {
  const r = parseResponse(
    checklistEnvelopeSchema,
    'createChecklistItem',
    await c.t.request({ method: 'POST', path: `/v2/checklist/${seg(checklistId)}/checklist_item`, json: body }),
  );
  return r.ok ? ok(r.value.checklist) : r;
}

/** PUT /v2/checklist/{checklist_id}/checklist_item/{checklist_item_id} (e.g. {resolved: true}). */
export async function editChecklistItem(
  c: ResourceContext,
  checklistId: string,
  itemId: string,
  body: EditChecklistItemBody,
): Promise<Result<ClickUpChecklist>> {
  const r = parseResponse(
    checklistEnvelopeSchema,
    'editChecklistItem',
    await c.t.request({
      method: 'PUT',
      path: `/v2/checklist/${seg(checklistId)}/checklist_item/${seg(itemId)}`,
      json: body,
    }),
  );
  return r.ok ? ok(r.value.checklist) : r;
}

/** DELETE /v2/checklist/{checklist_id}/checklist_item/{checklist_item_id} */
export async function deleteChecklistItem(
  c: ResourceContext,
  checklistId: string,
  itemId: string,
): Promise<Result<void>> {
  const r = await c.t.request<unknown>({
    method: 'DELETE',
    path: `/v2/checklist/${seg(checklistId)}/checklist_item/${seg(itemId)}`,
  });
  return r.ok ? ok(undefined) : r;
}
