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
