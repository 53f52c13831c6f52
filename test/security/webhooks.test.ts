import { afterEach, describe, expect, it } from 'vitest';
import { cuHeaders, NOW_MS, tgEvent, tgHeaders, webhookApp } from './webhookApp.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
async function app(limits?: { tradinggrid?: number; clickup?: number }) {
  const a = await webhookApp(limits);
  cleanups.push(a.cleanup);
  return a;
}
const post = (
  a: Awaited<ReturnType<typeof app>>,
  path: string,
  body: string | Buffer,
  headers: Record<string, string>,
) => a.app.request(path, { method: 'POST', body, headers });

describe('Trading Grid webhook replay protection', () => {
  it('a replayed message within the tolerance answers 200 duplicate and stores nothing new', async () => {
    const a = await app();
    const body = tgEvent('evt_replay');
    const first = await post(a, '/webhooks/tradinggrid', body, tgHeaders(body, { id: 'evt_replay' }));
    expect(first.status).toBe(202);
    const again = await post(a, '/webhooks/tradinggrid', body, tgHeaders(body, { id: 'evt_replay' }));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ accepted: true, duplicate: true });
    expect(a.accepted()).toBe(1);
    expect(await a.store.db.selectFrom('jobs').select('id').execute()).toHaveLength(1);
  });

  it('the same message id with a different body answers 409 with the reason and is not applied', async () => {
    const a = await app();
    const body = tgEvent('evt_reuse', { id: 'CASE-1' });
    expect((await post(a, '/webhooks/tradinggrid', body, tgHeaders(body, { id: 'evt_reuse' }))).status).toBe(202);
    const other = tgEvent('evt_reuse', { id: 'CASE-2' });
    const r = await post(a, '/webhooks/tradinggrid', other, tgHeaders(other, { id: 'evt_reuse' }));
    expect(r.status).toBe(409);
    expect(((await r.json()) as { error: string }).error).toMatch(
      /evt_reuse was already accepted with a different body/,
    );
    const stored = await a.store.db.selectFrom('inbound_events').select('payload').execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.payload).toContain('CASE-1');
  });

  it('the same content with keys in another order is still a duplicate, not a conflict', async () => {
    const a = await app();
    const body = JSON.stringify({
      id: 'evt_order',
      type: 'case.updated',
      occurred_at: '2025-06-15T15:06:40Z',
      data: { id: 'CASE-1' },
    });
    const reordered = JSON.stringify({
      data: { id: 'CASE-1' },
      occurred_at: '2025-06-15T15:06:40Z',
      type: 'case.updated',
      id: 'evt_order',
    });
    expect((await post(a, '/webhooks/tradinggrid', body, tgHeaders(body, { id: 'evt_order' }))).status).toBe(202);
    expect((await post(a, '/webhooks/tradinggrid', reordered, tgHeaders(reordered, { id: 'evt_order' }))).status).toBe(
      200,
    );
  });

  it('a replay outside the timestamp tolerance is refused with 401 before anything is read', async () => {
    const a = await app();
    const body = tgEvent('evt_old');
    const r = await post(
      a,
      '/webhooks/tradinggrid',
      body,
      tgHeaders(body, { id: 'evt_old', ts: Math.floor(NOW_MS / 1000) - 301 }),
    );
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: string }).error).toMatch(/too old/);
  });
});

describe('per-source body limits and content types', () => {
  it('applies server.body_limits per source: a body fine for ClickUp is too large for Trading Grid', async () => {
    const a = await app({ tradinggrid: 200, clickup: 4096 });
    const big = tgEvent('evt_big', { id: 'CASE-1', pad: 'x'.repeat(300) });
    const r = await post(a, '/webhooks/tradinggrid', big, tgHeaders(big, { id: 'evt_big' }));
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: string }).error).toMatch(/200-byte limit/);
    const cu = JSON.stringify({
      event: 'taskUpdated',
      webhook_id: 'wh1',
      task_id: 't1',
      history_items: [{ id: 'h1', pad: 'x'.repeat(300) }],
    });
    expect((await post(a, '/webhooks/clickup', cu, cuHeaders(cu))).status).toBe(200);
  });

  it.each([
    ['text/plain', 415],
    ['application/x-www-form-urlencoded', 415],
    ['application/json; charset=utf-16', 415],
    ['application/json; charset=UTF-8', 202],
    ['application/cloudevents+json', 202],
  ])('Trading Grid content type %s answers %i', async (type, status) => {
    const a = await app();
    const body = tgEvent('evt_ct');
    const r = await post(a, '/webhooks/tradinggrid', body, {
      ...tgHeaders(body, { id: 'evt_ct' }),
      'content-type': type,
    });
    expect(r.status).toBe(status);
  });

  it('a ClickUp delivery without a content type answers 415, a wrong signature 401', async () => {
    const a = await app();
    const body = JSON.stringify({ event: 'taskUpdated', webhook_id: 'wh1' });
    const { 'content-type': _drop, ...noType } = cuHeaders(body);
    expect((await post(a, '/webhooks/clickup', body, noType)).status).toBe(415);
    expect(
      (await post(a, '/webhooks/clickup', body, { ...cuHeaders(body), 'x-signature': 'ab'.repeat(32) })).status,
    ).toBe(401);
  });
});

describe('ClickUp deliveries the route cannot use are stored and answered 200, never refused', () => {
  // https://developer.clickup.com/docs/webhookhealth: any non-2xx answer (or one slower than 7 s) counts
  // against the webhook; each event is tried five times, and at fail_count 100 the webhook is suspended.
  it.each([
    [
      'an event we do not subscribe to, without a task',
      JSON.stringify({ event: 'listCreated', webhook_id: 'wh1', list_id: '901' }),
    ],
    [
      'an event of a new kind with an unknown shape',
      JSON.stringify({ event: 'taskAiSummaryUpdated', webhook_id: 'wh1', task_id: 't1', history_items: 'not a list' }),
    ],
    ['a body that is not an event at all', JSON.stringify(['surprise'])],
    ['a signed body that is not JSON', 'not json {'],
  ])('%s', async (_name, body) => {
    const a = await app();
    const r = await post(a, '/webhooks/clickup', body, cuHeaders(body));
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ accepted: true });
    const stored = await a.store.db.selectFrom('inbound_events').select(['source', 'payload']).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.source).toBe('clickup');
    // The same body again is a duplicate, not a second record.
    expect((await post(a, '/webhooks/clickup', body, cuHeaders(body))).status).toBe(200);
    expect(await a.store.db.selectFrom('inbound_events').select('event_id').execute()).toHaveLength(1);
  });

  it('a bad signature is still refused with 401 and nothing is stored', async () => {
    const a = await app();
    const body = JSON.stringify({ event: 'taskUpdated', webhook_id: 'wh1', task_id: 't1' });
    expect(
      (await post(a, '/webhooks/clickup', body, { ...cuHeaders(body), 'x-signature': 'ab'.repeat(32) })).status,
    ).toBe(401);
    expect(await a.store.db.selectFrom('inbound_events').select('event_id').execute()).toHaveLength(0);
  });
});
