import { z } from 'zod';
import type { operations } from './generated/openapi.ts';

/** JSON request body of a generated ClickUp operation. */
export type JsonBody<Op extends keyof operations> = operations[Op] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;
/** Query parameters of a generated ClickUp operation. */
export type QueryOf<Op extends keyof operations> = operations[Op]['parameters'] extends { query?: infer Q }
  ? NonNullable<Q>
  : never;

export type CreateTaskBody = JsonBody<'CreateTask'>;
export type UpdateTaskBody = JsonBody<'UpdateTask'>;
export type SetCustomFieldValueBody = JsonBody<'SetCustomFieldValue'>;
export type CustomFieldValue = SetCustomFieldValueBody['value'];
export type CreateCommentBody = JsonBody<'CreateTaskComment'>;
export type CreateWebhookBody = JsonBody<'CreateWebhook'>;
export type UpdateWebhookBody = JsonBody<'UpdateWebhook'>;
export type CreateChecklistBody = JsonBody<'CreateChecklist'>;
export type EditChecklistBody = JsonBody<'EditChecklist'>;
export type CreateChecklistItemBody = JsonBody<'CreateChecklistItem'>;
export type EditChecklistItemBody = JsonBody<'EditChecklistItem'>;
export type AddDependencyBody = JsonBody<'AddDependency'>;
export type CreateTaskFromTemplateBody = JsonBody<'CreateTaskFromTemplate'>;
export type GetTasksQuery = QueryOf<'GetTasks'>;

// Response schemas: lenient (unknown keys kept) and only as strict as what we read, so ClickUp adding
// a field never breaks us while a missing id or status still does.
const user = z.looseObject({
  id: z.number(),
  username: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
});

export const statusSchema = z.looseObject({
  status: z.string(),
  type: z.string(),
  color: z.string().optional(),
  orderindex: z.union([z.number(), z.string()]).optional(),
});
export type ClickUpStatus = z.infer<typeof statusSchema>;

export const customFieldOptionSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  label: z.string().optional(),
  orderindex: z.union([z.number(), z.string()]).optional(),
  color: z.string().nullable().optional(),
});
export const fieldSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  type_config: z.looseObject({ options: z.array(customFieldOptionSchema).optional() }).optional(),
  required: z.boolean().optional(),
});
export type ClickUpField = z.infer<typeof fieldSchema>;
export const taskFieldSchema = fieldSchema.extend({ value: z.unknown().optional() });

export const taskSchema = z.looseObject({
  id: z.string(),
  custom_id: z.string().nullable().optional(),
  name: z.string(),
  status: statusSchema,
  description: z.string().nullable().optional(),
  text_content: z.string().nullable().optional(),
  markdown_description: z.string().nullable().optional(),
  date_created: z.string().optional(),
  date_updated: z.string().optional(),
  date_closed: z.string().nullable().optional(),
  date_done: z.string().nullable().optional(),
  parent: z.string().nullable().optional(),
  priority: z.looseObject({ id: z.string(), priority: z.string() }).nullable().optional(),
  due_date: z.string().nullable().optional(),
  tags: z.array(z.looseObject({ name: z.string() })).optional(),
  assignees: z.array(user).optional(),
  custom_fields: z.array(taskFieldSchema).optional(),
  list: z.looseObject({ id: z.string() }).optional(),
  url: z.string().optional(),
});
export type ClickUpTask = z.infer<typeof taskSchema>;

export const tasksPageSchema = z.looseObject({ tasks: z.array(taskSchema), last_page: z.boolean().optional() });
export const fieldsSchema = z.looseObject({ fields: z.array(fieldSchema) });
export const listSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  statuses: z.array(statusSchema),
  space: z.looseObject({ id: z.string() }).optional(),
});
export type ClickUpList = z.infer<typeof listSchema>;

export const commentSchema = z.looseObject({
  id: z.string(),
  comment_text: z.string(),
  user: user.optional(),
  date: z.string(),
});
export type ClickUpComment = z.infer<typeof commentSchema>;
export const commentsSchema = z.looseObject({ comments: z.array(commentSchema) });
export const createdCommentSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform(String),
  hist_id: z.string().optional(),
  date: z.number(),
});
export type CreatedComment = z.infer<typeof createdCommentSchema>;

export const attachmentSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  url: z.string(),
  extension: z.string().optional(),
  date: z.union([z.number(), z.string()]).optional(),
});
export type ClickUpAttachment = z.infer<typeof attachmentSchema>;

export const webhookSchema = z.looseObject({
  id: z.string(),
  endpoint: z.string(),
  events: z.array(z.string()),
  team_id: z.number().optional(),
  list_id: z.union([z.string(), z.number()]).nullable().optional(),
  folder_id: z.union([z.string(), z.number()]).nullable().optional(),
  space_id: z.union([z.string(), z.number()]).nullable().optional(),
  task_id: z.string().nullable().optional(),
  health: z.looseObject({ status: z.string(), fail_count: z.number() }),
  secret: z.string().optional(),
});
export type ClickUpWebhook = z.infer<typeof webhookSchema>;
export const webhooksSchema = z.looseObject({ webhooks: z.array(webhookSchema) });
export const webhookEnvelopeSchema = z.looseObject({ id: z.string(), webhook: webhookSchema });

export const checklistItemSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  resolved: z.boolean().optional(),
  parent: z.string().nullable().optional(),
});
export const checklistSchema = z.looseObject({
  id: z.string(),
  task_id: z.string().optional(),
  name: z.string(),
  items: z.array(checklistItemSchema).optional(),
});
export type ClickUpChecklist = z.infer<typeof checklistSchema>;
export const checklistEnvelopeSchema = z.looseObject({ checklist: checklistSchema });

export const templateSchema = z.looseObject({ id: z.string(), name: z.string() });
export const templatesSchema = z.looseObject({ templates: z.array(templateSchema) });
export type ClickUpTemplate = z.infer<typeof templateSchema>;
export const createdFromTemplateSchema = z.looseObject({ id: z.string() });

export const webhookHistoryItemSchema = z.looseObject({
  id: z.string(),
  field: z.string().optional(),
  date: z.union([z.string(), z.number()]).optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  user: z.unknown().optional(),
});
/** A webhook delivery body, validated at the edge. */
export const webhookEventSchema = z.looseObject({
  event: z.string(),
  webhook_id: z.string(),
  task_id: z.string().optional(),
  history_items: z.array(webhookHistoryItemSchema).optional(),
});
export type ClickUpWebhookEvent = z.infer<typeof webhookEventSchema>;
