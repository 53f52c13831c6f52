import { z } from 'zod';
import { ok, type Result } from '../../core/result.ts';
import { parseResponse } from './parse.ts';
import type { ResourceContext } from './tasks.ts';

const authorizedUserSchema = z.looseObject({
  user: z.looseObject({
    id: z.number(),
    username: z.string().nullable().optional(),
    email: z.string().nullable().optional(),
  }),
});

export interface AuthorizedUser {
  id: number;
  username: string | null;
  email: string | null;
}

/** GET /v2/user: the user the token acts as (the integration user, whose own changes are never echoed). */
export async function getAuthorizedUser(c: ResourceContext): Promise<Result<AuthorizedUser>> {
  const r = parseResponse(
    authorizedUserSchema,
    'getAuthorizedUser',
    await c.t.request({ method: 'GET', path: '/v2/user' }),
  );
  if (!r.ok) return r;
  return ok({ id: r.value.user.id, username: r.value.user.username ?? null, email: r.value.user.email ?? null });
}
