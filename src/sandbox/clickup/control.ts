import type { ClickUpRouter, SandboxRequest, SandboxResponse } from './http.ts';
import { ClickUpFaultsBody, describeIssue, type ClickUpFaults } from '../shared/faults.ts';
import {
  apiError,
  isApiError,
  TASK_NOT_FOUND,
  type ApiError,
  type MutationContext,
  type Mutations,
} from './mutations.ts';
import { attachmentJson, taskJson, webhookJson } from './render.ts';
import type { TaskRec } from './state.ts';

/** Changes made "as a person in ClickUp": they go through the same code as the API and fire webhooks. */
export interface PersonActions {
  moveStatus(taskId: string, status: string, asEmail?: string): Record<string, unknown>;
  /** Moves the task to another list (a person's "Move to"); emits taskMoved. */
  moveToList(taskId: string, listId: string, asEmail?: string): Record<string, unknown>;
  postComment(
    taskId: string,
    text: string,
    asEmail?: string,
    files?: Array<{ filename: string; contentType: string; data: Buffer }>,
  ): { id: string };
  attachFile(
    taskId: string,
    file: { filename: string; contentType: string; data: Buffer },
    asEmail?: string,
  ): Record<string, unknown>;
  /** A person edits the task in ClickUp's UI: name, description (markdown_content), priority, due date (as `PUT /task`). */
  editTask(taskId: string, body: Record<string, unknown>, asEmail?: string): Record<string, unknown>;
  /** `field` is a field name or id; drop-down values may be given by option name. */
  setField(taskId: string, field: string, value: unknown, asEmail?: string): Record<string, unknown>;
  /**
   * A workspace admin edits a list in ClickUp's UI (the public API has no route for these): rename one of its
   * statuses (its tasks stay in it, under the new name; no task webhook fires), rename a custom field or a
   * drop-down option (ids stay the same), or delete a field (its values go with it). `field` is a name or id.
   */
  renameListStatus(listId: string, from: string, to: string): void;
  /** A workspace admin adds a status to a list (custom unless said), placed before its closed statuses. */
  addListStatus(listId: string, status: string, type?: 'open' | 'custom' | 'closed' | 'done'): void;
  renameField(listId: string, field: string, to: string): void;
  renameFieldOption(listId: string, field: string, from: string, to: string): void;
  deleteField(listId: string, field: string): void;
  /** Sets a webhook's health directly (e.g. to simulate ClickUp suspending it). */
  setWebhookHealth(
    webhookId: string,
    health: { status: 'active' | 'failing' | 'suspended'; fail_count?: number },
  ): void;
}

export class SandboxActionError extends Error {
  constructor(readonly apiError: ApiError) {
    super(`${apiError.err} (${apiError.ECODE})`);
  }
}

export function personActions(c: MutationContext, m: Mutations): PersonActions {
  const s = c.state;
  const who = (email?: string): number => {
    if (!email) return s.users[1]?.id ?? s.users[0]!.id;
    const u = s.users.find((x) => x.email === email);
    if (!u) throw new SandboxActionError(apiError(400, `No member with email ${email}`, 'TEAM_001'));
    return u.id;
  };
  const task = (id: string): TaskRec => {
    const t = s.tasks.get(id) ?? s.tasks.get(s.tasksByCustomId.get(id) ?? '');
    if (!t) throw new SandboxActionError(TASK_NOT_FOUND);
    return t;
  };
  const listOf = (id: string) => {
    const l = s.lists.get(id);
    if (!l) throw new SandboxActionError(apiError(404, 'List not found', 'ITEM_013'));
    return l;
  };
  const fieldOf = (listId: string, field: string) => {
    const list = listOf(listId);
    const f = list.fieldIds
      .map((fid) => s.fields.get(fid)!)
      .find((x) => x.id === field || x.name.toLowerCase() === field.toLowerCase());
    if (!f) throw new SandboxActionError(apiError(400, `No field ${field} on list ${list.name}`, 'FIELD_015'));
    return { list, f };
  };
  const check = <T>(r: T | ApiError): T => {
    if (isApiError(r)) throw new SandboxActionError(r);
    return r;
  };
  return {
    moveStatus: (id, status, email) => taskJson(s, check(m.setStatus(task(id), status, who(email))), c.origin),
    moveToList: (id, listId, email) => taskJson(s, check(m.moveToList(task(id), listId, who(email))), c.origin),
    postComment: (id, text, email, files) => ({ id: m.addComment(task(id), text, who(email), files ?? []).id }),
    attachFile: (id, file, email) => attachmentJson(m.addAttachment(task(id), file, who(email)), c.origin),
    editTask: (id, body, email) => taskJson(s, check(m.updateTask(task(id), body, who(email))), c.origin),
    setField: (id, field, value, email) => {
      const t = task(id);
      const list = s.lists.get(t.listId)!;
      const f = list.fieldIds
        .map((fid) => s.fields.get(fid)!)
        .find((x) => x.id === field || x.name.toLowerCase() === field.toLowerCase());
      if (!f) throw new SandboxActionError(apiError(400, `No field ${field} on list ${list.name}`, 'FIELD_015'));
      const v =
        f.type === 'drop_down'
          ? (f.type_config.options?.find((o) => o.name.toLowerCase() === String(value).toLowerCase())?.id ?? value)
          : value;
      return taskJson(s, check(m.setField(t, f.id, v, who(email))), c.origin);
    },
    renameListStatus: (listId, from, to) => {
      const list = listOf(listId);
      const st = list.statuses.find((x) => x.status.toLowerCase() === from.toLowerCase());
      if (!st) throw new SandboxActionError(apiError(400, `No status ${from} on list ${list.name}`, 'ITEM_015'));
      if (list.statuses.some((x) => x !== st && x.status.toLowerCase() === to.toLowerCase()))
        throw new SandboxActionError(apiError(400, `Status ${to} already exists`, 'ITEM_016'));
      const old = st.status;
      st.status = to.toLowerCase(); // ClickUp keeps status names in lower case
      for (const tid of list.taskIds) {
        const t = s.tasks.get(tid);
        if (t && t.status === old) t.status = st.status;
      }
    },
    addListStatus: (listId, status, type = 'custom') => {
      const list = listOf(listId);
      if (list.statuses.some((x) => x.status.toLowerCase() === status.toLowerCase()))
        throw new SandboxActionError(apiError(400, `Status ${status} already exists`, 'ITEM_016'));
      const at =
        type === 'closed' || type === 'done'
          ? list.statuses.length
          : list.statuses.findIndex((x) => x.type === 'closed' || x.type === 'done');
      const color = list.statuses[0]?.color ?? '#d3d3d3';
      list.statuses.splice(at < 0 ? list.statuses.length : at, 0, {
        status: status.toLowerCase(),
        type,
        color,
        orderindex: 0,
      });
      list.statuses.forEach((x, i) => (x.orderindex = i));
    },
    renameField: (listId, field, to) => {
      fieldOf(listId, field).f.name = to;
    },
    renameFieldOption: (listId, field, from, to) => {
      const { f } = fieldOf(listId, field);
      const o = (f.type_config.options ?? []).find((x) => x.name.toLowerCase() === from.toLowerCase());
      if (!o) throw new SandboxActionError(apiError(400, `No option ${from} on field ${f.name}`, 'FIELD_011'));
      o.name = to;
    },
    deleteField: (listId, field) => {
      const { list, f } = fieldOf(listId, field);
      list.fieldIds = list.fieldIds.filter((x) => x !== f.id);
      for (const tid of list.taskIds) {
        const t = s.tasks.get(tid);
        if (t?.fields.has(f.id)) {
          s.indexField(t.id, f.id, t.fields.get(f.id), undefined);
          t.fields.delete(f.id);
        }
      }
    },
    setWebhookHealth: (id, health) => {
      const w = s.webhooks.get(id);
      if (!w) throw new SandboxActionError(apiError(404, 'Webhook not found', 'WEBHOOK_002'));
      w.health = { status: health.status, fail_count: health.fail_count ?? w.health.fail_count };
    },
  };
}

interface ControlHooks {
  setFaults(f: Partial<ClickUpFaults>): void;
  getFaults(): ClickUpFaults;
  stats(): unknown;
}

/** HTTP form of the person actions and knobs, under /_sandbox (no auth: loopback test tool). */
export function registerControlApi(
  router: ClickUpRouter,
  c: MutationContext,
  p: PersonActions,
  hooks: ControlHooks,
): void {
  const wrap =
    (h: (req: SandboxRequest, body: Record<string, unknown>) => unknown) =>
    (req: SandboxRequest): SandboxResponse => {
      try {
        const body = (req.json && typeof req.json === 'object' ? req.json : {}) as Record<string, unknown>;
        return { status: 200, body: h(req, body) ?? {} };
      } catch (e) {
        if (e instanceof SandboxActionError)
          return { status: e.apiError.status, body: { err: e.apiError.err, ECODE: e.apiError.ECODE } };
        return { status: 400, body: { err: (e as Error).message, ECODE: 'SANDBOX_001' } };
      }
    };
  const str = (v: unknown, name: string): string => {
    if (typeof v !== 'string' || !v) throw new Error(`${name} (string) is required`);
    return v;
  };
  const as = (b: Record<string, unknown>) => (typeof b.as === 'string' ? b.as : undefined);
  router.add(
    'GET',
    '/_sandbox/tasks',
    wrap(() => ({
      tasks: [...c.state.tasks.values()].map((t) => taskJson(c.state, t, c.origin, { attachments: true })),
    })),
  );
  router.add(
    'POST',
    '/_sandbox/tasks/{task_id}/status',
    wrap((req, b) => p.moveStatus(req.params.task_id!, str(b.status, 'status'), as(b))),
  );
  router.add(
    'POST',
    '/_sandbox/tasks/{task_id}/list',
    wrap((req, b) => p.moveToList(req.params.task_id!, str(b.list_id, 'list_id'), as(b))),
  );
  router.add(
    'POST',
    '/_sandbox/tasks/{task_id}/comment',
    wrap((req, b) => p.postComment(req.params.task_id!, str(b.text, 'text'), as(b))),
  );
  router.add(
    'POST',
    '/_sandbox/tasks/{task_id}/attachment',
    wrap((req, b) =>
      p.attachFile(
        req.params.task_id!,
        {
          filename: str(b.filename, 'filename'),
          contentType: typeof b.contentType === 'string' ? b.contentType : 'application/octet-stream',
          data: Buffer.from(str(b.dataBase64, 'dataBase64'), 'base64'),
        },
        as(b),
      ),
    ),
  );
  router.add(
    'POST',
    '/_sandbox/tasks/{task_id}/field',
    wrap((req, b) => p.setField(req.params.task_id!, str(b.field, 'field'), b.value, as(b))),
  );
  router.add(
    'POST',
    '/_sandbox/lists/{list_id}/statuses/rename',
    wrap((req, b) => p.renameListStatus(req.params.list_id!, str(b.from, 'from'), str(b.to, 'to'))),
  );
  router.add(
    'POST',
    '/_sandbox/lists/{list_id}/statuses',
    wrap((req, b) => {
      const type = b.type === undefined ? undefined : str(b.type, 'type');
      if (type !== undefined && !['open', 'custom', 'closed', 'done'].includes(type))
        throw new SandboxActionError(apiError(400, 'type must be open, custom, closed or done', 'ITEM_017'));
      p.addListStatus(req.params.list_id!, str(b.status, 'status'), type as 'custom' | undefined);
    }),
  );
  router.add(
    'POST',
    '/_sandbox/lists/{list_id}/fields/rename',
    wrap((req, b) => p.renameField(req.params.list_id!, str(b.field, 'field'), str(b.to, 'to'))),
  );
  router.add(
    'POST',
    '/_sandbox/lists/{list_id}/fields/options/rename',
    wrap((req, b) =>
      p.renameFieldOption(req.params.list_id!, str(b.field, 'field'), str(b.from, 'from'), str(b.to, 'to')),
    ),
  );
  router.add(
    'POST',
    '/_sandbox/lists/{list_id}/fields/delete',
    wrap((req, b) => p.deleteField(req.params.list_id!, str(b.field, 'field'))),
  );
  router.add(
    'GET',
    '/_sandbox/webhooks',
    wrap(() => ({ webhooks: [...c.state.webhooks.values()].map(webhookJson) })),
  );
  router.add(
    'POST',
    '/_sandbox/webhooks/{webhook_id}/health',
    wrap((req, b) => {
      const status = str(b.status, 'status');
      if (status !== 'active' && status !== 'failing' && status !== 'suspended')
        throw new Error('status must be active, failing or suspended');
      p.setWebhookHealth(req.params.webhook_id!, {
        status,
        fail_count: typeof b.fail_count === 'number' ? b.fail_count : undefined,
      });
    }),
  );
  router.add(
    'POST',
    '/_sandbox/faults',
    wrap((req) => {
      const r = ClickUpFaultsBody.safeParse(req.json ?? {});
      if (!r.success) throw new Error(describeIssue(r.error));
      hooks.setFaults(r.data);
      return hooks.getFaults();
    }),
  );
  router.add(
    'GET',
    '/_sandbox/faults',
    wrap(() => hooks.getFaults()),
  );
  router.add(
    'GET',
    '/_sandbox/stats',
    wrap(() => hooks.stats()),
  );
}
