/** ClickUp priority: 1 urgent, 2 high, 3 normal, 4 low. */
export type Priority = 1 | 2 | 3 | 4;

/** What a ClickUp task should look like, in our terms; the connector layer resolves field names to ids. */
export interface TaskDraft {
  name: string;
  markdown: string;
  priority: Priority;
  dueAt: number | null;
  tags: string[];
  /** Logical field → value: partner, issue_type (option label), transaction_ref, tg_case_id, value (amount). */
  fields: Record<string, string | number | null>;
}

/** Effects a flow asks for. Each becomes an outbox job with an idempotency key. */
export type Intent =
  /** `replaces`: the deleted task this one replaces (sync.on_task_deleted: recreate), so it is a new job. */
  | { kind: 'clickup.create_task'; caseId: string; listId: string; task: TaskDraft; replaces?: string }
  | { kind: 'clickup.upload_document'; caseId: string; documentId: string };

/** The idempotency key of an intent: the same effect asked twice is one job. */
export function intentKey(i: Intent): string {
  switch (i.kind) {
    case 'clickup.create_task':
      return i.replaces ? `cu.create_task:${i.caseId}:replaces:${i.replaces}` : `cu.create_task:${i.caseId}`;
    case 'clickup.upload_document':
      return `cu.upload_document:${i.caseId}:${i.documentId}`;
  }
}
