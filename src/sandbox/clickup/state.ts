import { randomUUID } from 'node:crypto';

export interface User {
  id: number;
  username: string;
  email: string;
  color: string;
  initials: string;
  profilePicture: string | null;
}

export interface StatusDef {
  status: string;
  type: 'open' | 'custom' | 'closed' | 'done';
  color: string;
  orderindex: number;
}

export interface FieldOption {
  id: string;
  name: string;
  color: string | null;
  orderindex: number;
}

export interface FieldDef {
  id: string;
  name: string;
  type: string;
  type_config: Record<string, unknown> & { options?: FieldOption[] };
  date_created: string;
  hide_from_guests: boolean;
  required: boolean;
}

export interface ListRec {
  id: string;
  name: string;
  folderId: string;
  spaceId: string;
  statuses: StatusDef[];
  fieldIds: string[];
  taskIds: string[];
  /** Prefix of custom task ids in this list's space. */
  customPrefix: string;
}

export interface AttachmentRec {
  id: string;
  version: string;
  date: number;
  title: string;
  extension: string;
  mimetype: string;
  size: number;
  data: Buffer;
  userId: number;
}

export interface CommentRec {
  id: string;
  text: string;
  userId: number;
  date: number;
  resolved: boolean;
  /** Files attached in the comment (they are also on the task), as ClickUp shows them in the comment's parts. */
  attachmentIds?: string[];
}

export interface ChecklistItemRec {
  id: string;
  name: string;
  orderindex: number;
  assignee: number | null;
  resolved: boolean;
  parent: string | null;
  date_created: string;
}

export interface ChecklistRec {
  id: string;
  taskId: string;
  name: string;
  orderindex: number;
  dateCreated: string;
  items: ChecklistItemRec[];
}

export interface DependencyRec {
  task_id: string;
  depends_on: string;
  type: number;
  date_created: string;
  userid: string;
}

export interface TaskRec {
  id: string;
  customId: string;
  name: string;
  description: string;
  markdown: string;
  status: string;
  listId: string;
  parent: string | null;
  priority: number | null;
  dueDate: number | null;
  dueDateTime: boolean;
  startDate: number | null;
  tags: string[];
  assignees: number[];
  watchers: number[];
  creator: number;
  dateCreated: number;
  dateUpdated: number;
  dateClosed: number | null;
  dateDone: number | null;
  archived: boolean;
  points: number | null;
  timeEstimate: number | null;
  fields: Map<string, unknown>;
  checklistIds: string[];
  attachments: AttachmentRec[];
  comments: CommentRec[];
  dependencies: DependencyRec[];
  links: Array<{ links_to: string; date_created: string; userid: string }>;
}

export interface WebhookRec {
  id: string;
  userid: number;
  team_id: number;
  endpoint: string;
  client_id: string;
  events: string[];
  task_id: string | null;
  list_id: string | null;
  folder_id: string | null;
  space_id: string | null;
  health: { status: 'active' | 'failing' | 'suspended'; fail_count: number };
  secret: string;
  token: string;
}

export interface TemplateRec {
  id: string;
  name: string;
  /** What a task made from it gets. */
  description: string;
  checklists: Array<{ name: string; items: string[] }>;
  subtasks: string[];
  tags: string[];
}

export const PRIORITIES: Record<number, { priority: string; color: string }> = {
  1: { priority: 'urgent', color: '#f50000' },
  2: { priority: 'high', color: '#f8ae00' },
  3: { priority: 'normal', color: '#6fddff' },
  4: { priority: 'low', color: '#d8d8d8' },
};

/** Everything the sandbox knows; plain data, mutated by the route handlers. */
export class ClickUpState {
  readonly teamId = '9015123456';
  readonly teamName = 'Gridbridge Sandbox';
  readonly spaceId = '90150123456';
  readonly folderId = '90150234567';
  readonly users: User[] = [];
  readonly tokens = new Map<string, number>(); // token -> user id
  readonly lists = new Map<string, ListRec>();
  readonly fields = new Map<string, FieldDef>();
  readonly tasks = new Map<string, TaskRec>();
  readonly tasksByCustomId = new Map<string, string>();
  /** Ids of deleted tasks: they answer "Task not found, deleted" where an unknown id answers OAUTH_027. */
  readonly deletedTaskIds = new Set<string>();
  /**
   * Custom task ids are a Workspace ClickApp, off unless turned on: while off, custom_id is null and a task
   * cannot be addressed by one ("Custom Task IDs", developer.clickup.com).
   */
  customTaskIds = false;
  readonly checklists = new Map<string, ChecklistRec>();
  readonly webhooks = new Map<string, WebhookRec>();
  readonly templates = new Map<string, TemplateRec>();
  readonly attachmentsById = new Map<string, AttachmentRec>();
  /** Equality index for the custom_fields filter: field id -> value text -> task ids. */
  readonly fieldIndex = new Map<string, Map<string, Set<string>>>();
  private seq = 1;
  private taskSeq = 0;
  private customSeq = new Map<string, number>();

  nextId(): string {
    return String(this.seq++);
  }

  nextNumericId(base: number): string {
    return String(base + this.seq++);
  }

  nextTaskId(): string {
    // ClickUp task ids look like "86b2x7k1q": short, lower-case base 36.
    return `86${(0x1000000 + this.taskSeq++).toString(36)}`;
  }

  nextCustomId(list: ListRec): string {
    const n = (this.customSeq.get(list.customPrefix) ?? 0) + 1;
    this.customSeq.set(list.customPrefix, n);
    return `${list.customPrefix}-${n}`;
  }

  user(id: number): User {
    return this.users.find((u) => u.id === id) ?? this.users[0]!;
  }

  indexField(taskId: string, fieldId: string, before: unknown, after: unknown): void {
    let byValue = this.fieldIndex.get(fieldId);
    if (!byValue) this.fieldIndex.set(fieldId, (byValue = new Map()));
    if (before !== undefined && before !== null) byValue.get(indexKey(before))?.delete(taskId);
    if (after !== undefined && after !== null) {
      const k = indexKey(after);
      let set = byValue.get(k);
      if (!set) byValue.set(k, (set = new Set()));
      set.add(taskId);
    }
  }
}

export const indexKey = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

const COLORS = ['#d3d3d3', '#4194f6', '#a875ff', '#f9d900', '#ff7800', '#6bc950', '#e50000'];

function statuses(defs: Array<[string, StatusDef['type']]>): StatusDef[] {
  return defs.map(([status, type], i) => ({ status, type, color: COLORS[i % COLORS.length]!, orderindex: i }));
}

function dropDown(state: ClickUpState, name: string, labels: string[]): FieldDef {
  return field(state, name, 'drop_down', {
    default: 0,
    placeholder: null,
    options: labels.map((l, i) => ({ id: randomUUID(), name: l, color: COLORS[i % COLORS.length]!, orderindex: i })),
  });
}

function field(state: ClickUpState, name: string, type: string, type_config: FieldDef['type_config'] = {}): FieldDef {
  const f: FieldDef = {
    id: randomUUID(),
    name,
    type,
    type_config,
    date_created: String(Date.now()),
    hide_from_guests: false,
    required: false,
  };
  state.fields.set(f.id, f);
  return f;
}

export interface SeededIds {
  cases: string;
  onboarding: string;
  approvals: string;
  rollouts: string;
  /** Cases from EDI test interchanges, kept apart from production (same fields as the cases list). */
  ediTest: string;
  /** A list carrying one field of each type whose value is not a plain string or number. */
  fieldTypes: string;
}

/** The workspace gridbridge expects: members, the four lists with their statuses and fields, templates. */
export function seed(state: ClickUpState, token: string): SeededIds {
  const people: Array<[string, string]> = [
    ['Sandbox Bot', 'bot@gridbridge.example'],
    ['Ana Ops', 'ana.ops@gridbridge.example'],
    ['Ben Legal', 'ben.legal@gridbridge.example'],
    ['Chen IT', 'chen.it@gridbridge.example'],
    ['Dora Manager', 'dora.manager@gridbridge.example'],
  ];
  people.forEach(([username, email], i) => {
    const initials = username
      .split(' ')
      .map((p) => p[0])
      .join('');
    state.users.push({
      id: 81000000 + i + 1,
      username,
      email,
      color: COLORS[i % COLORS.length]!,
      initials,
      profilePicture: `https://attachments.clickup.com/profilePictures/${81000000 + i + 1}_sandbox.jpg`,
    });
  });
  state.tokens.set(token, state.users[0]!.id);

  const mkList = (name: string, prefix: string, sts: StatusDef[], fields: FieldDef[]): string => {
    const id = state.nextNumericId(901500000000);
    state.lists.set(id, {
      id,
      name,
      folderId: state.folderId,
      spaceId: state.spaceId,
      statuses: sts,
      fieldIds: fields.map((f) => f.id),
      taskIds: [],
      customPrefix: prefix,
    });
    return id;
  };
  const caseStatuses = statuses([
    ['open', 'open'],
    ['received', 'custom'],
    ['in review', 'custom'],
    ['qa', 'custom'],
    ['awaiting documents', 'custom'],
    ['escalated', 'custom'],
    ['resolved', 'closed'],
  ]);
  // The case fields, made afresh for each list that holds cases (a field belongs to one list here).
  const caseFields = (): FieldDef[] => [
    field(state, 'Partner', 'short_text'),
    dropDown(state, 'Issue type', [
      'dispute',
      'shipment exception',
      'document mismatch',
      'compliance issue',
      'edi exception',
    ]),
    field(state, 'Transaction reference', 'short_text'),
    field(state, 'TG case id', 'short_text'),
    field(state, 'Value', 'currency', { precision: 2, currency_type: 'USD', default: null }),
    dropDown(state, 'SLA state', ['on track', 'at risk', 'breached']),
    dropDown(state, 'Partner tier', ['key account', 'standard']),
    field(state, 'Share with partner', 'checkbox'),
  ];
  const cases = mkList('Partner cases', 'CASE', caseStatuses, caseFields());
  const onboarding = mkList(
    'Onboarding',
    'ONB',
    statuses([
      ['to do', 'open'],
      ['in progress', 'custom'],
      ['blocked', 'custom'],
      ['complete', 'closed'],
    ]),
    [
      field(state, 'Partner', 'short_text'),
      field(state, 'TG partner id', 'short_text'),
      dropDown(state, 'Workstream', ['legal', 'it', 'procurement', 'ops', 'testing']),
      field(state, 'Gridbridge key', 'short_text'),
    ],
  );
  const approvals = mkList(
    'Approvals',
    'APR',
    statuses([
      ['pending', 'open'],
      ['approved', 'closed'],
      ['rejected', 'done'],
      ['withdrawn', 'closed'],
    ]),
    [
      field(state, 'Partner', 'short_text'),
      field(state, 'TG request id', 'short_text'),
      dropDown(state, 'Request type', ['pricing exception', 'shipment change', 'document correction']),
      dropDown(state, 'Decision', ['approved', 'rejected']),
    ],
  );
  const rollouts = mkList(
    'Rollouts',
    'ROL',
    statuses([
      ['planned', 'open'],
      ['in progress', 'custom'],
      ['go-live ready', 'custom'],
      ['live', 'closed'],
    ]),
    [
      field(state, 'TG change id', 'short_text'),
      field(state, 'Acknowledgements', 'number'),
      field(state, 'Partners affected', 'number'),
      field(state, 'Acknowledged %', 'number'),
      field(state, 'Audience', 'short_text'),
      field(state, 'Gridbridge key', 'short_text'),
    ],
  );

  const tpl = (name: string, checklists: TemplateRec['checklists'], subtasks: string[] = []): void => {
    const id = `t-${state.nextNumericId(901500000)}`;
    state.templates.set(id, {
      id,
      name,
      description: `${name} (from template)`,
      checklists,
      subtasks,
      tags: ['template'],
    });
  };
  tpl(
    'Partner onboarding',
    [{ name: 'Go-live', items: ['Contract signed', 'EDI connection tested', 'Master data validated'] }],
    ['Contract review', 'EDI setup', 'Master data validation', 'Testing milestones'],
  );
  tpl('Policy rollout', [{ name: 'Readiness', items: ['Training', 'Documentation', 'Testing', 'Go-live readiness'] }]);
  // Made last so that every id seeded before it stays what it was.
  const ediTest = mkList('EDI test traffic', 'TEST', caseStatuses, caseFields());
  const fieldTypes = mkList(
    'Field types',
    'FT',
    statuses([
      ['to do', 'open'],
      ['done', 'closed'],
    ]),
    [
      field(state, 'Reviewer', 'users', { single_user: false, include_groups: false }),
      field(state, 'Related tasks', 'tasks', { fields: [] }),
      field(state, 'Site', 'location', {}),
      field(state, 'Progress', 'manual_progress', {
        method: 'manual',
        start: 0,
        end: 100,
        tracking: { checklists: false, subtasks: false, assigned_comments: false },
      }),
      field(state, 'Contact e-mail', 'email', {}),
      field(state, 'Contact phone', 'phone', {}),
      field(state, 'Note', 'short_text'),
    ],
  );
  return { cases, onboarding, approvals, rollouts, ediTest, fieldTypes };
}

export function newTask(state: ClickUpState, list: ListRec, userId: number, now: number): TaskRec {
  const id = state.nextTaskId();
  const t: TaskRec = {
    id,
    customId: state.nextCustomId(list),
    name: '',
    description: '',
    markdown: '',
    status: list.statuses[0]!.status,
    listId: list.id,
    parent: null,
    priority: null,
    dueDate: null,
    dueDateTime: false,
    startDate: null,
    tags: [],
    assignees: [],
    watchers: [userId],
    creator: userId,
    dateCreated: now,
    dateUpdated: now,
    dateClosed: null,
    dateDone: null,
    archived: false,
    points: null,
    timeEstimate: null,
    fields: new Map(),
    checklistIds: [],
    attachments: [],
    comments: [],
    dependencies: [],
    links: [],
  };
  state.tasks.set(id, t);
  state.tasksByCustomId.set(t.customId, id);
  list.taskIds.push(id);
  return t;
}
