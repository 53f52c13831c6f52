import type { Priority } from './intents.ts';

/** A group of ClickUp tasks a flow asks for (onboarding, rollout plan): a parent and ordered subtasks. */
export interface TaskGroupPlan {
  /** Links-table entity of every task of the group (`onboarding`, `rollout`). */
  entity: string;
  groupId: string;
  listId: string;
  /** Custom field (name) that carries `<entity>:<groupId>:<step>` on each task, to find it after a crash. */
  keyField: string;
  /** Logical → ClickUp field names for `fields` below. */
  fieldNames: Record<string, string | undefined>;
  /** The parent task: made here (optionally from a task template), or an existing task adopted. */
  parent: {
    existingTaskId?: string;
    templateName?: string;
    name: string;
    markdown: string;
    assignees: number[];
    dueAt: number | null;
    priority?: Priority;
    tags: string[];
    fields: Record<string, string | number | null>;
  };
  steps: TaskGroupStep[];
  /** Job kind to enqueue once the whole group exists (checklists and dependencies done), with its payload. */
  onBuilt?: { kind: string; payload: Record<string, unknown> };
}

export interface TaskGroupStep {
  key: string;
  name: string;
  markdown: string;
  assignees: number[];
  dueAt: number | null;
  checklist: string[];
  dependsOn: string[];
  fields: Record<string, string | number | null>;
}

export const groupEntityId = (groupId: string, step: string): string => `${groupId}:${step}`;

/** Split `<groupId>:<step>` (group ids may contain colons; step keys never do). */
export function splitGroupEntityId(entityId: string): { groupId: string; step: string } {
  const i = entityId.lastIndexOf(':');
  return { groupId: entityId.slice(0, i), step: entityId.slice(i + 1) };
}

export const groupTaskKey = (plan: Pick<TaskGroupPlan, 'entity' | 'groupId'>, step: string): string =>
  `${plan.entity}:${plan.groupId}:${step}`;
