import { afterEach, describe, expect, it } from 'vitest';
import { startClickUpSandbox, type ClickUpSandbox } from '../../sandbox/clickup/server.ts';
import { createClickUpClient, type ClickUpClient } from './client.ts';
import { decideWebhookAction, ensureWebhook, type WebhookSpec } from './webhookRegistration.ts';
import { CLICKUP_WEBHOOK_EVENTS } from '../../sync/clickupWebhook.ts';
import type { ClickUpWebhook } from './types.ts';

let sb: ClickUpSandbox | undefined;
let cu: ClickUpClient | undefined;
afterEach(async () => {
  await cu?.close();
  await sb?.close();
  sb = cu = undefined;
});

const ALL = [
  'taskCreated',
  'taskUpdated',
  'taskDeleted',
  'taskPriorityUpdated',
  'taskStatusUpdated',
  'taskAssigneeUpdated',
  'taskDueDateUpdated',
  'taskTagUpdated',
  'taskMoved',
  'taskCommentPosted',
  'taskCommentUpdated',
  'taskTimeEstimateUpdated',
  'taskTimeTrackedUpdated',
  'listCreated',
];
const spec: WebhookSpec = {
  teamId: '1',
  endpoint: 'https://bridge.example/webhooks/clickup',
  events: ['taskStatusUpdated', 'taskUpdated', 'taskCommentPosted'],
};
const hook = (events: string[], status = 'active', endpoint = spec.endpoint): ClickUpWebhook => ({
  id: 'w1',
  endpoint,
  events,
  health: { status, fail_count: status === 'active' ? 0 : 7 },
});

describe('decideWebhookAction', () => {
  it.each([
    ['no webhook', undefined, 'create'],
    ['ours, events as we sent them', hook(spec.events), 'reuse'],
    ['created with * and answered expanded, as ClickUp does', hook(ALL), 'reuse'],
    ['still listed as *', hook(['*']), 'reuse'],
    ['a superset, failing', hook(ALL, 'failing'), 'reenable'],
    ['a superset, suspended', hook(ALL, 'suspended'), 'reenable'],
    ['missing one of our events', hook(['taskStatusUpdated', 'taskUpdated']), 'widen'],
  ] as const)('%s → %s', (_name, existing, action) => {
    expect(decideWebhookAction(existing, spec)).toBe(action);
  });
});

describe('ensureWebhook against a ClickUp that expands * (sandbox)', () => {
  it('a minute of health checks creates the webhook once and never deletes or recreates it', async () => {
    sb = await startClickUpSandbox({ rateLimitPerMinute: null });
    cu = createClickUpClient({ baseUrl: sb.url, token: sb.token, teamId: sb.teamId });
    const s: WebhookSpec = {
      teamId: sb.teamId,
      endpoint: 'http://127.0.0.1:9/webhooks/clickup',
      events: CLICKUP_WEBHOOK_EVENTS,
    };
    const secrets = new Set<string>();
    const actions: string[] = [];
    // One tick per 10 s of the health check's minute: six checks.
    for (let tick = 0; tick < 6; tick++) {
      const r = await ensureWebhook(cu, s);
      if (!r.ok) throw new Error(r.error.detail);
      actions.push(r.value.action);
      secrets.add(r.value.secret);
    }
    expect(actions).toEqual(['create', 'reuse', 'reuse', 'reuse', 'reuse', 'reuse']);
    expect(secrets.size).toBe(1);
    const st = sb.stats().requests;
    expect(st['POST /api/v2/team/{team_id}/webhook']).toBe(1);
    expect(st['DELETE /api/v2/webhook/{webhook_id}'] ?? 0).toBe(0);
  });

  it('answers a webhook created with * with the full list of event names', async () => {
    sb = await startClickUpSandbox({ rateLimitPerMinute: null });
    cu = createClickUpClient({ baseUrl: sb.url, token: sb.token, teamId: sb.teamId });
    const created = await cu.createWebhook(sb.teamId, { endpoint: 'http://127.0.0.1:9/all', events: ['*'] });
    expect(created.ok && created.value.events).toEqual(
      expect.arrayContaining(['taskCreated', 'taskStatusUpdated', 'taskCommentPosted', 'keyResultDeleted']),
    );
    expect(created.ok && created.value.events).not.toContain('*');
  });

  it('a failing webhook with our events is re-enabled in place: same id, same secret', async () => {
    sb = await startClickUpSandbox({ rateLimitPerMinute: null });
    cu = createClickUpClient({ baseUrl: sb.url, token: sb.token, teamId: sb.teamId });
    const s: WebhookSpec = {
      teamId: sb.teamId,
      endpoint: 'http://127.0.0.1:9/webhooks/clickup',
      events: CLICKUP_WEBHOOK_EVENTS,
    };
    const first = await ensureWebhook(cu, s);
    if (!first.ok) throw new Error(first.error.detail);
    sb.setWebhookHealth(first.value.webhook.id, { status: 'suspended', fail_count: 100 });
    const again = await ensureWebhook(cu, s);
    expect(again.ok && again.value).toMatchObject({
      action: 'reenable',
      needsCatchUp: true,
      secret: first.value.secret,
      webhook: { id: first.value.webhook.id },
    });
    const third = await ensureWebhook(cu, s);
    expect(third.ok && third.value.action).toBe('reuse');
  });
});
