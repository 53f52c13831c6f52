import type { Logger } from 'pino';
import type { Result } from '../../core/result.ts';
import { ClickUpRateLimiter, type RateLimitState } from './rateLimiter.ts';
import { ClickUpTransport, DEFAULT_RETRY, type RetryPolicy } from './transport.ts';
import type { TaskRef } from './taskRef.ts';
import * as tasks from './tasks.ts';
import * as fields from './fields.ts';
import * as comments from './comments.ts';
import * as attachments from './attachments.ts';
import * as lists from './lists.ts';
import * as webhooks from './webhooks.ts';
import * as checklists from './checklists.ts';
import * as dependencies from './dependencies.ts';
import * as templates from './templates.ts';
import * as members from './members.ts';
import * as users from './users.ts';
import type {
  AddDependencyBody,
  ClickUpAttachment,
  ClickUpChecklist,
  ClickUpComment,
  ClickUpField,
  ClickUpList,
  ClickUpTask,
  ClickUpTemplate,
  ClickUpWebhook,
  CreateChecklistBody,
  CreateChecklistItemBody,
  CreateCommentBody,
  CreatedComment,
  CreateTaskBody,
  CreateTaskFromTemplateBody,
  CreateWebhookBody,
  CustomFieldValue,
  EditChecklistBody,
  EditChecklistItemBody,
  UpdateTaskBody,
  UpdateWebhookBody,
} from './types.ts';

export interface ClickUpClientOptions {
  /** API base, e.g. `https://api.clickup.com/api` or a sandbox's `url`; paths are `/v2/...` under it. */
  baseUrl: string;
  /** Personal token (`pk_…`) or OAuth access token (sent as Bearer). */
  token: string;
  /** Workspace (team) id: needed to address tasks by custom id. */
  teamId?: string;
  logger?: Logger;
  /** Clock (epoch ms) and sleep; a time-scaled sandbox passes its own so windows shrink together. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Share one limiter between clients of the same token; default: one per client. */
  limiter?: ClickUpRateLimiter;
  /** Calls per minute assumed while answers carry no rate-limit headers (default 100, the lowest plan). */
  assumedRateLimitPerMinute?: number;
  retry?: Partial<RetryPolicy>;
  /** Hosts attachment URLs may point at, besides the API host (`*.example.com` allowed). */
  attachmentHosts?: readonly string[];
  /** Address, redirect, size, time and type limits on attachment fetches from those hosts (connectors/http/safeFetch.ts). */
  attachmentFetch?: attachments.AttachmentFetchGuard;
  timeoutMs?: number;
}

export type { TaskRef, RateLimitState };
export type { ListTasksQuery, GetTaskOptions } from './tasks.ts';
export type { AttachmentUpload, AttachmentDownload } from './attachments.ts';
export type { Dependency } from './dependencies.ts';

/** Typed ClickUp v2 client: every method returns a Result; rate limits and retries are handled inside. */
export interface ClickUpClient {
  readonly teamId: string | undefined;
  createTask(listId: string, body: CreateTaskBody): Promise<Result<ClickUpTask>>;
  updateTask(task: TaskRef, body: UpdateTaskBody): Promise<Result<ClickUpTask>>;
  getTask(task: TaskRef, opts?: tasks.GetTaskOptions): Promise<Result<ClickUpTask>>;
  deleteTask(task: TaskRef): Promise<Result<void>>;
  /** Every page; more than `maxPages` (default 10,000) is the error `clickup:too_many_pages`. */
  listTasks(listId: string, query?: tasks.ListTasksQuery, maxPages?: number): Promise<Result<ClickUpTask[]>>;
  findTasksByCustomField(
    listId: string,
    fieldId: string,
    value: string | number | boolean,
  ): Promise<Result<ClickUpTask[]>>;
  getListFields(listId: string): Promise<Result<ClickUpField[]>>;
  setCustomFieldValue(
    task: TaskRef,
    fieldId: string,
    value: CustomFieldValue,
    valueOptions?: { time: boolean },
  ): Promise<Result<void>>;
  removeCustomFieldValue(task: TaskRef, fieldId: string): Promise<Result<void>>;
  getList(listId: string): Promise<Result<ClickUpList>>;
  createComment(task: TaskRef, body: CreateCommentBody): Promise<Result<CreatedComment>>;
  listComments(task: TaskRef): Promise<Result<ClickUpComment[]>>;
  uploadAttachment(task: TaskRef, file: attachments.AttachmentUpload): Promise<Result<ClickUpAttachment>>;
  downloadAttachment(url: string): Promise<Result<attachments.AttachmentDownload>>;
  createChecklist(task: TaskRef, body: CreateChecklistBody): Promise<Result<ClickUpChecklist>>;
  editChecklist(checklistId: string, body: EditChecklistBody): Promise<Result<void>>;
  deleteChecklist(checklistId: string): Promise<Result<void>>;
  createChecklistItem(checklistId: string, body: CreateChecklistItemBody): Promise<Result<ClickUpChecklist>>;
  editChecklistItem(
    checklistId: string,
    itemId: string,
    body: EditChecklistItemBody,
  ): Promise<Result<ClickUpChecklist>>;
  deleteChecklistItem(checklistId: string, itemId: string): Promise<Result<void>>;
  addDependency(task: TaskRef, dep: dependencies.Dependency): Promise<Result<void>>;
  deleteDependency(task: TaskRef, dep: dependencies.Dependency): Promise<Result<void>>;
  addTaskLink(task: TaskRef, linksTo: string): Promise<Result<void>>;
  deleteTaskLink(task: TaskRef, linksTo: string): Promise<Result<void>>;
  listTaskTemplates(teamId?: string): Promise<Result<ClickUpTemplate[]>>;
  /** Members of the workspace (id, username, e-mail): assignees named by e-mail in the config. */
  listWorkspaceMembers(teamId?: string): Promise<Result<members.WorkspaceMember[]>>;
  /** GET /v2/user: who this token is (the integration user). */
  getAuthorizedUser(): Promise<Result<users.AuthorizedUser>>;
  createTaskFromTemplate(
    listId: string,
    templateId: string,
    body: CreateTaskFromTemplateBody,
  ): Promise<Result<{ id: string }>>;
  createWebhook(teamId: string, body: CreateWebhookBody): Promise<Result<ClickUpWebhook>>;
  listWebhooks(teamId: string): Promise<Result<ClickUpWebhook[]>>;
  updateWebhook(webhookId: string, body: UpdateWebhookBody): Promise<Result<ClickUpWebhook>>;
  deleteWebhook(webhookId: string): Promise<Result<void>>;
  /** The token's budget as last seen (limit, remaining, reset, queue). */
  rateLimitState(): RateLimitState;
  /**
   * `fn` runs each time ClickUp answers again after it was unavailable (5xx, 408, no answer); returns the
   * unsubscribe. Optional: test doubles need not have it.
   */
  onRecovered?(fn: (downSince: number) => void): () => void;
  close(): Promise<void>;
}

export type { AddDependencyBody };

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Builds a ClickUp client; no I/O until the first call. */
export function createClickUpClient(opts: ClickUpClientOptions): ClickUpClient {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const limiter =
    opts.limiter ??
    new ClickUpRateLimiter({ now, sleep, logger: opts.logger, assumedLimit: opts.assumedRateLimitPerMinute });
  const t = new ClickUpTransport(
    opts.baseUrl,
    opts.token,
    limiter,
    { ...DEFAULT_RETRY, ...opts.retry },
    now,
    sleep,
    opts.logger,
    opts.timeoutMs,
  );
  const c: tasks.ResourceContext = { t, teamId: opts.teamId };
  const dl = {
    ...c,
    apiBase: new URL(opts.baseUrl),
    allowedHosts: opts.attachmentHosts ?? attachments.DEFAULT_ATTACHMENT_HOSTS,
    guard: opts.attachmentFetch,
  };
  const needTeam = (teamId: string | undefined): string => {
    const id = teamId ?? opts.teamId;
    if (!id) throw new Error('ClickUp client: teamId is needed (pass it to the call or to createClickUpClient)');
    return id;
  };
  return {
    teamId: opts.teamId,
    createTask: (listId, body) => tasks.createTask(c, listId, body),
    updateTask: (task, body) => tasks.updateTask(c, task, body),
    getTask: (task, o) => tasks.getTask(c, task, o),
    deleteTask: (task) => tasks.deleteTask(c, task),
    listTasks: (listId, query, maxPages) => tasks.listTasks(c, listId, query, maxPages),
    findTasksByCustomField: (listId, fieldId, value) => tasks.findTasksByCustomField(c, listId, fieldId, value),
    getListFields: (listId) => fields.getListFields(c, listId),
    setCustomFieldValue: (task, fieldId, value, vo) => fields.setCustomFieldValue(c, task, fieldId, value, vo),
    removeCustomFieldValue: (task, fieldId) => fields.removeCustomFieldValue(c, task, fieldId),
    getList: (listId) => lists.getList(c, listId),
    createComment: (task, body) => comments.createComment(c, task, body),
    listComments: (task) => comments.listComments(c, task),
    uploadAttachment: (task, file) => attachments.uploadAttachment(c, task, file),
    downloadAttachment: (url) => attachments.downloadAttachment(dl, url),
    createChecklist: (task, body) => checklists.createChecklist(c, task, body),
    editChecklist: (id, body) => checklists.editChecklist(c, id, body),
    deleteChecklist: (id) => checklists.deleteChecklist(c, id),
    createChecklistItem: (id, body) => checklists.createChecklistItem(c, id, body),
    editChecklistItem: (id, itemId, body) => checklists.editChecklistItem(c, id, itemId, body),
    deleteChecklistItem: (id, itemId) => checklists.deleteChecklistItem(c, id, itemId),
    addDependency: (task, dep) => dependencies.addDependency(c, task, dep),
    deleteDependency: (task, dep) => dependencies.deleteDependency(c, task, dep),
    addTaskLink: (task, linksTo) => dependencies.addTaskLink(c, task, linksTo),
    deleteTaskLink: (task, linksTo) => dependencies.deleteTaskLink(c, task, linksTo),
    listTaskTemplates: (teamId) => templates.listTaskTemplates(c, needTeam(teamId)),
    listWorkspaceMembers: (teamId) => members.listWorkspaceMembers(c, needTeam(teamId)),
    getAuthorizedUser: () => users.getAuthorizedUser(c),
    createTaskFromTemplate: (listId, templateId, body) => templates.createTaskFromTemplate(c, listId, templateId, body),
    createWebhook: (teamId, body) => webhooks.createWebhook(c, teamId, body),
    listWebhooks: (teamId) => webhooks.listWebhooks(c, teamId),
    updateWebhook: (id, body) => webhooks.updateWebhook(c, id, body),
    deleteWebhook: (id) => webhooks.deleteWebhook(c, id),
    rateLimitState: () => limiter.state(),
    onRecovered: (fn) => t.onRecovered(fn),
    close: () => t.close(),
  };
}
