import { randomUUID } from 'node:crypto';
import { multipartBoundary, parseMultipart } from '../shared/multipart.ts';
import { CLICKUP_WEBHOOK_EVENT_NAMES } from '../../connectors/clickup/webhookRegistration.ts';
import type { ClickUpRouter, SandboxRequest, SandboxResponse } from './http.ts';
import { newWebhookSecret } from './delivery.ts';
import { apiError, isApiError, Mutations, TASK_NOT_FOUND, type ApiError, type MutationContext } from './mutations.ts';
import {
  attachmentJson,
  checklistJson,
  commentJson,
  fieldJson,
  listJson,
  taskJson,
  userJson,
  webhookJson,
} from './render.ts';
import { indexKey, type ChecklistRec, type TaskRec, type WebhookRec } from './state.ts';

/** The authenticated caller, set by the server before a handler runs. */
export interface ApiRequest extends SandboxRequest {
  userId: number;
  token: string;
}

const fail = (e: ApiError): SandboxResponse => ({ status: e.status, body: { err: e.err, ECODE: e.ECODE } });
const okJson = (body: unknown): SandboxResponse => ({ status: 200, body });
const bool = (v: string | null) => v === 'true';

/**
 * What ClickUp answers for an id the token cannot reach, whether it does not exist or belongs to a
 * Workspace, Space or List the token's user cannot see: 401 "Team not authorized", OAUTH_027 — not a 404
 * (ClickUp's "Common errors": https://developer.clickup.com/docs/common_errors). A task that existed and
 * was deleted answers ITEM_013 (TASK_NOT_FOUND).
 */
const TEAM_NOT_AUTHORIZED = apiError(401, 'Team not authorized', 'OAUTH_027');
const LIST_NOT_FOUND = TEAM_NOT_AUTHORIZED;
const BODY_INVALID = apiError(400, 'Body must be a JSON object', 'INPUT_001');

function jsonObject(req: SandboxRequest): Record<string, unknown> | undefined {
  const j = req.json;
  return j && typeof j === 'object' && !Array.isArray(j) ? (j as Record<string, unknown>) : undefined;
}

/**
 * ClickUp answers a webhook created or updated with `*` with the whole list of event names
 * (CLICKUP_WEBHOOK_EVENT_NAMES, the list the bridge reads `*` by), never `*` itself: the examples of Create
 * Webhook, Get Webhooks and Update Webhook in ClickUp's OpenAPI document (clickup-api-v2-openapi.json) and
 * https://developer.clickup.com/docs/webhooks ("You can use * as a wildcard to subscribe to all events").
 */
const WEBHOOK_EVENTS = CLICKUP_WEBHOOK_EVENT_NAMES;

function expandEvents(events: string[]): string[] {
  return events.includes('*') ? [...WEBHOOK_EVENTS] : [...new Set(events)];
}

/** Registers ClickUp's v2 endpoints (the ones gridbridge uses) on the router, under `/api`. */
/** Custom field types the filter treats as text (`=` contains, `==` exact). */
const TEXT_FIELD_TYPES = new Set(['short_text', 'text', 'email', 'url', 'phone']);

export function registerClickUpApi(router: ClickUpRouter, c: MutationContext): Mutations {
  const s = c.state;
  const m = new Mutations(c);
  const r = (method: string, path: string, h: (req: ApiRequest) => SandboxResponse | Promise<SandboxResponse>) =>
    router.add(method, `/api${path}`, h as (req: SandboxRequest) => SandboxResponse);

  const findTask = (req: SandboxRequest): TaskRec | ApiError => {
    const id = req.params.task_id!;
    if (bool(req.query.get('custom_task_ids'))) {
      if (!req.query.get('team_id'))
        return apiError(400, 'team_id is required when custom_task_ids is true', 'ITEM_114');
      if (req.query.get('team_id') !== s.teamId) return TEAM_NOT_AUTHORIZED;
      // With the ClickApp off no task has a custom id: nothing is found by one.
      const real = s.customTaskIds ? s.tasksByCustomId.get(id) : undefined;
      return (real && s.tasks.get(real)) || TEAM_NOT_AUTHORIZED;
    }
    return s.tasks.get(id) ?? (s.deletedTaskIds.has(id) ? TASK_NOT_FOUND : TEAM_NOT_AUTHORIZED);
  };
  const withTask = (h: (t: TaskRec, req: ApiRequest) => SandboxResponse) => (req: ApiRequest) => {
    const t = findTask(req);
    return isApiError(t) ? fail(t) : h(t, req);
  };
  const team = (req: SandboxRequest) => (req.params.team_id === s.teamId ? undefined : fail(TEAM_NOT_AUTHORIZED));

  r('GET', '/v2/user', (req) =>
    okJson({
      user: { ...userJson(s.user(req.userId)), week_start_day: 0, global_font_support: true, timezone: 'Etc/UTC' },
    }),
  );
  r('GET', '/v2/team', () =>
    okJson({
      teams: [
        {
          id: s.teamId,
          name: s.teamName,
          color: '#7b68ee',
          avatar: null,
          members: s.users.map((u) => ({ user: { ...userJson(u), role: 1 } })),
        },
      ],
    }),
  );

  r('GET', '/v2/list/{list_id}', (req) => {
    const l = s.lists.get(req.params.list_id!);
    return l ? okJson(listJson(s, l)) : fail(LIST_NOT_FOUND);
  });
  r('GET', '/v2/list/{list_id}/field', (req) => {
    const l = s.lists.get(req.params.list_id!);
    return l ? okJson({ fields: l.fieldIds.map((id) => fieldJson(s.fields.get(id)!)) }) : fail(LIST_NOT_FOUND);
  });

  r('POST', '/v2/list/{list_id}/task', (req) => {
    const l = s.lists.get(req.params.list_id!);
    if (!l) return fail(LIST_NOT_FOUND);
    const body = jsonObject(req);
    if (!body) return fail(BODY_INVALID);
    const t = m.createTask(l, body, req.userId);
    return isApiError(t) ? fail(t) : okJson(taskJson(s, t, c.origin));
  });

  r('GET', '/v2/list/{list_id}/task', (req) => {
    const l = s.lists.get(req.params.list_id!);
    if (!l) return fail(LIST_NOT_FOUND);
    const q = req.query;
    const page = Number(q.get('page') ?? 0);
    if (!Number.isInteger(page) || page < 0)
      return fail(apiError(400, 'Page must be a non-negative integer', 'INPUT_002'));
    let candidates: Iterable<string> = l.taskIds;
    const filters: Array<(t: TaskRec) => boolean> = [];
    const cf = q.get('custom_fields');
    if (cf) {
      let parsed: Array<{ field_id?: string; operator?: string; value?: unknown }>;
      try {
        parsed = JSON.parse(cf);
        if (!Array.isArray(parsed)) throw new Error('not an array');
      } catch {
        return fail(apiError(400, 'custom_fields must be a JSON array', 'FILTER_001'));
      }
      for (const f of parsed) {
        const def = f.field_id ? s.fields.get(f.field_id) : undefined;
        if (!def) return fail(apiError(400, 'Custom field filter refers to an unknown field', 'FILTER_024'));
        const op = f.operator ?? '=';
        const want =
          def.type === 'drop_down' && typeof f.value === 'number'
            ? def.type_config.options?.find((o) => o.orderindex === f.value)?.id
            : f.value;
        // "Filter tasks using Custom Fields" (https://developer.clickup.com/docs/taskfilters): for text
        // fields `=` is "contains (fuzzy match)" and `!=` "does not contain"; `==` / `!==` are the exact
        // (non-)match. So `=` with CASE-1 finds CASE-10 too. Other types compare values as before.
        const text = TEXT_FIELD_TYPES.has(def.type);
        const contains = (t: TaskRec) => {
          const v = t.fields.get(def.id);
          return typeof v === 'string' && v.toLowerCase().includes(String(want).toLowerCase());
        };
        if ((op === '==' || (op === '=' && !text)) && parsed.length === 1) {
          // Indexed: the idempotency look-up ("find the task for this TG case") must stay cheap.
          candidates = [...(s.fieldIndex.get(def.id)?.get(indexKey(want)) ?? [])].filter(
            (id) => s.tasks.get(id)?.listId === l.id,
          );
        } else if (op === '==' || (op === '=' && !text)) filters.push((t) => t.fields.get(def.id) === want);
        else if (op === '=') filters.push(contains);
        else if (op === '!==' || (op === '!=' && !text)) filters.push((t) => t.fields.get(def.id) !== want);
        else if (op === '!=') filters.push((t) => !contains(t));
        else if (op === 'IS NULL') filters.push((t) => !t.fields.has(def.id));
        else if (op === 'IS NOT NULL') filters.push((t) => t.fields.has(def.id));
        else if (op === '<' || op === '>' || op === '<=' || op === '>=')
          filters.push((t) => {
            const v = Number(t.fields.get(def.id));
            const w = Number(want);
            return op === '<' ? v < w : op === '>' ? v > w : op === '<=' ? v <= w : v >= w;
          });
        else return fail(apiError(400, `Unsupported operator ${op}`, 'FILTER_002'));
      }
    }
    if (!bool(q.get('include_closed')))
      filters.push((t) => {
        const type = l.statuses.find((x) => x.status === t.status)?.type;
        return type !== 'closed' && type !== 'done';
      });
    if (!bool(q.get('subtasks'))) filters.push((t) => t.parent === null);
    if (!bool(q.get('archived'))) filters.push((t) => !t.archived);
    const statuses = q
      .getAll('statuses[]')
      .concat(q.getAll('statuses'))
      .map((x) => x.toLowerCase());
    if (statuses.length) filters.push((t) => statuses.includes(t.status.toLowerCase()));
    const tags = q
      .getAll('tags[]')
      .concat(q.getAll('tags'))
      .map((x) => x.toLowerCase());
    if (tags.length) filters.push((t) => t.tags.some((x) => tags.includes(x)));
    for (const [name, pick, cmp] of [
      ['date_updated_gt', (t: TaskRec) => t.dateUpdated, 1],
      ['date_updated_lt', (t: TaskRec) => t.dateUpdated, -1],
      ['date_created_gt', (t: TaskRec) => t.dateCreated, 1],
      ['date_created_lt', (t: TaskRec) => t.dateCreated, -1],
      ['due_date_gt', (t: TaskRec) => t.dueDate ?? NaN, 1],
      ['due_date_lt', (t: TaskRec) => t.dueDate ?? NaN, -1],
    ] as const) {
      const v = q.get(name);
      if (v !== null) {
        const n = Number(v);
        filters.push((t) => (cmp > 0 ? pick(t) > n : pick(t) < n));
      }
    }
    const out: TaskRec[] = [];
    const start = page * 100;
    let seen = 0;
    let more = false;
    for (const id of candidates) {
      const t = s.tasks.get(id);
      if (!t || !filters.every((f) => f(t))) continue;
      if (seen >= start && out.length < 100) out.push(t);
      else if (out.length >= 100) {
        more = true;
        break;
      }
      seen++;
    }
    const md = bool(q.get('include_markdown_description'));
    return okJson({ tasks: out.map((t) => taskJson(s, t, c.origin, { markdown: md })), last_page: !more });
  });

  r(
    'GET',
    '/v2/task/{task_id}',
    withTask((t, req) =>
      okJson(
        taskJson(s, t, c.origin, {
          markdown: bool(req.query.get('include_markdown_description')),
          subtasks: bool(req.query.get('include_subtasks')),
          attachments: true,
        }),
      ),
    ),
  );
  r(
    'PUT',
    '/v2/task/{task_id}',
    withTask((t, req) => {
      const body = jsonObject(req);
      if (!body) return fail(BODY_INVALID);
      const u = m.updateTask(t, body, req.userId);
      return isApiError(u) ? fail(u) : okJson(taskJson(s, u, c.origin));
    }),
  );
  r(
    'DELETE',
    '/v2/task/{task_id}',
    withTask((t, req) => {
      m.deleteTask(t, req.userId);
      return { status: 204 };
    }),
  );

  r(
    'POST',
    '/v2/task/{task_id}/field/{field_id}',
    withTask((t, req) => {
      const body = jsonObject(req);
      if (!body || !('value' in body)) return fail(apiError(400, 'Value is required', 'FIELD_001'));
      const u = m.setField(t, req.params.field_id!, body.value, req.userId);
      return isApiError(u) ? fail(u) : okJson({});
    }),
  );
  r(
    'DELETE',
    '/v2/task/{task_id}/field/{field_id}',
    withTask((t, req) => {
      const u = m.removeField(t, req.params.field_id!, req.userId);
      return isApiError(u) ? fail(u) : okJson({});
    }),
  );

  r(
    'POST',
    '/v2/task/{task_id}/tag/{tag_name}',
    withTask((t, req) => {
      m.setTags(t, [req.params.tag_name!], [], req.userId);
      return okJson({});
    }),
  );
  r(
    'DELETE',
    '/v2/task/{task_id}/tag/{tag_name}',
    withTask((t, req) => {
      m.setTags(t, [], [req.params.tag_name!.toLowerCase()], req.userId);
      return okJson({});
    }),
  );

  r(
    'POST',
    '/v2/task/{task_id}/comment',
    withTask((t, req) => {
      const body = jsonObject(req);
      if (!body || typeof body.comment_text !== 'string' || body.comment_text === '')
        return fail(apiError(400, 'Comment text required', 'COMM_002'));
      const cm = m.addComment(t, body.comment_text, req.userId);
      return okJson({ id: cm.id, hist_id: String(90000000000 + Number(cm.id)), date: cm.date });
    }),
  );
  r(
    'GET',
    '/v2/task/{task_id}/comment',
    withTask((t, req) => {
      // Newest first, 25 a page; `start` (ms) + `start_id` page backwards.
      const start = req.query.get('start');
      const startId = req.query.get('start_id');
      let sorted = [...t.comments].sort((a, b) => b.date - a.date || Number(b.id) - Number(a.id));
      if (start !== null) {
        const st = Number(start);
        sorted = sorted.filter(
          (x) => x.date < st || (x.date === st && startId !== null && Number(x.id) < Number(startId)),
        );
      }
      return okJson({ comments: sorted.slice(0, 25).map((x) => commentJson(s, x, c.origin)) });
    }),
  );

  r(
    'POST',
    '/v2/task/{task_id}/attachment',
    withTask((t, req) => {
      const boundary = multipartBoundary(req.headers['content-type']);
      if (!boundary) return fail(apiError(400, 'Request must be multipart/form-data', 'UPLOAD_002'));
      let parts;
      try {
        parts = parseMultipart(req.body, boundary);
      } catch (e) {
        return fail(apiError(400, `Malformed multipart body: ${(e as Error).message}`, 'UPLOAD_003'));
      }
      const file = parts.find((p) => p.name === 'attachment' && p.filename !== undefined);
      if (!file) return fail(apiError(400, 'No attachment field in the upload', 'UPLOAD_001'));
      const a = m.addAttachment(
        t,
        { filename: file.filename!, contentType: file.contentType ?? 'application/octet-stream', data: file.data },
        req.userId,
      );
      return okJson(attachmentJson(a, c.origin));
    }),
  );

  // Checklists
  const checklist = (id: string) => s.checklists.get(id);
  const CHECKLIST_NOT_FOUND = apiError(404, 'Checklist not found', 'CHECK_001');
  r(
    'POST',
    '/v2/task/{task_id}/checklist',
    withTask((t, req) => {
      const body = jsonObject(req);
      if (!body || typeof body.name !== 'string' || !body.name)
        return fail(apiError(400, 'Checklist name required', 'CHECK_002'));
      const cl: ChecklistRec = {
        id: randomUUID(),
        taskId: t.id,
        name: body.name,
        orderindex: t.checklistIds.length,
        dateCreated: String(c.now()),
        items: [],
      };
      s.checklists.set(cl.id, cl);
      t.checklistIds.push(cl.id);
      t.dateUpdated = Math.max(c.now(), t.dateUpdated + 1);
      return okJson({ checklist: checklistJson(cl, s) });
    }),
  );
  r('PUT', '/v2/checklist/{checklist_id}', (req) => {
    const cl = checklist(req.params.checklist_id!);
    if (!cl) return fail(CHECKLIST_NOT_FOUND);
    const body = jsonObject(req) ?? {};
    if (typeof body.name === 'string') cl.name = body.name;
    if (typeof body.position === 'number') cl.orderindex = body.position;
    return okJson({});
  });
  r('DELETE', '/v2/checklist/{checklist_id}', (req) => {
    const cl = checklist(req.params.checklist_id!);
    if (!cl) return fail(CHECKLIST_NOT_FOUND);
    s.checklists.delete(cl.id);
    const t = s.tasks.get(cl.taskId);
    if (t) t.checklistIds = t.checklistIds.filter((x) => x !== cl.id);
    return okJson({});
  });
  r('POST', '/v2/checklist/{checklist_id}/checklist_item', (req) => {
    const cl = checklist(req.params.checklist_id!);
    if (!cl) return fail(CHECKLIST_NOT_FOUND);
    const body = jsonObject(req) ?? {};
    if (typeof body.name !== 'string' || !body.name)
      return fail(apiError(400, 'Checklist item name required', 'CHECK_003'));
    cl.items.push({
      id: randomUUID(),
      name: body.name,
      orderindex: cl.items.length,
      assignee: typeof body.assignee === 'number' ? body.assignee : null,
      resolved: false,
      parent: null,
      date_created: String(c.now()),
    });
    return okJson({ checklist: checklistJson(cl, s) });
  });
  r('PUT', '/v2/checklist/{checklist_id}/checklist_item/{checklist_item_id}', (req) => {
    const cl = checklist(req.params.checklist_id!);
    const item = cl?.items.find((i) => i.id === req.params.checklist_item_id);
    if (!cl || !item) return fail(CHECKLIST_NOT_FOUND);
    const body = jsonObject(req) ?? {};
    if (typeof body.name === 'string') item.name = body.name;
    if (typeof body.resolved === 'boolean') item.resolved = body.resolved;
    if (body.assignee === null || typeof body.assignee === 'number') item.assignee = body.assignee;
    if (body.parent === null || typeof body.parent === 'string') item.parent = body.parent;
    return okJson({ checklist: checklistJson(cl, s) });
  });
  r('DELETE', '/v2/checklist/{checklist_id}/checklist_item/{checklist_item_id}', (req) => {
    const cl = checklist(req.params.checklist_id!);
    if (!cl || !cl.items.some((i) => i.id === req.params.checklist_item_id)) return fail(CHECKLIST_NOT_FOUND);
    cl.items = cl.items.filter((i) => i.id !== req.params.checklist_item_id);
    return okJson({});
  });

  // Dependencies and links
  r(
    'POST',
    '/v2/task/{task_id}/dependency',
    withTask((t, req) => {
      const body = jsonObject(req) ?? {};
      const dependsOn = typeof body.depends_on === 'string' ? body.depends_on : undefined;
      const dependencyOf =
        typeof body.dependency_of === 'string'
          ? body.dependency_of
          : typeof body.depedency_of === 'string'
            ? body.depedency_of
            : undefined;
      if (!!dependsOn === !!dependencyOf)
        return fail(apiError(400, 'Give exactly one of depends_on or dependency_of', 'DEPEND_001'));
      const other = s.tasks.get((dependsOn ?? dependencyOf)!);
      if (!other) return fail(TASK_NOT_FOUND);
      if (other.id === t.id) return fail(apiError(400, 'A task cannot depend on itself', 'DEPEND_002'));
      const [waiting, blocking] = dependsOn ? [t, other] : [other, t];
      const dep = {
        task_id: waiting.id,
        depends_on: blocking.id,
        type: 1,
        date_created: String(c.now()),
        userid: String(req.userId),
      };
      for (const x of [waiting, blocking])
        if (!x.dependencies.some((d) => d.task_id === dep.task_id && d.depends_on === dep.depends_on))
          x.dependencies.push(dep);
      return okJson({});
    }),
  );
  r(
    'DELETE',
    '/v2/task/{task_id}/dependency',
    withTask((t, req) => {
      const dependsOn = req.query.get('depends_on');
      const dependencyOf = req.query.get('dependency_of');
      if (!dependsOn && !dependencyOf) return fail(apiError(400, 'Give depends_on or dependency_of', 'DEPEND_001'));
      const [w, b] = dependsOn ? [t.id, dependsOn] : [dependencyOf!, t.id];
      for (const x of [s.tasks.get(w), s.tasks.get(b)])
        if (x) x.dependencies = x.dependencies.filter((d) => !(d.task_id === w && d.depends_on === b));
      return okJson({});
    }),
  );
  r(
    'POST',
    '/v2/task/{task_id}/link/{links_to}',
    withTask((t, req) => {
      const other = s.tasks.get(req.params.links_to!);
      if (!other) return fail(TASK_NOT_FOUND);
      if (!t.links.some((l) => l.links_to === other.id))
        t.links.push({ links_to: other.id, date_created: String(c.now()), userid: String(req.userId) });
      if (!other.links.some((l) => l.links_to === t.id))
        other.links.push({ links_to: t.id, date_created: String(c.now()), userid: String(req.userId) });
      return okJson({ task: taskJson(s, t, c.origin) });
    }),
  );
  r(
    'DELETE',
    '/v2/task/{task_id}/link/{links_to}',
    withTask((t, req) => {
      const other = s.tasks.get(req.params.links_to!);
      t.links = t.links.filter((l) => l.links_to !== req.params.links_to);
      if (other) other.links = other.links.filter((l) => l.links_to !== t.id);
      return okJson({ task: taskJson(s, t, c.origin) });
    }),
  );

  // Task templates
  r('GET', '/v2/team/{team_id}/taskTemplate', (req) => {
    const bad = team(req);
    if (bad) return bad;
    const page = Number(req.query.get('page'));
    if (req.query.get('page') === null || !Number.isInteger(page) || page < 0)
      return fail(apiError(400, 'page is required', 'INPUT_002'));
    const all = [...s.templates.values()].slice(page * 100, page * 100 + 100);
    return okJson({ templates: all.map((t) => ({ id: t.id, name: t.name })) });
  });
  r('POST', '/v2/list/{list_id}/taskTemplate/{template_id}', (req) => {
    const l = s.lists.get(req.params.list_id!);
    if (!l) return fail(LIST_NOT_FOUND);
    const tpl = s.templates.get(req.params.template_id!);
    if (!tpl) return fail(apiError(404, 'Template not found', 'TEMPL_001'));
    const body = jsonObject(req) ?? {};
    const made = m.createTask(l, { name: body.name, description: tpl.description, tags: tpl.tags }, req.userId);
    if (isApiError(made)) return fail(made);
    for (const cl of tpl.checklists) {
      const rec: ChecklistRec = {
        id: randomUUID(),
        taskId: made.id,
        name: cl.name,
        orderindex: made.checklistIds.length,
        dateCreated: String(c.now()),
        items: cl.items.map((name, i) => ({
          id: randomUUID(),
          name,
          orderindex: i,
          assignee: null,
          resolved: false,
          parent: null,
          date_created: String(c.now()),
        })),
      };
      s.checklists.set(rec.id, rec);
      made.checklistIds.push(rec.id);
    }
    for (const sub of tpl.subtasks) m.createTask(l, { name: sub, parent: made.id }, req.userId);
    return okJson({ id: made.id, task: taskJson(s, made, c.origin) });
  });

  // Webhooks
  const WEBHOOK_NOT_FOUND = apiError(404, 'Webhook not found', 'WEBHOOK_002');
  r(
    'GET',
    '/v2/team/{team_id}/webhook',
    (req) =>
      team(req) ?? okJson({ webhooks: [...s.webhooks.values()].filter((w) => w.token === req.token).map(webhookJson) }),
  );
  r('POST', '/v2/team/{team_id}/webhook', (req) => {
    const bad = team(req);
    if (bad) return bad;
    const body = jsonObject(req);
    if (!body || typeof body.endpoint !== 'string' || !/^https?:\/\//.test(body.endpoint))
      return fail(apiError(400, 'Endpoint must be a URL', 'WEBHOOK_006'));
    if (!Array.isArray(body.events) || body.events.length === 0)
      return fail(apiError(400, 'Events required', 'WEBHOOK_005'));
    const dup = [...s.webhooks.values()].find(
      (w) =>
        w.endpoint === body.endpoint &&
        w.token === req.token &&
        w.list_id === (body.list_id === undefined ? null : String(body.list_id)),
    );
    if (dup) return fail(apiError(400, 'Webhook configuration already exists', 'OAUTH_171'));
    const w: WebhookRec = {
      id: randomUUID(),
      userid: req.userId,
      team_id: Number(s.teamId),
      endpoint: body.endpoint,
      client_id: `sandbox_${req.userId}`,
      events: expandEvents(body.events.map(String)),
      task_id: typeof body.task_id === 'string' ? body.task_id : null,
      list_id: body.list_id === undefined ? null : String(body.list_id),
      folder_id: body.folder_id === undefined ? null : String(body.folder_id),
      space_id: body.space_id === undefined ? null : String(body.space_id),
      health: { status: 'active', fail_count: 0 },
      secret: newWebhookSecret(),
      token: req.token,
    };
    s.webhooks.set(w.id, w);
    return okJson({ id: w.id, webhook: webhookJson(w) });
  });
  r('PUT', '/v2/webhook/{webhook_id}', (req) => {
    const w = s.webhooks.get(req.params.webhook_id!);
    if (!w || w.token !== req.token) return fail(WEBHOOK_NOT_FOUND);
    const body = jsonObject(req) ?? {};
    if (typeof body.endpoint === 'string') w.endpoint = body.endpoint;
    if (body.events === '*') w.events = [...WEBHOOK_EVENTS];
    else if (Array.isArray(body.events)) w.events = expandEvents(body.events.map(String));
    if (body.status === 'active') w.health = { status: 'active', fail_count: 0 };
    else if (body.status === 'inactive' || body.status === 'suspended') w.health = { ...w.health, status: 'suspended' };
    return okJson({ id: w.id, webhook: webhookJson(w) });
  });
  r('DELETE', '/v2/webhook/{webhook_id}', (req) => {
    const w = s.webhooks.get(req.params.webhook_id!);
    if (!w || w.token !== req.token) return fail(WEBHOOK_NOT_FOUND);
    s.webhooks.delete(w.id);
    return okJson({});
  });

  return m;
}
