import type { Result } from '../../core/result.ts';
import { parseResponse } from './parse.ts';
import { seg } from './taskRef.ts';
import type { ResourceContext } from './tasks.ts';
import { listSchema, type ClickUpList } from './types.ts';

/** GET /v2/list/{list_id}: name and the list's own statuses (a list can override its space's). */
export async function getList(c: ResourceContext, listId: string): Promise<Result<ClickUpList>> {
  return parseResponse(
    listSchema,
    `getList(${listId})`,
    await c.t.request({ method: 'GET', path: `/v2/list/${seg(listId)}` }),
  );
}
