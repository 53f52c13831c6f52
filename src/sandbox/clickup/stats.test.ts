import { afterEach, expect, it } from 'vitest';
import { request } from 'undici';
import { startClickUpSandbox, type ClickUpSandbox } from './server.ts';

let sb: ClickUpSandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

it("counts per route only the requests made with one of its own tokens; a stranger's calls are 401 and counted apart", async () => {
  sb = await startClickUpSandbox({ rateLimitPerMinute: null });
  const post = (token: string) =>
    request(`${sb!.url}/v2/list/${sb!.lists.cases}/task`, {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'counted?' }),
    });
  const foreign = await post('pk_81000001_SOMEONEELSE');
  expect(foreign.statusCode).toBe(401);
  await foreign.body.dump();
  const own = await post(sb.token);
  expect(own.statusCode).toBe(200);
  await own.body.dump();
  const stats = sb.stats();
  expect(stats.requests['POST /api/v2/list/{list_id}/task']).toBe(1);
  expect(stats.unauthenticated).toBe(1);
  expect(stats.total).toBe(2);
});
