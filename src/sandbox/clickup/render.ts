import {
  PRIORITIES,
  type ClickUpState,
  type CommentRec,
  type FieldDef,
  type ListRec,
  type StatusDef,
  type TaskRec,
  type User,
  type WebhookRec,
  type AttachmentRec,
  type ChecklistRec,
} from './state.ts';

/** JSON shapes as ClickUp answers them (numbers-as-strings for dates, users as objects). */

export const userJson = (u: User) => ({
  id: u.id,
  username: u.username,
  color: u.color,
  email: u.email,
  initials: u.initials,
  profilePicture: u.profilePicture,
});

export function statusJson(list: ListRec, name: string): StatusDef & { id: string } {
  const s = list.statuses.find((x) => x.status === name) ?? list.statuses[0]!;
  return {
    id: `p${list.id}_${s.orderindex}`,
    status: s.status,
    color: s.color,
    orderindex: s.orderindex,
    type: s.type,
  };
}

export function priorityJson(p: number | null) {
  if (p === null) return null;
  const d = PRIORITIES[p]!;
  return { color: d.color, id: String(p), orderindex: String(p), priority: d.priority };
}

export function fieldJson(f: FieldDef) {
  return {
    id: f.id,
    name: f.name,
    type: f.type,
    type_config: f.type_config,
    date_created: f.date_created,
    hide_from_guests: f.hide_from_guests,
    required: f.required,
  };
}

/** A stored custom-field value as ClickUp shows it on a task: drop-down → option orderindex, money → string. */
export function fieldValueJson(f: FieldDef, v: unknown): unknown {
  if (f.type === 'drop_down') return f.type_config.options?.find((o) => o.id === v)?.orderindex ?? v;
  if (f.type === 'currency' || f.type === 'number') return String(v);
  if (f.type === 'date') return String(v);
  return v;
}

/**
 * `filesBase` is where the sandbox serves files: `${origin}/attachments` by default, or, with attachmentTls,
 * `https://t{team}.p.clickup-attachments.com:{port}/t{team}` as ClickUp names its file URLs.
 */
export function attachmentJson(a: AttachmentRec, filesBase: string) {
  const url = `${filesBase}/${a.id}/${encodeURIComponent(a.title)}`;
  return {
    id: a.id,
    version: a.version,
    date: a.date,
    title: a.title,
    extension: a.extension,
    thumbnail_small: url,
    thumbnail_large: url,
    url,
    mimetype: a.mimetype,
    size: a.size,
  };
}

export function checklistJson(c: ChecklistRec, state: ClickUpState) {
  const resolved = c.items.filter((i) => i.resolved).length;
  return {
    id: c.id,
    task_id: c.taskId,
    name: c.name,
    orderindex: c.orderindex,
    date_created: c.dateCreated,
    resolved,
    unresolved: c.items.length - resolved,
    items: c.items.map((i) => ({
      id: i.id,
      name: i.name,
      orderindex: i.orderindex,
      assignee: i.assignee === null ? null : userJson(state.user(i.assignee)),
      resolved: i.resolved,
      parent: i.parent,
      date_created: i.date_created,
      children: [],
    })),
  };
}

export function taskJson(
  state: ClickUpState,
  t: TaskRec,
  origin: string,
  opts: { markdown?: boolean; subtasks?: boolean; attachments?: boolean } = {},
) {
  const list = state.lists.get(t.listId)!;
  const customFields = list.fieldIds.map((id) => {
    const f = state.fields.get(id)!;
    const base = fieldJson(f);
    return t.fields.has(id) ? { ...base, value: fieldValueJson(f, t.fields.get(id)) } : base;
  });
  const out: Record<string, unknown> = {
    id: t.id,
    custom_id: state.customTaskIds ? t.customId : null,
    custom_item_id: null,
    name: t.name,
    text_content: t.description,
    description: t.description,
    status: statusJson(list, t.status),
    orderindex: `${t.dateCreated}.00000000000000000000000000000000`,
    date_created: String(t.dateCreated),
    date_updated: String(t.dateUpdated),
    date_closed: t.dateClosed === null ? null : String(t.dateClosed),
    date_done: t.dateDone === null ? null : String(t.dateDone),
    archived: t.archived,
    creator: { ...userJson(state.user(t.creator)) },
    assignees: t.assignees.map((id) => userJson(state.user(id))),
    group_assignees: [],
    watchers: t.watchers.map((id) => userJson(state.user(id))),
    checklists: t.checklistIds.map((id) => checklistJson(state.checklists.get(id)!, state)),
    tags: t.tags.map((name) => ({ name, tag_fg: '#800000', tag_bg: '#800000', creator: t.creator })),
    parent: t.parent,
    top_level_parent: t.parent,
    priority: priorityJson(t.priority),
    due_date: t.dueDate === null ? null : String(t.dueDate),
    start_date: t.startDate === null ? null : String(t.startDate),
    points: t.points,
    time_estimate: t.timeEstimate,
    time_spent: null,
    custom_fields: customFields,
    dependencies: t.dependencies,
    linked_tasks: t.links.map((l) => ({
      task_id: t.id,
      link_id: l.links_to,
      date_created: l.date_created,
      userid: l.userid,
      workspace_id: state.teamId,
    })),
    locations: [],
    team_id: state.teamId,
    url: `https://app.clickup.com/t/${t.id}`,
    sharing: { public: false, public_share_expires_on: null, public_fields: [], token: null, seo_optimized: false },
    permission_level: 'create',
    list: { id: list.id, name: list.name, access: true },
    project: { id: list.folderId, name: 'hidden', hidden: true, access: true },
    folder: { id: list.folderId, name: 'hidden', hidden: true, access: true },
    space: { id: list.spaceId },
  };
  if (opts.markdown) out.markdown_description = t.markdown || t.description;
  if (opts.attachments) out.attachments = t.attachments.map((a) => attachmentJson(a, origin));
  if (opts.subtasks) {
    out.subtasks = list.taskIds
      .map((id) => state.tasks.get(id)!)
      .filter((s) => s.parent === t.id)
      .map((s) => taskJson(state, s, origin));
  }
  return out;
}

export function listJson(state: ClickUpState, l: ListRec) {
  return {
    id: l.id,
    name: l.name,
    orderindex: 0,
    content: '',
    status: { status: 'green', color: '#6bc950', hide_label: true },
    priority: { priority: 'normal', color: '#6fddff' },
    assignee: null,
    task_count: l.taskIds.length,
    due_date: '',
    due_date_time: false,
    start_date: null,
    start_date_time: null,
    folder: { id: l.folderId, name: 'hidden', hidden: true, access: true },
    space: { id: l.spaceId, name: 'Partner operations', access: true },
    inbound_address: `a.${l.id}.sandbox@tasks.clickup.com`,
    archived: false,
    override_statuses: true,
    statuses: l.statuses.map((s) => ({
      id: `p${l.id}_${s.orderindex}`,
      status: s.status,
      orderindex: s.orderindex,
      color: s.color,
      type: s.type,
    })),
    permission_level: 'create',
  };
}

export function commentJson(state: ClickUpState, c: CommentRec, origin?: string) {
  const u = userJson(state.user(c.userId));
  return {
    id: c.id,
    // A file attached in a comment is a part of type "attachment" after the text.
    comment: [
      { text: c.text },
      ...(c.attachmentIds ?? []).flatMap((id) => {
        const a = state.attachmentsById.get(id);
        return a
          ? [
              {
                text: a.title,
                type: 'attachment',
                attachment: {
                  id: a.id,
                  title: a.title,
                  mimetype: a.mimetype,
                  url: attachmentJson(a, origin ?? '').url,
                },
              },
            ]
          : [];
      }),
    ],
    comment_text: c.text,
    user: u,
    resolved: c.resolved,
    assignee: u,
    assigned_by: u,
    reactions: [],
    date: String(c.date),
    reply_count: '0',
  };
}

export function webhookJson(w: WebhookRec) {
  return {
    id: w.id,
    userid: w.userid,
    team_id: w.team_id,
    endpoint: w.endpoint,
    client_id: w.client_id,
    events: w.events,
    task_id: w.task_id,
    list_id: w.list_id,
    folder_id: w.folder_id,
    space_id: w.space_id,
    health: { ...w.health },
    secret: w.secret,
  };
}
