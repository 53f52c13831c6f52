import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickUpSandbox, type ClickUpSandbox } from '../../sandbox/clickup/server.ts';
import { createClickUpClient, type ClickUpClient } from './index.ts';
import { coerceFieldValue, findFieldByName } from './fields.ts';
import type { ClickUpField } from './types.ts';

let sb: ClickUpSandbox;
let cu: ClickUpClient;
let fields: ClickUpField[];
const field = (name: string) => findFieldByName(fields, name)!;

beforeAll(async () => {
  // Custom task ids on: the client's addressing by custom id is exercised here.
  sb = await startClickUpSandbox({ rateLimitPerMinute: null, customTaskIds: true });
  // This sandbox meters nothing (and says so by sending no rate-limit headers): no lowest-plan ceiling.
  cu = createClickUpClient({
    baseUrl: sb.url,
    token: sb.token,
    teamId: sb.teamId,
    assumedRateLimitPerMinute: 1_000_000,
  });
  const r = await cu.getListFields(sb.lists.cases);
  if (!r.ok) throw new Error(r.error.detail);
  fields = r.value;
});
afterAll(async () => {
  await cu.close();
  await sb.close();
});

describe('ClickUp client against the sandbox', () => {
  it('reads the list statuses and custom fields by name', async () => {
    const l = await cu.getList(sb.lists.cases);
    expect(l.ok && l.value.statuses.map((s) => s.status)).toEqual([
      'open',
      'received',
      'in review',
      'qa',
      'awaiting documents',
      'escalated',
      'resolved',
    ]);
    expect(fields.map((f) => f.name)).toContain('TG case id');
    expect(field('Issue type').type).toBe('drop_down');
  });

  it('creates a task with custom fields, tags, due date, priority and markdown, and reads it back', async () => {
    const issue = coerceFieldValue(field('Issue type'), 'dispute');
    if (!issue.ok) throw new Error(issue.reason);
    const r = await cu.createTask(sb.lists.cases, {
      name: 'Dispute: ACME invoice 4711',
      markdown_content: '**Partner** says the invoice is wrong',
      tags: ['tg'],
      priority: 2,
      due_date: 1_800_000_000_000,
      due_date_time: true,
      custom_fields: [
        { id: field('TG case id').id, value: 'TG-1' },
        { id: field('Issue type').id, value: issue.value as string },
      ],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.status.status).toBe('open');
    const g = await cu.getTask(r.value.id);
    expect(g.ok && g.value.priority?.priority).toBe('high');
    expect(g.ok && g.value.custom_fields?.find((f) => f.name === 'TG case id')?.value).toBe('TG-1');
    const byCustom = await cu.getTask({ customId: r.value.custom_id! });
    expect(byCustom.ok && byCustom.value.id).toBe(r.value.id);
    const found = await cu.findTasksByCustomField(sb.lists.cases, field('TG case id').id, 'TG-1');
    expect(found.ok && found.value.map((t) => t.id)).toEqual([r.value.id]);
  });

  it('pages through every task of a list', async () => {
    const n = 250;
    await Promise.all(Array.from({ length: n }, (_, i) => cu.createTask(sb.lists.rollouts, { name: `rollout ${i}` })));
    const r = await cu.listTasks(sb.lists.rollouts, {});
    expect(r.ok && r.value.length).toBe(n);
    expect(sb.stats().requests['GET /api/v2/list/{list_id}/task']).toBeGreaterThanOrEqual(3);
  });

  it('sets a custom field, comments, uploads and downloads an attachment', async () => {
    const t = await cu.createTask(sb.lists.cases, { name: 'attach me' });
    if (!t.ok) throw new Error(t.error.detail);
    expect((await cu.setCustomFieldValue(t.value.id, field('Value').id, 1234.5)).ok).toBe(true);
    const c = await cu.createComment(t.value.id, { comment_text: 'hello partner', notify_all: false });
    expect(c.ok).toBe(true);
    const cs = await cu.listComments(t.value.id);
    expect(cs.ok && cs.value.map((x) => x.comment_text)).toEqual(['hello partner']);
    const data = Buffer.from('%PDF-1.4 fake pdf bytes \u0000\u0001\u00ff');
    const up = await cu.uploadAttachment(t.value.id, {
      filename: 'invoice 4711.pdf',
      contentType: 'application/pdf',
      data,
    });
    expect(up.ok).toBe(true);
    if (!up.ok) return;
    expect(up.value.title).toBe('invoice 4711.pdf');
    const dl = await cu.downloadAttachment(up.value.url);
    expect(dl.ok).toBe(true);
    if (!dl.ok) return;
    const chunks: Buffer[] = [];
    for await (const ch of dl.value.body) chunks.push(ch as Buffer);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('refuses to download from a host that is not allowed', async () => {
    const r = await cu.downloadAttachment('https://169.254.169.254/latest/meta-data');
    expect(!r.ok && r.error.code).toBe('clickup:host_not_allowed');
  });

  it('turns ClickUp {err, ECODE} answers into permanent errors carrying the ECODE', async () => {
    const t = await cu.createTask(sb.lists.cases, { name: 'bad value' });
    if (!t.ok) throw new Error(t.error.detail);
    const r = await cu.setCustomFieldValue(t.value.id, field('Issue type').id, 'not-an-option');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'http_400:FIELD_011', retryable: false, status: 400 });
    const bad = createClickUpClient({ baseUrl: sb.url, token: 'pk_wrong' });
    const u = await bad.getList(sb.lists.cases);
    expect(!u.ok && u.error).toMatchObject({ code: 'clickup:token_refused', retryable: false });
    await bad.close();
  });
});

describe('ids the token cannot reach', () => {
  // ClickUp answers an id outside what the token may see with 401 {err: "Team not authorized", ECODE: "OAUTH_027"}.
  it('a list or task id the token cannot reach answers 401 OAUTH_027, and the error says the token cannot see it', async () => {
    const list = await cu.getList('901599999999');
    expect(list.ok).toBe(false);
    if (list.ok) return;
    expect(list.error).toMatchObject({ status: 401, code: 'clickup:cannot_see', retryable: false });
    expect(list.error.detail).toMatch(/the token cannot see .*901599999999.*OAUTH_027/);
    const task = await cu.getTask('86nothere');
    expect(!task.ok && task.error).toMatchObject({ status: 401, code: 'clickup:cannot_see' });
  });

  it('a wrong token is told apart: it is the token, not the id', async () => {
    const bad = createClickUpClient({
      baseUrl: sb.url,
      token: 'pk_wrong',
      teamId: sb.teamId,
      retry: { maxAttempts: 1 },
    });
    const r = await bad.getList(sb.lists.cases);
    await bad.close();
    expect(!r.ok && r.error).toMatchObject({ status: 401, code: 'clickup:token_refused' });
    expect(!r.ok && r.error.detail).toMatch(/ClickUp refused the token .*OAUTH_/);
  });
});
