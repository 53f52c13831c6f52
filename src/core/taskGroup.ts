// The plan of a task group (a parent and ordered subtasks) is the payload of `group.build`: its type is the
// schema's, `TaskGroupPlan` in src/flows/shared/taskGroupJobs.ts. Here: the keys its tasks are found by.

export const groupEntityId = (groupId: string, step: string): string => `${groupId}:${step}`;

/** Split `<groupId>:<step>` (group ids may contain colons; step keys never do). */
export function splitGroupEntityId(entityId: string): { groupId: string; step: string } {
  const i = entityId.lastIndexOf(':');
  return { groupId: entityId.slice(0, i), step: entityId.slice(i + 1) };
}

/** The value of a group task's key field: `<entity>:<groupId>:<step>`, to find the task after a crash. */
export const groupTaskKey = (plan: { entity: string; groupId: string }, step: string): string =>
  `${plan.entity}:${plan.groupId}:${step}`;
