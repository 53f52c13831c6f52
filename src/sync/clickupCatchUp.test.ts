import { expect, it } from 'vitest';
import pino from 'pino';
import { startClickUpSandbox, type ClickUpSandbox } from '../sandbox/clickup/server.ts';
import { createClickUpClient, type ClickUpClient } from '../connectors/clickup/index.ts';
import { configForSandboxes } from '../cli/sandboxSetup.ts';
import { storesUnderTest, type StoreKind } from '../../test/helpers/pgStore.ts';
import { recordLink } from '../store/ops/links.ts';
import { createServer, type Server } from 'node:http';
import {
  CHECK_GAP_MS,
  ensureClickUpWebhook,
  fullReadReason,
  mergeMemo,
  type ClickUpWebhookState,
  type HealthMemo,
} from './clickupWebhook.ts';
import type { SyncContext } from './context.ts';
import type { Store } from '../store/db.ts';

// The catch-up against the ClickUp sandbox: GET /list/{id}/task?date_updated_gt=… takes tasks changed
// strictly after the given time (https://developer.clickup.com/reference/gettasks, "date_updated_gt").

const { describeStores, cleanups, make } = await storesUnderTest('src/sync/clickupCatchUp.test.ts');

/** A real sandbox and store; the bridge's clock runs `aheadMs` ahead of ClickUp's, so changes look old. */
async function setup(kind: StoreKind, aheadMs: number) {
  const cu: ClickUpSandbox = await startClickUpSandbox({
    rateLimitPerMinute: null,
    delivery: { retryDelayMs: 10, failingAfter: 1000, suspendAfter: 2000 },
  });
  cleanups.push(() => cu.close());
  const tmp = await make(kind);
  const { config } = configForSandboxes(
    {
      clickup: { url: cu.url, token: cu.token, teamId: cu.teamId, lists: cu.lists },
      tradinggrid: { url: 'http://127.0.0.1:9', tenantId: 't', clientId: 'c', clientSecret: 's', webhookSecret: 'w' },
    },
    { storeUrl: tmp.url },
  );
  const real = createClickUpClient({ baseUrl: cu.url, token: cu.token, teamId: cu.teamId, retry: { maxAttempts: 1 } });
  const unreadable = new Set<string>();
  const getTaskCalls: string[] = [];
  // `hold`: the next list read waits for `release()` (called once it has started, via `entered`).
  const lists: { failing: boolean; hold: null | { entered: () => void; released: Promise<void> } } = {
    failing: false,
    hold: null,
  };
  // The real client, except that reading a task named in `unreadable` fails as a 503 would.
  const clickup: ClickUpClient = {
    ...real,
    // Listing a list's changed tasks fails as a 503 would while `lists.failing`.
    listTasks: async (list, q) => {
      const hold = lists.hold;
      if (hold) {
        lists.hold = null;
        hold.entered();
        await hold.released;
      }
      return lists.failing
        ? {
            ok: false,
            error: {
              code: 'http_503',
              status: 503,
              retryable: true,
              detail: `GET list ${list} tasks: remote error 503`,
            },
          }
        : real.listTasks(list, q);
    },
    getTask: async (task, o) => {
      const id = typeof task === 'string' ? task : task.customId;
      getTaskCalls.push(id);
      if (unreadable.has(id))
        return {
          ok: false,
          error: { code: 'http_503', status: 503, retryable: true, detail: `GET task ${id}: remote error 503` },
        };
      return real.getTask(task, o);
    },
  };
  const ctx = {
    store: tmp.store,
    config,
    clickup,
    logger: pino({ level: 'silent' }),
    now: () => Date.now() + aheadMs,
  } as unknown as SyncContext;
  const state: ClickUpWebhookState = {
    secret: null,
    id: null,
    endpoint: 'http://127.0.0.1:9/webhooks/clickup',
    lastHealth: null,
  };
  return { cu, store: tmp.store, ctx, state, unreadable, getTaskCalls, lists };
}

async function newCaseTask(cu: ClickUpSandbox, store: Store, caseId: string, client: ClickUpClient): Promise<string> {
  const t = await client.createTask(cu.lists.cases, { name: `case ${caseId}` });
  if (!t.ok) throw new Error(t.error.detail);
  await recordLink(
    store.db,
    { entity: 'case', entityId: caseId, cuTaskId: t.value.id, cuListId: cu.lists.cases },
    Date.now(),
  );
  return t.value.id;
}

const cursor = async (store: Store) =>
  Number(
    (
      await store.db
        .selectFrom('cursors')
        .select('value')
        .where('name', '=', 'clickup.catch_up')
        .executeTakeFirstOrThrow()
    ).value,
  );

describeStores('ClickUp catch-up on %s', (kind) => {
  it('a task that could not be read is read again by the next check, even when its change is older than the overlap', async () => {
    // The bridge's clock 10 minutes ahead: every change is older than the 2-minute overlap, so only the
    // cursor held back to the unread change brings it into the next window.
    const { cu, store, ctx, state, unreadable, getTaskCalls } = await setup(kind, 600_000);
    await store.db
      .insertInto('cursors')
      .values({ name: 'clickup.catch_up', value: String(Date.now() - 60_000), updated_at: 0 })
      .execute();
    const ok = await newCaseTask(cu, store, 'C-1', ctx.clickup);
    const bad = await newCaseTask(cu, store, 'C-2', ctx.clickup);
    cu.attachFile(bad, { filename: 'pod.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF pod') });
    const changedAt = Number((cu.tasks().find((t) => t.id === bad) as { date_updated: string }).date_updated);
    unreadable.add(bad);

    const first = await ensureClickUpWebhook(ctx, state, () => undefined);
    expect(first).toMatchObject({ action: 'create', caughtUp: 1 });
    expect(getTaskCalls.sort()).toEqual([bad, ok].sort());
    // One millisecond before the unread change, plus the overlap added back when reading.
    expect(await cursor(store)).toBe(changedAt - 1 + 120_000);
    const fed = async () =>
      (await store.db.selectFrom('inbound_events').select('event_id').orderBy('event_id').execute()).map(
        (e) => e.event_id,
      );
    expect(await fed()).toEqual([
      `catchup:${ok}:${Number((cu.tasks().find((t) => t.id === ok) as { date_updated: string }).date_updated)}`,
    ]);

    unreadable.clear();
    getTaskCalls.length = 0;
    const second = await ensureClickUpWebhook(ctx, state, () => undefined);
    expect(second).toMatchObject({ action: 'reuse', caughtUp: 1 });
    expect(getTaskCalls).toEqual([bad]);
    expect(await fed()).toContain(`catchup:${bad}:${changedAt}`);
    const ev = await store.db
      .selectFrom('inbound_events')
      .select('payload')
      .where('event_id', '=', `catchup:${bad}:${changedAt}`)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(ev.payload).history_items.map((i: { field: string }) => i.field)).toEqual([
      'status',
      'attachments',
    ]);
    // Read now: the window moves on to the bridge's present.
    expect(await cursor(store)).toBeGreaterThan(changedAt + 120_000);
  });

  it('a person moving tasks with healthy deliveries costs no task read; with deliveries dropped, the catch-up reads them and recovers their files', async () => {
    const { cu, store, ctx, state, getTaskCalls } = await setup(kind, 0);
    // Our endpoint as ClickUp sees it: answers 200, or 500 while `failing` (each event then tried five
    // times and dropped, fail_count + 1: https://developer.clickup.com/docs/webhookhealth).
    const receiver = await startReceiver();
    state.endpoint = receiver.url;
    const tasks: string[] = [];
    for (let i = 0; i < 6; i++) tasks.push(await newCaseTask(cu, store, `C-${i}`, ctx.clickup));
    // Start-up registers only; its first check reads in full (we may have been down).
    await ensureClickUpWebhook(ctx, state, () => undefined, { catchUp: false });
    const afterStart = await ensureClickUpWebhook(ctx, state, () => undefined);
    expect(afterStart).toMatchObject({ fullRead: 'restart' });
    const quiet = await ensureClickUpWebhook(ctx, state, () => undefined);
    expect(quiet).toMatchObject({ fullRead: null, tasksRead: 0 });

    getTaskCalls.length = 0;
    for (const t of tasks) cu.moveStatus(t, 'in review');
    await cu.webhooksSettled();
    expect(receiver.received()).toBeGreaterThanOrEqual(6); // taskStatusUpdated (and taskUpdated) per move
    const healthy = await ensureClickUpWebhook(ctx, state, () => undefined);
    // Every status is still fed from the list (repeats dedupe downstream), but no task is read.
    expect(healthy).toMatchObject({ action: 'reuse', fullRead: null, tasksRead: 0, caughtUp: 6 });
    expect(getTaskCalls).toEqual([]);

    receiver.failing(true);
    cu.moveStatus(tasks[0]!, 'qa');
    cu.moveStatus(tasks[1]!, 'qa');
    cu.attachFile(tasks[1]!, { filename: 'pod.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF pod') });
    await cu.webhooksSettled();
    const wh = (await ctx.clickup.listWebhooks(cu.teamId)) as {
      ok: true;
      value: Array<{ health: { fail_count: number } }>;
    };
    expect(wh.value[0]!.health.fail_count).toBeGreaterThanOrEqual(2);
    receiver.failing(false);
    const lost = await ensureClickUpWebhook(ctx, state, () => undefined);
    expect(lost).toMatchObject({ fullRead: 'fail_count rose' });
    // Which event was dropped cannot be told: every case task changed since its last full read is read once
    // (the six moved while healthy included), no task twice.
    expect(getTaskCalls.sort()).toEqual([...tasks].sort());
    const files = await store.db
      .selectFrom('inbound_events')
      .select('payload')
      .where('event_id', 'like', `catchup:${tasks[1]}:%`)
      .execute();
    expect(
      files
        .flatMap((e) => JSON.parse(e.payload).history_items)
        .filter((i: { field: string }) => i.field === 'attachments')
        .map((i: { after: { title: string } }) => i.after.title),
    ).toEqual(['pod.pdf']);

    // Deliveries healthy again (the next success resets fail_count to 0): no more reads.
    getTaskCalls.length = 0;
    cu.moveStatus(tasks[2]!, 'qa');
    await cu.webhooksSettled();
    const again = await ensureClickUpWebhook(ctx, state, () => undefined);
    expect(again).toMatchObject({ fullRead: null, tasksRead: 0 });
    expect(getTaskCalls).toEqual([]);

    // A delivery our own route failed to store is a loss ClickUp's fail_count may have forgotten already.
    cu.moveStatus(tasks[3]!, 'qa');
    await cu.webhooksSettled();
    state.failedAnswers = (state.failedAnswers ?? 0) + 1;
    const ours = await ensureClickUpWebhook(ctx, state, () => undefined);
    expect(ours).toMatchObject({ fullRead: 'our answers failed' });
    expect(getTaskCalls).toContain(tasks[3]);
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({ fullRead: null });
  });

  it('a check that saw a dropped event but could not list the tasks leaves the full read to the next, though ClickUp has reset fail_count by then', async () => {
    const { cu, store, ctx, state, getTaskCalls, lists } = await setup(kind, 0);
    const receiver = await startReceiver();
    state.endpoint = receiver.url;
    const task = await newCaseTask(cu, store, 'C-1', ctx.clickup);
    await ensureClickUpWebhook(ctx, state, () => undefined, { catchUp: false });
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({ fullRead: 'restart' });
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({ fullRead: null });

    // A person's file whose delivery is dropped after its tries (fail_count 1).
    receiver.failing(true);
    cu.attachFile(task, { filename: 'pod.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF pod') });
    await cu.webhooksSettled();
    receiver.failing(false);
    // The check that sees it cannot list the tasks (a 503): it reads nothing and reports the error.
    lists.failing = true;
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({ retryable: true });
    lists.failing = false;
    // Another change delivered fine: ClickUp's success resets fail_count to 0 before the next check.
    cu.moveStatus(task, 'in review');
    await cu.webhooksSettled();
    const wh = (await ctx.clickup.listWebhooks(cu.teamId)) as {
      ok: true;
      value: Array<{ health: { fail_count: number; status: string } }>;
    };
    expect(wh.value[0]!.health).toMatchObject({ status: 'active', fail_count: 0 });

    getTaskCalls.length = 0;
    const next = await ensureClickUpWebhook(ctx, state, () => undefined);
    expect(next).toMatchObject({ fullRead: 'fail_count rose', tasksRead: 1 });
    expect(getTaskCalls).toEqual([task]);
    const files = await store.db
      .selectFrom('inbound_events')
      .select('payload')
      .where('event_id', 'like', `catchup:${task}:%`)
      .execute();
    expect(
      files
        .flatMap((e) => JSON.parse(e.payload).history_items)
        .filter((i: { field: string }) => i.field === 'attachments')
        .map((i: { after: { title: string } }) => i.after.title),
    ).toEqual(['pod.pdf']);
    // Done: the one after is an ordinary check again.
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({ fullRead: null });
  });

  /** The next list read waits: `entered` once it has started, until `release()`. */
  function holdNextListRead(lists: Awaited<ReturnType<typeof setup>>['lists']) {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const entered = new Promise<void>((r) => (lists.hold = { entered: r, released }));
    return { entered, release };
  }

  /** Titles of the files the catch-up fed for `task`. */
  async function filesFed(store: Store, task: string): Promise<string[]> {
    const events = await store.db
      .selectFrom('inbound_events')
      .select('payload')
      .where('event_id', 'like', `catchup:${task}:%`)
      .execute();
    return events
      .flatMap((e) => JSON.parse(e.payload).history_items)
      .filter((i: { field: string }) => i.field === 'attachments')
      .map((i: { after: { title: string } }) => i.after.title);
  }

  it("a read in full owed by another instance's start-up while a check is reading survives that check's final save, and the next check does it", async () => {
    const { cu, store, ctx, state, getTaskCalls, lists } = await setup(kind, 0);
    const receiver = await startReceiver();
    state.endpoint = receiver.url;
    const task = await newCaseTask(cu, store, 'C-1', ctx.clickup);
    await ensureClickUpWebhook(ctx, state, () => undefined, { catchUp: false });
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({ fullRead: 'restart' });
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({ fullRead: null });
    // A file whose delivery is dropped, then a success that resets fail_count: only a full read finds the file.
    receiver.failing(true);
    cu.attachFile(task, { filename: 'pod.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF pod') });
    await cu.webhooksSettled();
    receiver.failing(false);
    cu.moveStatus(task, 'in review');
    await cu.webhooksSettled();

    // This instance's check sees a healthy webhook and is reading the lists when another instance starts
    // (or becomes leader) and saves a read in full owed, since deliveries may have failed while it was away.
    const hold = holdNextListRead(lists);
    const check = ensureClickUpWebhook(ctx, state, () => undefined);
    await hold.entered;
    const other: ClickUpWebhookState = { secret: state.secret, id: null, endpoint: receiver.url, lastHealth: null };
    expect(await ensureClickUpWebhook(ctx, other, () => undefined, { catchUp: false })).toMatchObject({
      action: 'reuse',
    });
    hold.release();
    expect(await check).toMatchObject({ fullRead: null, tasksRead: 0 });

    getTaskCalls.length = 0;
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({
      fullRead: 'restart',
      tasksRead: 1,
    });
    expect(getTaskCalls).toEqual([task]);
    expect(await filesFed(store, task)).toEqual(['pod.pdf']);
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({ fullRead: null });
  });

  it("a read in full owed by another instance's check that failed half-way survives the final save of a check that was reading meanwhile", async () => {
    const { cu, store, ctx, state, getTaskCalls, lists } = await setup(kind, 0);
    const receiver = await startReceiver();
    state.endpoint = receiver.url;
    const task = await newCaseTask(cu, store, 'C-1', ctx.clickup);
    await ensureClickUpWebhook(ctx, state, () => undefined, { catchUp: false });
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({ fullRead: 'restart' });
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({ fullRead: null });

    // This instance's check saw a healthy webhook and is reading the lists…
    const hold = holdNextListRead(lists);
    const check = ensureClickUpWebhook(ctx, state, () => undefined);
    await hold.entered;
    // …when a file's delivery is dropped (fail_count 1), and another instance's check sees it, saves the read
    // in full owed, and cannot list the tasks (a 503).
    receiver.failing(true);
    cu.attachFile(task, { filename: 'pod.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF pod') });
    await cu.webhooksSettled();
    receiver.failing(false);
    const other: ClickUpWebhookState = { secret: state.secret, id: null, endpoint: receiver.url, lastHealth: null };
    lists.failing = true;
    expect(await ensureClickUpWebhook(ctx, other, () => undefined)).toMatchObject({ retryable: true });
    lists.failing = false;
    hold.release();
    expect(await check).toMatchObject({ fullRead: null, tasksRead: 0 });
    // A later success resets fail_count: the webhook's health no longer shows the drop.
    cu.moveStatus(task, 'in review');
    await cu.webhooksSettled();

    getTaskCalls.length = 0;
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({
      fullRead: 'fail_count rose',
      tasksRead: 1,
    });
    expect(getTaskCalls).toEqual([task]);
    expect(await filesFed(store, task)).toEqual(['pod.pdf']);
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({ fullRead: null });
  });

  it("a cursor held back by another instance's check for a task it could not read survives the later save of a check that was reading meanwhile", async () => {
    // The bridge's clock 10 minutes ahead: every change is older than the 2-minute overlap, so only a cursor
    // held back to the unread change brings it into a later window.
    const { cu, store, ctx, state, getTaskCalls, unreadable, lists } = await setup(kind, 600_000);
    const receiver = await startReceiver();
    state.endpoint = receiver.url;
    await ensureClickUpWebhook(ctx, state, () => undefined, { catchUp: false });
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({ fullRead: 'restart' });
    // Back to before the task below, as after a check that ran while ClickUp's clock was behind ours.
    await store.db
      .updateTable('cursors')
      .set({ value: String(Date.now() - 60_000) })
      .where('name', '=', 'clickup.catch_up')
      .execute();
    const task = await newCaseTask(cu, store, 'C-1', ctx.clickup);
    cu.attachFile(task, { filename: 'pod.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF pod') });
    await cu.webhooksSettled();
    const changedAt = Number((cu.tasks().find((t) => t.id === task) as { date_updated: string }).date_updated);
    unreadable.add(task);

    // This instance's check (healthy webhook: no full read) is reading the lists when another instance's check,
    // whose route failed to store a delivery, reads in full, cannot read the task, and holds the cursor back.
    const hold = holdNextListRead(lists);
    const check = ensureClickUpWebhook(ctx, state, () => undefined);
    await hold.entered;
    const other: ClickUpWebhookState = {
      secret: state.secret,
      id: null,
      endpoint: receiver.url,
      lastHealth: null,
      failedAnswers: 1,
    };
    expect(await ensureClickUpWebhook(ctx, other, () => undefined)).toMatchObject({
      fullRead: 'our answers failed',
      tasksRead: 1,
    });
    expect(await cursor(store)).toBe(changedAt - 1 + 120_000);
    hold.release();
    expect(await check).toMatchObject({ fullRead: null, tasksRead: 0 });
    // The check that began first, and so read nothing of the task's files, does not move the cursor past it.
    expect(await cursor(store)).toBe(changedAt - 1 + 120_000);

    unreadable.clear();
    getTaskCalls.length = 0;
    expect(await ensureClickUpWebhook(ctx, state, () => undefined)).toMatchObject({ tasksRead: 1 });
    expect(getTaskCalls).toEqual([task]);
    expect(await filesFed(store, task)).toEqual(['pod.pdf']);
  });
});

it('reads in full after a restart, a recreated or re-enabled webhook, a health not active, a risen fail_count or a gap in the checks', () => {
  const memo = { webhookId: 'w1', failCount: 0, status: 'active', at: 1_000_000, fullDue: false };
  const w = { id: 'w1', action: 'reuse', status: 'active', failCount: 0 };
  const at = memo.at + 60_000;
  expect(fullReadReason(memo, w, at, 0)).toBeNull();
  expect(fullReadReason(null, w, at, 0)).toBe('first check');
  expect(fullReadReason({ ...memo, fullDue: true }, w, at, 0)).toBe('restart');
  expect(fullReadReason(memo, { ...w, id: 'w2' }, at, 0)).toBe('webhook recreated');
  expect(fullReadReason(memo, { ...w, action: 'create' }, at, 0)).toBe('webhook recreated');
  expect(fullReadReason(memo, { ...w, action: 'reenable' }, at, 0)).toBe('webhook re-enabled');
  expect(fullReadReason(memo, { ...w, status: 'failing', failCount: 1 }, at, 0)).toBe('webhook not active');
  expect(fullReadReason(memo, { ...w, failCount: 1 }, at, 0)).toBe('fail_count rose');
  // The same non-zero count seen twice: nothing dropped since.
  expect(fullReadReason({ ...memo, failCount: 3 }, { ...w, failCount: 3 }, at, 0)).toBeNull();
  expect(fullReadReason(memo, w, memo.at + CHECK_GAP_MS + 1, 0)).toBe('check gap');
  expect(fullReadReason(memo, w, at, 1)).toBe('our answers failed');
});

it.each<[string, HealthMemo | null, Partial<HealthMemo>]>([
  ['nothing saved meanwhile', null, { fullDue: false }],
  ["another check's clean save", { ...memoOf(false), webhookId: 'w0', failCount: 1 }, { fullDue: false }],
  ["a start-up's owed read", memoOf(true), { fullDue: true }],
  [
    "another check's owed read, with its reason",
    { ...memoOf(true), due: 'fail_count rose' },
    { fullDue: true, due: 'fail_count rose' },
  ],
])("a check's final save over %s keeps what was owed", (_, theirs, expected) => {
  const ours = { ...memoOf(false), at: 2_000 };
  expect(mergeMemo(theirs, ours)).toEqual({ ...ours, ...expected });
});

it("a check that owes a read itself keeps its reason unless the other writer's comes first", () => {
  const ours: HealthMemo = { ...memoOf(true), due: 'webhook re-enabled' };
  expect(mergeMemo(memoOf(true), ours)).toEqual(ours);
  expect(mergeMemo({ ...memoOf(true), due: 'check gap' }, ours)).toEqual({ ...ours, due: 'check gap' });
});

function memoOf(fullDue: boolean): HealthMemo {
  return { webhookId: 'w1', failCount: 0, status: 'active', at: 1_000, fullDue };
}

/** A loopback endpoint standing in for our route, as ClickUp's deliverer sees it. */
async function startReceiver(): Promise<{ url: string; failing(on: boolean): void; received(): number }> {
  let fail = false;
  let ok = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (!fail) ok++;
      res.writeHead(fail ? 500 : 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/webhooks/clickup`, failing: (on) => (fail = on), received: () => ok };
}
