import { z } from 'zod';
import { ok, type Result } from '../../core/result.ts';
import { parseResponse } from './parse.ts';
import type { ResourceContext } from './tasks.ts';

const memberSchema = z.looseObject({
  user: z.looseObject({
    id: z.number(),
    username: z.string().nullable().optional(),
    email: z.string().nullable().optional(),
  }),
});
const teamsSchema = z.looseObject({
  teams: z.array(z.looseObject({ id: z.union([z.string(), z.number()]), members: z.array(memberSchema).optional() })),
});

export interface WorkspaceMember {
  id: number;
  username: string | null;
  email: string | null;
}

/** GET /v2/team (authorized workspaces): the members of workspace `teamId`, to turn e-mail addresses into assignee ids. */
export async function listWorkspaceMembers(c: ResourceContext, teamId: string): Promise<Result<WorkspaceMember[]>> {
  const r = parseResponse(teamsSchema, 'listWorkspaceMembers', await c.t.request({ method: 'GET', path: '/v2/team' }));
  if (!r.ok) return r;
  const team = r.value.teams.find((t) => String(t.id) === teamId);
  return ok(
    (team?.members ?? []).map((m) => ({
      id: m.user.id,
      username: m.user.username ?? null,
      email: m.user.email ?? null,
    })),
  );
}
