/** A task addressed by ClickUp's id, or by its custom task id (needs the workspace id). */
export type TaskRef = string | { customId: string };

export interface TaskAddress {
  path: string;
  query: { custom_task_ids?: boolean; team_id?: number };
}

/** Path segment and query for a task; custom ids require `custom_task_ids=true&team_id=`. */
export function taskAddress(ref: TaskRef, teamId: string | undefined): TaskAddress | string {
  if (typeof ref === 'string') return { path: `/v2/task/${encodeURIComponent(ref)}`, query: {} };
  if (!teamId) return 'a custom task id needs the client option teamId (custom_task_ids=true requires team_id)';
  return {
    path: `/v2/task/${encodeURIComponent(ref.customId)}`,
    query: { custom_task_ids: true, team_id: Number(teamId) },
  };
}

export const seg = (id: string | number) => encodeURIComponent(String(id));
