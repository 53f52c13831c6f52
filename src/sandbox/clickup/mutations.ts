import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import { historyItem, type HistoryItem, type WebhookDeliverer } from './delivery.ts';
import { attachmentJson, commentJson, fieldJson, priorityJson, statusJson, userJson } from './render.ts';
import {
  newTask,
  PRIORITIES,
  type AttachmentRec,
  type ClickUpState,
  type CommentRec,
  type FieldDef,
  type ListRec,
  type TaskRec,
} from './state.ts';

/** A ClickUp error answer. */
export interface ApiError {
  status: number;
  err: string;
  ECODE: string;
}

export const apiError = (status: number, err: string, ECODE: string): ApiError => ({ status, err, ECODE });
export const isApiError = (x: unknown): x is ApiError =>
  typeof x === 'object' && x !== null && 'ECODE' in x && 'err' in x;

export interface MutationContext {
  state: ClickUpState;
  events: WebhookDeliverer;
  now: () => number;
  /** Base of attachment file URLs (see attachmentJson). */
  origin: string;
}

export const TASK_NOT_FOUND = apiError(404, 'Task not found, deleted', 'ITEM_013');

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A phone number "with a valid country code": + then the country code, then digits, spaces or dashes. */
const PHONE = /^\+[1-9]\d{0,2}[\s-]?\d[\d\s-]{5,16}$/;
const isIdList = (v: unknown, item: (x: unknown) => boolean) => v === undefined || (Array.isArray(v) && v.every(item));

/**
 * Checks and normalises a custom-field value the way ClickUp does per type; stored form or an error. Value
 * shapes per type are those of Set Custom Field Value in ClickUp's OpenAPI document: People
 * `{add: [user ids], rem: [...]}`, Task Relationship `{add: [task ids], rem: [...]}`, Location
 * `{location: {lat, lng}, formatted_address}`, Manual Progress `{current}` between the field's start and
 * end, Email "a valid email address", Phone "a valid country code".
 */
export function coerceValue(
  f: FieldDef,
  value: unknown,
  known?: { user: (id: number) => boolean; task: (id: string) => boolean },
): { value: unknown } | ApiError {
  const obj =
    value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  switch (f.type) {
    case 'users': {
      if (
        !obj ||
        !isIdList(obj.add, (x) => Number.isInteger(x)) ||
        !isIdList(obj.rem, (x) => Number.isInteger(x)) ||
        (obj.add === undefined && obj.rem === undefined)
      )
        return apiError(400, 'Value must be an object with add/rem arrays of user ids', 'FIELD_031');
      const unknownUser = [...((obj.add as number[]) ?? [])].find((id) => known && !known.user(id));
      if (unknownUser !== undefined)
        return apiError(400, `User ${unknownUser} is not a member of this Workspace`, 'FIELD_032');
      return { value: { add: obj.add ?? [], rem: obj.rem ?? [] } };
    }
    case 'tasks': {
      if (
        !obj ||
        !isIdList(obj.add, (x) => typeof x === 'string') ||
        !isIdList(obj.rem, (x) => typeof x === 'string') ||
        (obj.add === undefined && obj.rem === undefined)
      )
        return apiError(400, 'Value must be an object with add/rem arrays of task ids', 'FIELD_033');
      const missing = [...((obj.add as string[]) ?? [])].find((id) => known && !known.task(id));
      if (missing !== undefined) return apiError(400, `Task ${missing} not found`, 'FIELD_034');
      return { value: { add: obj.add ?? [], rem: obj.rem ?? [] } };
    }
    case 'location': {
      const loc = obj?.location as { lat?: unknown; lng?: unknown } | undefined;
      const ok =
        loc &&
        typeof loc.lat === 'number' &&
        typeof loc.lng === 'number' &&
        Math.abs(loc.lat) <= 90 &&
        Math.abs(loc.lng) <= 180 &&
        typeof obj!.formatted_address === 'string';
      return ok
        ? { value: { location: { lat: loc.lat, lng: loc.lng }, formatted_address: obj!.formatted_address } }
        : apiError(400, 'Value must be {location: {lat, lng}, formatted_address}', 'FIELD_035');
    }
    case 'manual_progress': {
      const tc = f.type_config as { start?: number; end?: number };
      const start = tc.start ?? 0;
      const end = tc.end ?? 100;
      const cur = obj?.current;
      const n = typeof cur === 'number' ? cur : typeof cur === 'string' && cur.trim() !== '' ? Number(cur) : NaN;
      return Number.isFinite(n) && n >= Math.min(start, end) && n <= Math.max(start, end)
        ? { value: { current: n } }
        : apiError(400, `Value must be {current} between ${start} and ${end}`, 'FIELD_036');
    }
    case 'email':
      return typeof value === 'string' && EMAIL.test(value)
        ? { value }
        : apiError(400, 'Value must be a valid email address', 'FIELD_037');
    case 'phone':
      return typeof value === 'string' && PHONE.test(value.trim())
        ? { value: value.trim() }
        : apiError(400, 'Value must be a phone number with a valid country code', 'FIELD_038');
    case 'drop_down': {
      const opts = f.type_config.options ?? [];
      const o = typeof value === 'number' ? opts.find((x) => x.orderindex === value) : opts.find((x) => x.id === value);
      return o ? { value: o.id } : apiError(400, 'Value is not a valid option', 'FIELD_011');
    }
    case 'labels': {
      const opts = f.type_config.options ?? [];
      if (!Array.isArray(value) || !value.every((v) => opts.some((o) => o.id === v)))
        return apiError(400, 'Value must be an array of option ids', 'FIELD_011');
      return { value };
    }
    case 'currency':
    case 'number':
    case 'emoji':
    case 'date':
      return typeof value === 'number' && Number.isFinite(value)
        ? { value }
        : apiError(400, 'Value must be a number', 'FIELD_007');
    case 'checkbox':
      return typeof value === 'boolean' ? { value } : apiError(400, 'Value must be a boolean', 'FIELD_007');
    default:
      return typeof value === 'string' ? { value } : apiError(400, 'Value must be a string', 'FIELD_007');
  }
}

export class Mutations {
  constructor(private readonly c: MutationContext) {}

  private touch(t: TaskRec): number {
    const now = Math.max(this.c.now(), t.dateUpdated + 1);
    t.dateUpdated = now;
    return now;
  }

  private known() {
    const st = this.c.state;
    return { user: (id: number) => st.users.some((u) => u.id === id), task: (id: string) => st.tasks.has(id) };
  }

  private user(userId: number) {
    return userJson(this.c.state.user(userId));
  }

  /** Creates a task from a CreateTask body (already shape-checked); emits taskCreated. */
  createTask(list: ListRec, body: Record<string, unknown>, userId: number): TaskRec | ApiError {
    const s = this.c.state;
    if (typeof body.name !== 'string' || body.name.trim() === '')
      return apiError(400, 'Task name invalid', 'INPUT_005');
    if (
      body.status !== undefined &&
      !list.statuses.some((x) => x.status.toLowerCase() === String(body.status).toLowerCase())
    )
      return apiError(400, 'Status does not exist', 'CRTSK_001');
    if (body.priority !== undefined && body.priority !== null && !PRIORITIES[Number(body.priority)])
      return apiError(400, 'Priority invalid', 'INPUT_007');
    if (body.parent) {
      const p = s.tasks.get(String(body.parent));
      if (!p || p.listId !== list.id) return apiError(400, 'Parent task must be in the same list', 'CRTSK_020');
    }
    const values: Array<[FieldDef, unknown]> = [];
    if (body.custom_fields !== undefined) {
      if (!Array.isArray(body.custom_fields)) return apiError(400, 'custom_fields must be an array', 'INPUT_003');
      for (const cf of body.custom_fields as Array<{ id?: unknown; value?: unknown }>) {
        const f = typeof cf?.id === 'string' ? s.fields.get(cf.id) : undefined;
        if (!f || !list.fieldIds.includes(f.id))
          return apiError(400, 'Custom field not found on this list', 'FIELD_015');
        const v = coerceValue(f, cf.value, this.known());
        if (isApiError(v)) return v;
        values.push([f, v.value]);
      }
    }
    const t = newTask(s, list, userId, this.c.now());
    t.name = body.name;
    t.markdown = typeof body.markdown_content === 'string' ? body.markdown_content : '';
    t.description =
      typeof body.markdown_content === 'string'
        ? stripMarkdown(body.markdown_content)
        : typeof body.description === 'string'
          ? body.description
          : '';
    if (body.status !== undefined)
      t.status = list.statuses.find((x) => x.status.toLowerCase() === String(body.status).toLowerCase())!.status;
    if (typeof body.priority === 'number') t.priority = body.priority;
    if (typeof body.due_date === 'number') t.dueDate = body.due_date;
    if (typeof body.due_date_time === 'boolean') t.dueDateTime = body.due_date_time;
    if (typeof body.start_date === 'number') t.startDate = body.start_date;
    if (Array.isArray(body.tags)) t.tags = [...new Set(body.tags.map((x) => String(x).toLowerCase()))];
    if (Array.isArray(body.assignees))
      t.assignees = body.assignees.map(Number).filter((id) => s.users.some((u) => u.id === id));
    if (typeof body.parent === 'string') t.parent = body.parent;
    if (typeof body.points === 'number') t.points = body.points;
    if (typeof body.time_estimate === 'number') t.timeEstimate = body.time_estimate;
    if (typeof body.links_to === 'string' && s.tasks.has(body.links_to))
      t.links.push({ links_to: body.links_to, date_created: String(t.dateCreated), userid: String(userId) });
    for (const [f, v] of values) {
      t.fields.set(f.id, v);
      s.indexField(t.id, f.id, undefined, v);
    }
    const closed = this.statusType(list, t.status);
    if (closed === 'closed' || closed === 'done') t.dateClosed = t.dateDone = t.dateCreated;
    const u = this.user(userId);
    // https://developer.clickup.com/docs/webhooktaskpayloads ("taskCreated payload"): the status item starts
    // from a "removed" status, and "We also send the taskStatusUpdated payload when a new task is created"
    // with that same status item.
    const first = statusJson(list, t.status);
    const status = historyItem(
      t,
      'status',
      u,
      { status: null, color: '#000000', type: 'removed', orderindex: -1 },
      { status: t.status, color: first.color, orderindex: first.orderindex, type: first.type },
      t.dateCreated,
      { data: { status_type: first.type } },
    );
    this.c.events.emit('taskCreated', t, [status, historyItem(t, 'task_creation', u, null, null, t.dateCreated)]);
    this.c.events.emit('taskStatusUpdated', t, [status]);
    return t;
  }

  private statusType(list: ListRec, name: string): string {
    return list.statuses.find((x) => x.status === name)?.type ?? 'open';
  }

  /** Applies an UpdateTask body; emits taskUpdated plus the specific events ClickUp sends. */
  updateTask(t: TaskRec, body: Record<string, unknown>, userId: number): TaskRec | ApiError {
    const s = this.c.state;
    const list = s.lists.get(t.listId)!;
    const u = this.user(userId);
    if (body.name !== undefined && (typeof body.name !== 'string' || !body.name.trim()))
      return apiError(400, 'Task name invalid', 'INPUT_005');
    let newStatus: string | undefined;
    if (body.status !== undefined) {
      newStatus = list.statuses.find((x) => x.status.toLowerCase() === String(body.status).toLowerCase())?.status;
      if (!newStatus) return apiError(400, 'Status does not exist', 'ITEM_015');
    }
    if (body.priority !== undefined && body.priority !== null && !PRIORITIES[Number(body.priority)])
      return apiError(400, 'Priority invalid', 'INPUT_007');
    const now = this.touch(t);
    const changes: Array<[string, HistoryItem]> = [];
    if (typeof body.name === 'string' && body.name !== t.name) {
      changes.push(['taskUpdated', historyItem(t, 'name', u, t.name, body.name, now)]);
      t.name = body.name;
    }
    const desc =
      typeof body.markdown_content === 'string'
        ? stripMarkdown(body.markdown_content)
        : typeof body.description === 'string'
          ? body.description
          : undefined;
    if (desc !== undefined && desc !== t.description) {
      changes.push(['taskUpdated', historyItem(t, 'content', u, t.description, desc, now)]);
      t.description = desc;
      t.markdown = typeof body.markdown_content === 'string' ? body.markdown_content : desc;
    }
    if (body.priority !== undefined && (body.priority ?? null) !== t.priority) {
      const p = body.priority === null ? null : Number(body.priority);
      changes.push([
        'taskPriorityUpdated',
        historyItem(t, 'priority', u, priorityJson(t.priority), priorityJson(p), now),
      ]);
      t.priority = p;
    }
    if (body.due_date !== undefined && (body.due_date ?? null) !== t.dueDate) {
      const d = body.due_date === null ? null : Number(body.due_date);
      changes.push([
        'taskDueDateUpdated',
        historyItem(
          t,
          'due_date',
          u,
          t.dueDate === null ? null : String(t.dueDate),
          d === null ? null : String(d),
          now,
        ),
      ]);
      t.dueDate = d;
    }
    if (typeof body.due_date_time === 'boolean') t.dueDateTime = body.due_date_time;
    if (typeof body.start_date === 'number') t.startDate = body.start_date;
    if (typeof body.points === 'number') t.points = body.points;
    if (typeof body.archived === 'boolean') t.archived = body.archived;
    if (typeof body.parent === 'string' && s.tasks.has(body.parent)) t.parent = body.parent;
    const a = body.assignees as { add?: number[]; rem?: number[] } | undefined;
    if (a && typeof a === 'object') {
      for (const id of a.add ?? [])
        if (!t.assignees.includes(id) && s.users.some((x) => x.id === id)) {
          t.assignees.push(id);
          changes.push(['taskAssigneeUpdated', historyItem(t, 'assignee_add', u, null, this.user(id), now)]);
        }
      for (const id of a.rem ?? [])
        if (t.assignees.includes(id)) {
          t.assignees = t.assignees.filter((x) => x !== id);
          changes.push(['taskAssigneeUpdated', historyItem(t, 'assignee_rem', u, this.user(id), null, now)]);
        }
    }
    for (const [event, item] of changes) this.c.events.emit(event === 'taskUpdated' ? 'taskUpdated' : event, t, [item]);
    if (newStatus !== undefined && newStatus !== t.status) this.setStatus(t, newStatus, userId, now);
    return t;
  }

  /** Moves a task to a status of its list; emits taskStatusUpdated (and taskUpdated). */
  setStatus(t: TaskRec, status: string, userId: number, at?: number): TaskRec | ApiError {
    const list = this.c.state.lists.get(t.listId)!;
    const target = list.statuses.find((x) => x.status.toLowerCase() === status.toLowerCase());
    if (!target) return apiError(400, 'Status does not exist', 'ITEM_015');
    if (target.status === t.status) return t;
    const now = at ?? this.touch(t);
    const before = statusJson(list, t.status);
    t.status = target.status;
    const closed = target.type === 'closed' || target.type === 'done';
    t.dateClosed = closed ? now : null;
    t.dateDone = closed ? now : null;
    const after = statusJson(list, t.status);
    const item = historyItem(
      t,
      'status',
      this.user(userId),
      { status: before.status, color: before.color, type: before.type, orderindex: before.orderindex },
      { status: after.status, color: after.color, type: after.type, orderindex: after.orderindex },
      now,
      { data: { status_type: after.type } },
    );
    this.c.events.emit('taskStatusUpdated', t, [item]);
    this.c.events.emit('taskUpdated', t, [item]);
    return t;
  }

  /** Sets one custom field (ClickUp form already); emits taskUpdated with a custom_field history item. */
  setField(t: TaskRec, fieldId: string, value: unknown, userId: number): TaskRec | ApiError {
    const s = this.c.state;
    const list = s.lists.get(t.listId)!;
    const f = s.fields.get(fieldId);
    if (!f || !list.fieldIds.includes(fieldId))
      return apiError(400, 'Custom field not found on this list', 'FIELD_015');
    const v = coerceValue(f, value, this.known());
    if (isApiError(v)) return v;
    const before = t.fields.get(fieldId);
    t.fields.set(fieldId, v.value);
    s.indexField(t.id, fieldId, before, v.value);
    const now = this.touch(t);
    this.c.events.emit('taskUpdated', t, [
      historyItem(t, 'custom_field', this.user(userId), before ?? null, v.value, now, { custom_field: fieldJson(f) }),
    ]);
    return t;
  }

  removeField(t: TaskRec, fieldId: string, userId: number): TaskRec | ApiError {
    const s = this.c.state;
    const f = s.fields.get(fieldId);
    if (!f || !s.lists.get(t.listId)!.fieldIds.includes(fieldId))
      return apiError(400, 'Custom field not found on this list', 'FIELD_015');
    const before = t.fields.get(fieldId);
    if (before === undefined) return t;
    t.fields.delete(fieldId);
    s.indexField(t.id, fieldId, before, undefined);
    const now = this.touch(t);
    this.c.events.emit('taskUpdated', t, [
      historyItem(t, 'custom_field', this.user(userId), before, null, now, { custom_field: fieldJson(f) }),
    ]);
    return t;
  }

  /** Files attached in the comment are added to the task first (their own attachment events), then the comment names them. */
  addComment(
    t: TaskRec,
    text: string,
    userId: number,
    files: ReadonlyArray<{ filename: string; contentType: string; data: Buffer }> = [],
  ): CommentRec {
    const attachmentIds = files.map((f) => this.addAttachment(t, f, userId).id);
    const now = this.touch(t);
    const c: CommentRec = {
      id: this.c.state.nextNumericId(90150000000),
      text,
      userId,
      date: now,
      resolved: false,
      ...(attachmentIds.length ? { attachmentIds } : {}),
    };
    t.comments.push(c);
    const json = commentJson(this.c.state, c, this.c.origin);
    this.c.events.emit('taskCommentPosted', t, [
      historyItem(t, 'comment', this.user(userId), null, c.id, now, {
        comment: { ...json, parent: t.id, type: 1, text_content: text },
      }),
    ]);
    return c;
  }

  addAttachment(
    t: TaskRec,
    file: { filename: string; contentType: string; data: Buffer },
    userId: number,
  ): AttachmentRec {
    const now = this.touch(t);
    const a: AttachmentRec = {
      id: `${randomUUID()}.${extname(file.filename).slice(1) || 'bin'}`,
      version: '0',
      date: now,
      title: file.filename,
      extension: extname(file.filename).slice(1),
      mimetype: file.contentType || 'application/octet-stream',
      size: file.data.length,
      data: file.data,
      userId,
    };
    t.attachments.push(a);
    this.c.state.attachmentsById.set(a.id, a);
    // ClickUp's list of webhook events has no attachment event (Create Webhook in its OpenAPI document,
    // https://developer.clickup.com/docs/webhooks): a file added to a task arrives as a taskUpdated, the
    // event "triggered when a task is updated" (https://developer.clickup.com/docs/webhooktaskpayloads).
    // The history item's field and `after` are not documented; the bridge uses them only as a hint and
    // reads the task's attachments itself (docs/CLICKUP.md).
    const item = historyItem(t, 'attachments', this.user(userId), null, attachmentJson(a, this.c.origin), now);
    this.c.events.emit('taskUpdated', t, [item]);
    return a;
  }

  setTags(t: TaskRec, add: string[], rem: string[], userId: number): TaskRec {
    const now = this.touch(t);
    const before = [...t.tags];
    t.tags = [...new Set([...t.tags.filter((x) => !rem.includes(x)), ...add.map((x) => x.toLowerCase())])];
    this.c.events.emit('taskTagUpdated', t, [
      historyItem(
        t,
        'tag',
        this.user(userId),
        before.map((name) => ({ name })),
        t.tags.map((name) => ({ name })),
        now,
      ),
    ]);
    return t;
  }

  /** Moves a task to another list (ClickUp's "Move to"): keeps its status when the list has it; emits taskMoved. */
  moveToList(t: TaskRec, listId: string, userId: number): TaskRec | ApiError {
    const s = this.c.state;
    const from = s.lists.get(t.listId)!;
    const to = s.lists.get(listId);
    if (!to) return apiError(404, 'List not found', 'ITEM_013');
    if (to.id === from.id) return t;
    const now = this.touch(t);
    from.taskIds = from.taskIds.filter((id) => id !== t.id);
    to.taskIds.push(t.id);
    t.listId = to.id;
    if (!to.statuses.some((x) => x.status === t.status)) t.status = to.statuses[0]!.status;
    this.c.events.emit('taskMoved', t, [
      historyItem(
        t,
        'section_moved',
        this.user(userId),
        { id: from.id, name: from.name },
        { id: to.id, name: to.name },
        now,
      ),
    ]);
    return t;
  }

  deleteTask(t: TaskRec, userId: number): void {
    const s = this.c.state;
    const list = s.lists.get(t.listId)!;
    list.taskIds = list.taskIds.filter((id) => id !== t.id);
    s.tasks.delete(t.id);
    s.deletedTaskIds.add(t.id);
    s.tasksByCustomId.delete(t.customId);
    for (const [fid, v] of t.fields) s.indexField(t.id, fid, v, undefined);
    this.c.events.emit('taskDeleted', t, [historyItem(t, 'deleted', this.user(userId), null, null, this.c.now())]);
  }
}

/** ClickUp keeps markdown as the description's plain text too; a light strip is enough here. */
export function stripMarkdown(md: string): string {
  return md
    .replace(/^#+\s*/gm, '')
    .replace(/\*\*|__|`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
}
