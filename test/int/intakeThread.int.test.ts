import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { signTgEvent } from '../../bench/signedEvents.ts';
import { signClickUpBody } from '../../src/connectors/clickup/signature.ts';
import { StartupError } from '../../src/server/bridge.ts';

const ADMIN = 'admin-token-0123456789abcdef';
let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const tasksFor = (w: World, caseId: string) =>
  w.cu
    .tasks()
    .filter((t) =>
      ((t as { custom_fields?: Array<{ name: string; value: unknown }> }).custom_fields ?? []).some(
        (f) => f.name === 'TG case id' && f.value === caseId,
      ),
    );

const post = async (url: string, path: string, body: string, headers: Record<string, string>) => {
  const r = await fetch(`${url}${path}`, { method: 'POST', headers, body });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

// Each test starts a bridge, its intake thread and both sandboxes: on a loaded 2-core machine that takes 15-20 s.
describe('server.intake_thread: webhooks answered on a thread of their own', { timeout: 60_000 }, () => {
  it('a Trading Grid webhook is verified and stored by the intake thread, and the dispatcher on the main thread runs its job', async () => {
    world = await createWorld({ extra: { server: { intake_thread: true } } });
    const w = world;
    const b = await w.startBridge();
    w.tg.setWebhookUrl(undefined); // we deliver ourselves
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'On the intake thread' });
    const ev = w.tg.state().events.find((e) => e.type === 'case.opened' && e.data.id === c.id)!;
    const signed = signTgEvent(ev, w.tg.webhookSecret);
    expect((await post(b.url, '/webhooks/tradinggrid', signed.body, signed.headers)).status).toBe(202);
    // Stored once: the repeat is a duplicate, a forged signature is refused, by the thread's own connection.
    expect(await post(b.url, '/webhooks/tradinggrid', signed.body, signed.headers)).toMatchObject({
      status: 200,
      body: { duplicate: true },
    });
    const forged = { ...signed.headers, 'webhook-signature': 'v1,AAAA' };
    expect((await post(b.url, '/webhooks/tradinggrid', signed.body, forged)).status).toBe(401);
    // The thread's message wakes the dispatcher: the task is created without waiting for a poll.
    await eventually('the task', () => tasksFor(w, c.id).length === 1);
    const stored = await b.store.db
      .selectFrom('inbound_events')
      .select('event_id')
      .where('source', '=', 'tradinggrid')
      .execute();
    expect(stored.map((r) => r.event_id)).toEqual([ev.id]);
  });

  it('ClickUp deliveries are verified with the secret the main thread registered after the thread started', async () => {
    world = await createWorld({ extra: { server: { intake_thread: true } } });
    const w = world;
    const b = await w.startBridge();
    const secret = b.ctx.webhook.secret;
    expect(secret).toBeTruthy();
    const body = JSON.stringify({
      webhook_id: 'wh-x',
      event: 'taskUpdated',
      task_id: 'no-such-task',
      history_items: [],
    });
    const signedOk = { 'content-type': 'application/json', 'x-signature': signClickUpBody(body, secret!) };
    expect((await post(b.url, '/webhooks/clickup', body, signedOk)).status).toBe(200);
    const wrong = { 'content-type': 'application/json', 'x-signature': signClickUpBody(body, 'not-the-secret') };
    expect((await post(b.url, '/webhooks/clickup', body, wrong)).status).toBe(401);
    // A new secret (a re-registration) reaches the thread: the old one is refused from then on.
    b.ctx.webhook.secret = 'rotated-secret';
    const body2 = JSON.stringify({ webhook_id: 'wh-x', event: 'taskUpdated', task_id: 't-2', history_items: [] });
    await eventually(
      'the rotated secret in the intake thread',
      async () =>
        (
          await post(b.url, '/webhooks/clickup', body2, {
            'content-type': 'application/json',
            'x-signature': signClickUpBody(body2, 'rotated-secret'),
          })
        ).status === 200,
    );
    const old = { 'content-type': 'application/json', 'x-signature': signClickUpBody(body2, secret!) };
    expect((await post(b.url, '/webhooks/clickup', body2, old)).status).toBe(401);
  });

  it('every other request is forwarded to the main thread, and stop closes the public port', async () => {
    world = await createWorld({ extra: { server: { intake_thread: true } } });
    const w = world;
    const b = await w.startBridge({ admin: { tokens: [{ name: 'ops', role: 'admin', token: ADMIN }], users: [] } });
    const health = await fetch(`${b.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, role: 'leader' });
    const missing = await fetch(`${b.url}/no/such/route?x=1`, { method: 'POST', body: 'abc' });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no route POST /no/such/route' });
    // The console's sign-in (a body in, a cookie out) and a request with that cookie: the main thread answers both.
    const signIn = await fetch(`${b.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN }),
    });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect(cookie).toMatch(/=/);
    const session = await fetch(`${b.url}/api/session`, { headers: { cookie } });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ actor: 'token:ops', role: 'admin' });
    // /metrics (forwarded) has the intake thread's own event-loop delay beside the main thread's.
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toMatch(/^gridbridge_intake_event_loop_delay_seconds\{stat="p99"\} \d/m);
    expect(metrics).toMatch(/^gridbridge_event_loop_delay_seconds\{stat="max"\} \d/m);
    await b.stop();
    w.bridge = null;
    await expect(fetch(`${b.url}/healthz`)).rejects.toThrow(/fetch failed/);
  });

  it('is refused with an in-memory SQLite store, which a second connection cannot open', async () => {
    world = await createWorld({ extra: { server: { intake_thread: true } } });
    const w = world;
    const config = { ...w.config, store: { ...w.config.store, url: 'sqlite::memory:' } };
    const { startBridge } = await import('../../src/server/bridge.ts');
    const e = await startBridge({ config, secrets: w.secrets }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StartupError);
    expect((e as StartupError).message).toMatch(/intake_thread needs a store another connection can open/);
  });
});
