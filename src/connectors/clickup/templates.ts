import { ok, type Result } from '../../core/result.ts';
import { parseResponse } from './parse.ts';
import { seg } from './taskRef.ts';
import type { ResourceContext } from './tasks.ts';
import {
  createdFromTemplateSchema,
  templatesSchema,
  type ClickUpTemplate,
  type CreateTaskFromTemplateBody,
} from './types.ts';

/** GET /v2/team/{team_id}/taskTemplate?page=, every page. */
export async function listTaskTemplates(
  c: ResourceContext,
  teamId: string,
  maxPages = 100,
): Promise<Result<ClickUpTemplate[]>> {
  const all: ClickUpTemplate[] = [];
  for (let page = 0; page < maxPages; page++) {
    const r = parseResponse(
      templatesSchema,
      'listTaskTemplates',
      await c.t.request({
        method: 'GET',
        path: `/v2/team/${seg(teamId)}/taskTemplate`,
        query: { page },
        headers: { 'content-type': 'application/json' },
      }),
    );
    if (!r.ok) return r;
    all.push(...r.value.templates);
    if (r.value.templates.length < 100) break;
  }
  return ok(all);
}

/** POST /v2/list/{list_id}/taskTemplate/{template_id} {name} → the new task's id. */
export async function createTaskFromTemplate(
  c: ResourceContext,
  listId: string,
  templateId: string,
  body: CreateTaskFromTemplateBody,
): Promise<Result<{ id: string }>> {
  return parseResponse(
    createdFromTemplateSchema,
    'createTaskFromTemplate',
    await c.t.request({ method: 'POST', path: `/v2/list/${seg(listId)}/taskTemplate/${seg(templateId)}`, json: body }),
  );
}
