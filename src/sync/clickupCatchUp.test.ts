import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startClickUpSandbox, type ClickUpSandbox } from '../sandbox/clickup/server.ts';
import { createClickUpClient, type ClickUpClient } from '../connectors/clickup/index.ts';
import { configForSandboxes } from '../cli/sandboxSetup.ts';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { recordLink } from '../store/ops/links.ts';
import { ensureClickUpWebhook, type ClickUpWebhookState } from './clickupWebhook.ts';
import type { SyncContext } from './context.ts';
import type { Store } from '../store/db.ts';

// The catch-up against the ClickUp sandbox: GET /list/{id}/task?date_updated_gt=… takes tasks changed
// strictly after the given time (https://developer.clickup.com/reference/gettasks, "date_updated_gt").

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A real sandbox and store; the bridge's clock runs `aheadMs` ahead of ClickUp's, so changes look old. */
async function setup(aheadMs: number) {
  const cu: ClickUpSandbox = await startClickUpSandbox({ rateLimitPerMinute: null, delivery: { retryDelayMs: 10, failingAfter: 1000, suspendAfter: 2000 } });
  cleanups.push(() => cu.close());
  const tmp = await tempSqliteStore();
  cleanups.push(tmp.cleanup);
  const { config } = configForSandboxes(
    { clickup: { url: cu.url, token: cu.token, teamId: cu.teamId, lists: cu.lists }, tradinggrid: { url: 'http://127.0.0.1:9', tenantId: 't', clientId: 'c', clientSecret: 's', webhookSecret: 'w' } },
    { storeUrl: tmp.url },
  );
  const real = createClickUpClient({ baseUrl: cu.url, token: cu.token, teamId: cu.teamId, retry: { maxAttempts: 1 } });
  const unreadable = new Set<string>();
  const getTaskCalls: string[] = [];
  // The real client, except that reading a task named in `unreadable` fails as a 503 would.
  const clickup: ClickUpClient = {
    ...real,
    getTask: async (task, o) => {
      const id = typeof task === 'string' ? task : task.customId;
      getTaskCalls.push(id);
      if (unreadable.has(id)) return { ok: false, error: { code: 'http_503', status: 503, retryable: true, detail: `GET task ${id}: remote error 503` } };
      return real.getTask(task, o);
    },
  };
  const ctx = { store: tmp.store, config, clickup, logger: pino({ level: 'silent' }), now: () => Date.now() + aheadMs } as unknown as SyncContext;
  const state: ClickUpWebhookState = { secret: null, id: null, endpoint: 'http://127.0.0.1:9/webhooks/clickup', lastHealth: null };
  return { cu, store: tmp.store as Store, ctx, state, unreadable, getTaskCalls };
}

async function newCaseTask(cu: ClickUpSandbox, store: Store, caseId: string, client: ClickUpClient): Promise<string> {
  const t = await client.createTask(cu.lists.cases, { name: `case ${caseId}` });
  if (!t.ok) throw new Error(t.error.detail);
  await recordLink(store.db, { entity: 'case', entityId: caseId, cuTaskId: t.value.id, cuListId: cu.lists.cases }, Date.now());
  return t.value.id;
}

const cursor = async (store: Store) => Number((await store.db.selectFrom('cursors').select('value').where('name', '=', 'clickup.catch_up').executeTakeFirstOrThrow()).value);

describe('ClickUp catch-up', () => {
  it('a task that could not be read is read again by the next check, even when its change is older than the overlap', async () => {
    // The bridge's clock 10 minutes ahead: every change is older than the 2-minute overlap, so only the
    // cursor held back to the unread change brings it into the next window.
    const { cu, store, ctx, state, unreadable, getTaskCalls } = await setup(600_000);
    await store.db.insertInto('cursors').values({ name: 'clickup.catch_up', value: String(Date.now() - 60_000), updated_at: 0 }).execute();
    const ok = await newCaseTask(cu, store, 'C-1', ctx.clickup);
    const bad = await newCaseTask(cu, store, 'C-2', ctx.clickup);
    cu.attachFile(bad, { filename: 'pod.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF pod') });
    const changedAt = Number((cu.tasks().find((t) => t.id === bad) as { date_updated: string }).date_updated);
    unreadable.add(bad);

    const first = await ensureClickUpWebhook(ctx, state, () => undefined);
    expect(first).toEqual({ action: 'create', caughtUp: 1 });
    expect(getTaskCalls.sort()).toEqual([bad, ok].sort());
    // One millisecond before the unread change, plus the overlap added back when reading.
    expect(await cursor(store)).toBe(changedAt - 1 + 120_000);
    const fed = async () => (await store.db.selectFrom('inbound_events').select('event_id').orderBy('event_id').execute()).map((e) => e.event_id);
    expect(await fed()).toEqual([`catchup:${ok}:${Number((cu.tasks().find((t) => t.id === ok) as { date_updated: string }).date_updated)}`]);

    unreadable.clear();
    getTaskCalls.length = 0;
    const second = await ensureClickUpWebhook(ctx, state, () => undefined);
    expect(second).toEqual({ action: 'reuse', caughtUp: 1 });
    expect(getTaskCalls).toEqual([bad]);
    expect(await fed()).toContain(`catchup:${bad}:${changedAt}`);
    const ev = await store.db.selectFrom('inbound_events').select('payload').where('event_id', '=', `catchup:${bad}:${changedAt}`).executeTakeFirstOrThrow();
    expect(JSON.parse(ev.payload).history_items.map((i: { field: string }) => i.field)).toEqual(['status', 'attachments']);
    // Read now: the window moves on to the bridge's present.
    expect(await cursor(store)).toBeGreaterThan(changedAt + 120_000);
  });
});
