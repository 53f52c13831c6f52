import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startClickUpSandbox, type ClickUpSandbox } from '../../sandbox/clickup/server.ts';
import { createClickUpClient, type ClickUpClient } from './index.ts';

let sb: ClickUpSandbox | undefined;
let cu: ClickUpClient | undefined;
afterEach(async () => {
  await cu?.close();
  await sb?.close();
  cu = undefined;
  sb = undefined;
});

async function start(timeoutMs = 10_000) {
  sb = await startClickUpSandbox({ rateLimitPerMinute: null });
  cu = createClickUpClient({
    baseUrl: sb.url,
    token: sb.token,
    teamId: sb.teamId,
    retry: { baseMs: 5, maxMs: 20, maxAttempts: 4 },
    timeoutMs,
  });
  return { sb, cu };
}
const named = (s: ClickUpSandbox, name: string) => [...s.state.tasks.values()].filter((t) => t.name === name);

describe('ClickUp transport after an ambiguous failure', () => {
  it.each([
    ['savedThen5xxRate', 10_000],
    ['savedThenResetRate', 10_000],
    ['savedThenHangRate', 300],
  ] as const)(
    'a create answered with %s is not sent again in place: one task, an ambiguous error',
    async (fault, timeoutMs) => {
      const { sb, cu } = await start(timeoutMs);
      sb.setFaults({ [fault]: 1 });
      const r = await cu.createTask(sb.lists.rollouts, { name: `once ${fault}` });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.retryable).toBe(true);
        expect(r.error.ambiguous).toBe(true);
      }
      expect(named(sb, `once ${fault}`)).toHaveLength(1);
      expect(sb.stats().requests['POST /api/v2/list/{list_id}/task']).toBe(1);
    },
    20_000,
  );

  it('a comment answered 502 after its save is not posted twice', async () => {
    const { sb, cu } = await start();
    const t = await cu.createTask(sb.lists.rollouts, { name: 'commented' });
    if (!t.ok) throw new Error(t.error.detail);
    sb.setFaults({ savedThen5xxRate: 1 });
    const r = await cu.createComment(t.value.id, { comment_text: 'hello once', notify_all: false });
    expect(r.ok).toBe(false);
    expect(sb.state.tasks.get(t.value.id)!.comments.filter((c) => c.text === 'hello once')).toHaveLength(1);
  });

  it('an idempotent PUT is still retried in place', async () => {
    const { sb, cu } = await start();
    const t = await cu.createTask(sb.lists.rollouts, { name: 'to rename' });
    if (!t.ok) throw new Error(t.error.detail);
    sb.setFaults({ savedThen5xxRate: 1 });
    const r = await cu.updateTask(t.value.id, { name: 'renamed' });
    expect(r.ok).toBe(false);
    expect(sb.stats().requests['PUT /api/v2/task/{task_id}']).toBe(4);
    expect(sb.state.tasks.get(t.value.id)!.name).toBe('renamed');
  });

  it('a 5xx with a rate window a minute ahead is retried after a short backoff, not after the reset', async () => {
    sb = await startClickUpSandbox({ rateLimitPerMinute: 100 });
    cu = createClickUpClient({ baseUrl: sb.url, token: sb.token, retry: { baseMs: 5, maxMs: 20, maxAttempts: 3 } });
    sb.setFaults({ errorRate: 1 });
    const t0 = Date.now();
    const r = await cu.getList(sb.lists.cases);
    expect(r.ok).toBe(false);
    expect(sb.stats().requests['GET /api/v2/list/{list_id}']).toBe(3);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('a create answered 200 with a body that is not JSON is not sent again (it was applied)', async () => {
    let posts = 0;
    const server = createServer((req, res) => {
      if (req.method === 'POST') posts++;
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy page</html>'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const c = createClickUpClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
      token: 'pk_1_X',
      retry: { baseMs: 5, maxMs: 20, maxAttempts: 4 },
    });
    try {
      const r = await c.createTask('L1', { name: 'x' });
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error.ambiguous).toBe(true);
      expect(posts).toBe(1);
    } finally {
      await c.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
