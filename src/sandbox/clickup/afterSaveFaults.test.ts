import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { startClickUpSandbox, type ClickUpSandbox } from './server.ts';

/**
 * Faults after the work is done: the write is applied to the sandbox's state and then the answer is lost
 * (a 502 from the edge, a reset connection, or no answer until the client gives up), as on a real network.
 */
let sb: ClickUpSandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function post(s: ClickUpSandbox, name: string, timeoutMs = 5_000) {
  return request(`${s.url}/v2/list/${s.lists.cases}/task`, {
    method: 'POST',
    headers: { authorization: s.token, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
}
const named = (s: ClickUpSandbox, name: string) => [...s.state.tasks.values()].filter((t) => t.name === name);

describe('ClickUp sandbox: faults after the work is done', () => {
  it('saves a POST and then answers 502 or 504 (a gateway error)', async () => {
    sb = await startClickUpSandbox({ rateLimitPerMinute: null, faults: { savedThen5xxRate: 1 } });
    const r = await post(sb, 'saved then 502');
    expect([502, 504]).toContain(r.statusCode);
    await r.body.text();
    expect(named(sb, 'saved then 502')).toHaveLength(1);
    expect(sb.stats().savedThen5xx).toBe(1);
  });

  it('saves a POST and then resets the connection', async () => {
    sb = await startClickUpSandbox({ rateLimitPerMinute: null, faults: { savedThenResetRate: 1 } });
    await expect(post(sb, 'saved then reset')).rejects.toMatchObject({
      code: expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET/),
    });
    expect(named(sb, 'saved then reset')).toHaveLength(1);
    expect(sb.stats().savedThenReset).toBe(1);
  });

  it('saves a POST and then never answers, until the client times out', async () => {
    sb = await startClickUpSandbox({ rateLimitPerMinute: null, faults: { savedThenHangRate: 1 } });
    await expect(post(sb, 'saved then silence', 300)).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(named(sb, 'saved then silence')).toHaveLength(1);
    expect(sb.stats().savedThenHang).toBe(1);
  });

  it('saves a PUT and then answers 502; reads are answered as usual', async () => {
    sb = await startClickUpSandbox({ rateLimitPerMinute: null });
    const made = await post(sb, 'to rename');
    const id = ((await made.body.json()) as { id: string }).id;
    sb.setFaults({ savedThen5xxRate: 1 });
    const put = await request(`${sb.url}/v2/task/${id}`, {
      method: 'PUT',
      headers: { authorization: sb.token, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'renamed' }),
    });
    expect([502, 504]).toContain(put.statusCode);
    await put.body.text();
    expect(sb.state.tasks.get(id)?.name).toBe('renamed');
    const get = await request(`${sb.url}/v2/task/${id}`, { headers: { authorization: sb.token } });
    expect(get.statusCode).toBe(200);
    await get.body.text();
  });

  it('leaves a refused write refused (nothing saved, the real answer)', async () => {
    sb = await startClickUpSandbox({ rateLimitPerMinute: null, faults: { savedThen5xxRate: 1 } });
    const r = await request(`${sb.url}/v2/list/nope/task`, {
      method: 'POST',
      headers: { authorization: sb.token, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(r.statusCode).toBe(401); // an unknown list id: OAUTH_027, as ClickUp answers it
    await r.body.text();
    expect(sb.stats().savedThen5xx).toBe(0);
  });
});
