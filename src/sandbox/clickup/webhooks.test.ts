import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startClickUpSandbox, type ClickUpSandbox } from './server.ts';
import {
  createClickUpClient,
  ensureWebhook,
  catchUpTasks,
  validateClickUpSetup,
  verifyClickUpSignature,
  webhookEventSchema,
  type ClickUpClient,
} from '../../connectors/clickup/index.ts';

interface Received {
  raw: Buffer;
  signature: string | undefined;
  body: ReturnType<typeof webhookEventSchema.parse>;
}

let sb: ClickUpSandbox | undefined;
let cu: ClickUpClient | undefined;
let receiver: Server | undefined;
afterEach(async () => {
  await cu?.close();
  await sb?.close();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
});

async function startReceiver(answer: () => number = () => 200) {
  const got: Received[] = [];
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      got.push({
        raw,
        signature: req.headers['x-signature'] as string | undefined,
        body: webhookEventSchema.parse(JSON.parse(raw.toString())),
      });
      res.writeHead(answer()).end();
    });
  });
  await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', () => r()));
  return { got, url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/clickup` };
}

async function setup(opts: Parameters<typeof startClickUpSandbox>[0] = {}) {
  sb = await startClickUpSandbox({ rateLimitPerMinute: null, timeScale: 50, ...opts });
  cu = createClickUpClient({ baseUrl: sb.url, token: sb.token, teamId: sb.teamId });
  return { sb, cu };
}

describe('ClickUp sandbox webhooks', () => {
  it('delivers signed events for API changes and for changes made as a person', async () => {
    const { sb, cu } = await setup();
    const { got, url } = await startReceiver();
    const wh = await ensureWebhook(cu, { teamId: sb.teamId, endpoint: url, events: ['*'], listId: sb.lists.cases });
    if (!wh.ok) throw new Error(wh.error.detail);
    const t = await cu.createTask(sb.lists.cases, { name: 'case 1' });
    if (!t.ok) throw new Error(t.error.detail);
    sb.moveStatus(t.value.id, 'in review', 'ana.ops@gridbridge.example');
    sb.postComment(t.value.id, 'please send the POD');
    sb.attachFile(t.value.id, { filename: 'pod.pdf', contentType: 'application/pdf', data: Buffer.from('pdf') });
    sb.setField(t.value.id, 'SLA state', 'at risk');
    // The control API over HTTP does the same.
    const res = await fetch(`${sb.origin}/_sandbox/tasks/${t.value.id}/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'escalated' }),
    });
    expect(res.status).toBe(200);
    await sb.webhooksSettled();
    expect(got.every((g) => verifyClickUpSignature(g.raw, g.signature, wh.value.secret))).toBe(true);
    const events = got.map((g) => g.body.event);
    for (const e of ['taskCreated', 'taskStatusUpdated', 'taskCommentPosted', 'taskUpdated'])
      expect(events).toContain(e);
    // ClickUp has no attachment event (its list of webhook events has none): a file comes as taskUpdated.
    expect(
      events.filter((e) => !['taskCreated', 'taskStatusUpdated', 'taskCommentPosted', 'taskUpdated'].includes(e)),
    ).toEqual([]);
    const file = got.find((g) => g.body.event === 'taskUpdated' && g.body.history_items![0]!.field === 'attachments')!
      .body.history_items![0]!;
    expect(file.after).toMatchObject({ title: 'pod.pdf' });
    const status = got.find(
      (g) =>
        g.body.event === 'taskStatusUpdated' &&
        (g.body.history_items![0]!.before as { status: string | null }).status !== null,
    )!.body.history_items![0]!;
    expect(status).toMatchObject({ field: 'status', before: { status: 'open' }, after: { status: 'in review' } });
    expect(status.id).toMatch(/^\d+$/);
    expect((status.user as { email: string }).email).toBe('ana.ops@gridbridge.example');
    expect(got.every((g) => g.body.webhook_id === wh.value.webhook.id && g.body.task_id === t.value.id)).toBe(true);
  });

  it('a new task delivers taskCreated and a taskStatusUpdated whose status item comes from "removed"', async () => {
    // https://developer.clickup.com/docs/webhooktaskpayloads: "We also send the taskStatusUpdated payload
    // when a new task is created", before = {status: null, color: "#000000", type: "removed", orderindex: -1}.
    const { sb, cu } = await setup();
    const { got, url } = await startReceiver();
    await ensureWebhook(cu, { teamId: sb.teamId, endpoint: url, events: ['*'] });
    const t = await cu.createTask(sb.lists.cases, { name: 'new one' });
    if (!t.ok) throw new Error(t.error.detail);
    await sb.webhooksSettled();
    expect(got.map((g) => g.body.event).sort()).toEqual(['taskCreated', 'taskStatusUpdated']);
    const created = got.find((g) => g.body.event === 'taskCreated')!.body.history_items!;
    expect(created.map((h) => h.field)).toEqual(['status', 'task_creation']);
    const st = got.find((g) => g.body.event === 'taskStatusUpdated')!.body.history_items!;
    expect(st).toHaveLength(1);
    expect(st[0]).toMatchObject({
      id: created[0]!.id,
      field: 'status',
      before: { status: null, color: '#000000', type: 'removed', orderindex: -1 },
      after: { status: 'open', type: 'open' },
    });
  });

  it('registration is idempotent: a restart reuses the webhook instead of adding a second', async () => {
    const { sb, cu } = await setup();
    const spec = {
      teamId: sb.teamId,
      endpoint: 'http://127.0.0.1:9/hook',
      events: ['taskCreated', 'taskStatusUpdated'],
      listId: sb.lists.cases,
    };
    const a = await ensureWebhook(cu, spec);
    const b = await ensureWebhook(cu, spec);
    expect(a.ok && b.ok && [a.value.action, b.value.action]).toEqual(['create', 'reuse']);
    expect(b.ok && a.ok && b.value.secret).toBe(a.ok && a.value.secret);
    const all = await cu.listWebhooks(sb.teamId);
    expect(all.ok && all.value.length).toBe(1);
  });

  it('duplicate deliveries arrive with the same history item ids', async () => {
    const { sb, cu } = await setup({ faults: { webhookDuplicateRate: 1 } });
    const { got, url } = await startReceiver();
    await ensureWebhook(cu, { teamId: sb.teamId, endpoint: url, events: ['taskStatusUpdated'] });
    const t = await cu.createTask(sb.lists.cases, { name: 'dup' });
    if (!t.ok) throw new Error(t.error.detail);
    await sb.webhooksSettled();
    got.length = 0; // the new task's own taskStatusUpdated (twice)
    sb.moveStatus(t.value.id, 'received');
    await sb.webhooksSettled();
    expect(got).toHaveLength(2);
    expect(got[0]!.body.history_items![0]!.id).toBe(got[1]!.body.history_items![0]!.id);
  });

  it('a failing endpoint makes the webhook failing then suspended; ensureWebhook re-enables it in place and a catch-up poll finds what was missed', async () => {
    const { sb, cu } = await setup({ delivery: { attempts: 2, retryDelayMs: 100, failingAfter: 2, suspendAfter: 3 } });
    const { got, url } = await startReceiver(() => 500);
    const spec = {
      teamId: sb.teamId,
      endpoint: url,
      events: ['taskUpdated', 'taskStatusUpdated'],
      listId: sb.lists.cases,
    };
    const first = await ensureWebhook(cu, spec);
    if (!first.ok) throw new Error(first.error.detail);
    const t = await cu.createTask(sb.lists.cases, { name: 'missed' });
    if (!t.ok) throw new Error(t.error.detail);
    const since = Number(t.value.date_updated);
    for (const s of ['received', 'in review', 'awaiting documents']) {
      sb.moveStatus(t.value.id, s);
      await sb.webhooksSettled();
    }
    expect(got.length).toBeGreaterThan(0);
    const listed = await cu.listWebhooks(sb.teamId);
    expect(listed.ok && listed.value[0]!.health.status).toBe('suspended');
    const again = await ensureWebhook(cu, spec);
    expect(again.ok && again.value).toMatchObject({
      action: 'reenable',
      needsCatchUp: true,
      secret: first.value.secret,
    });
    const missed = await catchUpTasks(cu, sb.lists.cases, since);
    expect(missed.ok && missed.value.map((x) => [x.id, x.status.status])).toEqual([[t.value.id, 'awaiting documents']]);
  });
});

describe('ClickUp sandbox webhook health, as https://developer.clickup.com/docs/webhookhealth documents it', () => {
  async function oneFailedEvent(answer: () => number, delayMs = 0) {
    const { sb, cu } = await setup();
    const got: number[] = [];
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        got.push(Date.now());
        setTimeout(() => res.writeHead(answer()).end(), delayMs);
      });
    });
    await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/clickup`;
    const wh = await ensureWebhook(cu, { teamId: sb.teamId, endpoint: url, events: ['taskCommentPosted'] });
    if (!wh.ok) throw new Error(wh.error.detail);
    const t = await cu.createTask(sb.lists.cases, { name: 'health' });
    if (!t.ok) throw new Error(t.error.detail);
    return { sb, got, id: wh.value.webhook.id, taskId: t.value.id };
  }
  const health = (sb: ClickUpSandbox, id: string) => ({ ...sb.state.webhooks.get(id)!.health });

  it('a non-2xx answer: the event is tried five times, then dropped for good, and fail_count counts one', async () => {
    const { sb, got, id, taskId } = await oneFailedEvent(() => 500);
    sb.postComment(taskId, 'one');
    await sb.webhooksSettled();
    expect(got).toHaveLength(5);
    expect(health(sb, id)).toEqual({ status: 'failing', fail_count: 1 });
  });

  it('an answer slower than 7 s counts as a failure', async () => {
    // timeScale 50: 7 virtual seconds are 140 real ms.
    const { sb, got, id, taskId } = await oneFailedEvent(() => 200, 400);
    sb.postComment(taskId, 'slow');
    await sb.webhooksSettled();
    expect(got).toHaveLength(5);
    expect(health(sb, id)).toEqual({ status: 'failing', fail_count: 1 });
  });

  it('410 suspends the webhook at once; nothing more is sent', async () => {
    const { sb, got, id, taskId } = await oneFailedEvent(() => 410);
    sb.postComment(taskId, 'gone');
    await sb.webhooksSettled();
    expect(got).toHaveLength(1);
    expect(health(sb, id).status).toBe('suspended');
    sb.postComment(taskId, 'again');
    await sb.webhooksSettled();
    expect(got).toHaveLength(1);
  });

  it('the next success makes a failing webhook active with fail_count 0; at fail_count 100 it is suspended', async () => {
    let code = 500;
    const { sb, got, id, taskId } = await oneFailedEvent(() => code);
    sb.postComment(taskId, 'fails');
    await sb.webhooksSettled();
    code = 200;
    sb.postComment(taskId, 'works');
    await sb.webhooksSettled();
    expect(health(sb, id)).toEqual({ status: 'active', fail_count: 0 });
    code = 500;
    sb.setWebhookHealth(id, { status: 'failing', fail_count: 99 });
    sb.postComment(taskId, 'the hundredth failure');
    await sb.webhooksSettled();
    expect(health(sb, id)).toEqual({ status: 'suspended', fail_count: 100 });
    const before = got.length;
    sb.postComment(taskId, 'not sent');
    await sb.webhooksSettled();
    expect(got).toHaveLength(before);
  });
});

describe('validateClickUpSetup', () => {
  it('passes on the seeded cases list and names every mismatch otherwise', async () => {
    const { sb, cu } = await setup();
    const good = await validateClickUpSetup(cu, {
      listId: sb.lists.cases,
      statuses: ['Open', 'received', 'in review', 'awaiting documents', 'escalated', 'resolved'],
      fieldNames: ['Partner', 'Issue type', 'TG case id', 'Value', 'SLA state', 'Transaction reference'],
      fieldOptions: { 'Issue type': ['dispute', 'edi exception'] },
    });
    expect(good.ok).toBe(true);
    const bad = await validateClickUpSetup(cu, {
      listId: sb.lists.cases,
      statuses: ['open', 'on hold'],
      fieldNames: ['Partner', 'Region'],
      fieldOptions: { 'Issue type': ['fraud'] },
      label: 'cases list',
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.code).toBe('clickup:setup_mismatch');
    expect(bad.error.problems).toHaveLength(3);
    expect(bad.error.detail).toMatch(/status "on hold"/);
    expect(bad.error.detail).toMatch(/custom field "Region"/);
    expect(bad.error.detail).toMatch(/option "fraud"/);
    const missing = await validateClickUpSetup(cu, { listId: '123', statuses: [], fieldNames: [] });
    expect(!missing.ok && missing.error.problems[0]).toMatch(/the token cannot see list 123 \(OAUTH_027/);
  });
});
