import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, settle, type World } from '../helpers/world.ts';
import { signTgEvent } from '../../bench/signedEvents.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { listAudit } from '../../src/store/ops/audit.ts';
import { listHeldChanges } from '../../src/store/ops/partnerChanges.ts';
import { summarizeQueue } from '../../src/store/ops/summarizeQueue.ts';
import { sandboxMapping } from '../../src/cli/demo/sandboxMapping.ts';
import { runDoctor } from '../../src/cli/commands/doctor.ts';
import type { Bridge } from '../../src/server/bridge.ts';

/**
 * A ClickUp admin renames a status, a drop-down option or a field of the case list while the bridge runs:
 * the changes that need it are held with the reason (not dead-lettered, not lost), doctor and the console's
 * health API show it, and once the list fits the mapping again they go through, once.
 */
let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const ADMIN = 'renamed-mapping-admin-token';

/** Partner statuses reach the task (Trading Grid owns the status), as in a one-way status mapping. */
function toClickUpMapping() {
  const m = sandboxMapping();
  return {
    ...m,
    fields: m.fields.map((f) =>
      f.tradinggrid === 'status' ? { ...f, direction: 'to_clickup', owner: 'tradinggrid' } : f,
    ),
  };
}

async function start(): Promise<{ w: World; b: Bridge }> {
  world = await createWorld({ extra: { mapping: toClickUpMapping() } });
  // These tests rename between two checks a few seconds apart: every check reads every list.
  world.config.clickup.mapping_check_minutes = 0;
  const b = await world.startBridge({
    admin: { tokens: [{ name: 'ops-lead', role: 'admin', token: ADMIN }], users: [] },
  });
  return { w: world, b };
}

/** The scheduled ClickUp health check, now. */
async function healthCheck(w: World, b: Bridge): Promise<void> {
  await b.scheduler.enqueueSlot(
    { kind: 'clickup.webhook_health', cron: w.config.clickup.webhook.health_cron },
    Date.now() + Math.floor(Math.random() * 1e6),
  );
  await settle(w);
}

async function partnerSays(w: World, b: Bridge, caseId: string, id: string, status: string): Promise<void> {
  const s = signTgEvent(
    {
      id,
      type: 'case.updated',
      occurred_at: new Date().toISOString(),
      data: { id: caseId, partner_id: 'P-ACME', status, changed: ['status'], side: 'partner' },
    },
    w.tg.webhookSecret,
  );
  const res = await fetch(`${b.url}/webhooks/tradinggrid`, { method: 'POST', headers: s.headers, body: s.body });
  expect(res.status).toBeLessThan(300);
}

async function health(b: Bridge) {
  const r = await fetch(`${b.url}/api/health`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return (await r.json()) as {
    mapping: {
      checked: Record<string, number>;
      held: number;
      drift: Array<{ what: string; name: string; reason: string }>;
    };
  };
}

async function doctorLine(w: World, b: Bridge) {
  const lines = await runDoctor({
    config: w.config,
    secrets: null,
    secretProblems: [],
    store: b.store,
    clickup: null,
    tg: null,
    now: () => Date.now(),
  });
  return lines.find((l) => l.check === 'mapping at run time');
}

const taskOf = (w: World, id: string) => w.cu.tasks().find((t) => t.id === id) as Record<string, any> | undefined;

describe('statuses, options and fields renamed in ClickUp while the bridge runs', () => {
  it('a partner status whose ClickUp status was renamed is held with the reason, shown, and sent once when renamed back', async () => {
    const { w, b } = await start();
    const list = w.cu.lists.cases;
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Renamed status' });
    const { cuTaskId: taskId } = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
    await settle(w);
    await healthCheck(w, b);
    expect((await health(b)).mapping).toMatchObject({ drift: [], held: 0 });
    expect(await doctorLine(w, b)).toMatchObject({ ok: true });

    w.cu.renameListStatus(list, 'awaiting documents', 'waiting on partner');
    await partnerSays(w, b, c.id, 'evt-renamed-1', 'awaiting_documents');
    await settle(w);
    // Held: no dead letter, the task untouched, the reason names the status, the list and the mapping.
    expect((await summarizeQueue(b.store.db, Date.now())).deadLettersOpen).toBe(0);
    expect(taskOf(w, taskId)?.status.status).not.toBe('waiting on partner');
    const held = await listHeldChanges(b.store.db);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ caseId: c.id, kind: 'clickup.set_status' });
    expect(held[0]!.reason).toContain(`list ${list} has no status "awaiting documents"`);
    expect(held[0]!.reason).toContain('clickup.status_map["awaiting documents"]');
    expect(held[0]!.reason).toContain('waiting on partner');
    expect((await listAudit(b.store.db, 'case', c.id)).map((a) => a.action)).toContain('held_mapping');

    // The console's health API and doctor show it; another check keeps it held.
    await healthCheck(w, b);
    const h = await health(b);
    expect(h.mapping.held).toBe(1);
    expect(h.mapping.drift).toEqual([expect.objectContaining({ what: 'status', name: 'awaiting documents' })]);
    const doc = await doctorLine(w, b);
    expect(doc?.ok).toBe(false);
    expect(doc?.detail).toMatch(/1 change\(s\) held .*no status "awaiting documents"/);
    expect(await listHeldChanges(b.store.db)).toHaveLength(1);

    // Renamed back: the next check sends it, once.
    w.cu.renameListStatus(list, 'waiting on partner', 'awaiting documents');
    await healthCheck(w, b);
    await eventually('the task follows the partner', () => taskOf(w, taskId)?.status.status === 'awaiting documents');
    await healthCheck(w, b);
    await settle(w);
    expect(await listHeldChanges(b.store.db)).toEqual([]);
    expect((await health(b)).mapping).toMatchObject({ drift: [], held: 0 });
    expect(await doctorLine(w, b)).toMatchObject({ ok: true });
    const moves = (await listAudit(b.store.db, 'case', c.id)).filter(
      (a) => a.action === 'status_to_clickup' && JSON.parse(a.after!).status === 'awaiting_documents',
    );
    expect(moves).toHaveLength(1);
    expect((await summarizeQueue(b.store.db, Date.now())).deadLettersOpen).toBe(0);
  });

  it.each([
    [
      'a renamed drop-down option',
      (w: World) => w.cu.renameFieldOption(w.cu.lists.cases, 'Issue type', 'dispute', 'commercial dispute'),
      (w: World) => w.cu.renameFieldOption(w.cu.lists.cases, 'Issue type', 'commercial dispute', 'dispute'),
      /field "Issue type" on list \d+ has no option "dispute"/,
    ],
    [
      'a renamed custom field',
      (w: World) => w.cu.renameField(w.cu.lists.cases, 'Transaction reference', 'Txn ref'),
      (w: World) => w.cu.renameField(w.cu.lists.cases, 'Txn ref', 'Transaction reference'),
      /has no custom field "Transaction reference"/,
    ],
  ] as const)(
    '%s holds a new case task with the reason; fixed, the task is made once',
    async (_name, breakIt, fixIt, reason) => {
      const { w, b } = await start();
      await healthCheck(w, b);
      breakIt(w);
      await healthCheck(w, b); // the check notices before any write
      expect((await health(b)).mapping.drift).toHaveLength(1);
      const c = await w.tg.raiseCase({
        partnerId: 'P-ACME',
        kind: 'dispute',
        title: `Held: ${_name}`,
        transactionRef: { business: { type: 'purchase_order', value: 'PO-4711' } },
      });
      await eventually('held', async () => (await listHeldChanges(b.store.db)).length === 1);
      await settle(w);
      const held = await listHeldChanges(b.store.db);
      expect(held[0]).toMatchObject({ caseId: c.id, kind: 'clickup.create_task' });
      expect(held[0]!.reason).toMatch(reason);
      expect(await getLink(b.store.db, 'case', c.id)).toBeNull();
      expect((await summarizeQueue(b.store.db, Date.now())).deadLettersOpen).toBe(0);
      expect(w.cu.tasks().filter((t) => String(t.name).includes(`Held: ${_name}`))).toHaveLength(0);
      expect((await health(b)).mapping.held).toBe(1);

      fixIt(w);
      await healthCheck(w, b);
      await eventually('the task', () => getLink(b.store.db, 'case', c.id));
      await healthCheck(w, b);
      await settle(w);
      expect(w.cu.tasks().filter((t) => String(t.name).includes(`Held: ${_name}`))).toHaveLength(1);
      expect(await listHeldChanges(b.store.db)).toEqual([]);
      expect((await summarizeQueue(b.store.db, Date.now())).deadLettersOpen).toBe(0);
    },
  );

  it('a deleted custom field is found by the write itself when no check saw it yet, and the task waits', async () => {
    const { w, b } = await start();
    await healthCheck(w, b);
    w.cu.deleteField(w.cu.lists.cases, 'Transaction reference');
    const c = await w.tg.raiseCase({
      partnerId: 'P-ACME',
      kind: 'dispute',
      title: 'Field gone',
      transactionRef: { business: { type: 'purchase_order', value: 'PO-4711' } },
    });
    await eventually('held', async () => (await listHeldChanges(b.store.db)).length === 1);
    await settle(w);
    const held = await listHeldChanges(b.store.db);
    expect(held[0]!.reason).toMatch(/has no custom field "Transaction reference"/);
    expect(await getLink(b.store.db, 'case', c.id)).toBeNull();
    expect((await summarizeQueue(b.store.db, Date.now())).deadLettersOpen).toBe(0);
    expect((await doctorLine(w, b))?.ok).toBe(false);
  });
});

describe('what the scheduled mapping check costs', () => {
  it('reads a healthy list once per clickup.mapping_check_minutes, a list with findings at every check, so a fix still releases within a check', async () => {
    world = await createWorld({ extra: { mapping: toClickUpMapping() } });
    const w = world;
    expect(w.config.clickup.mapping_check_minutes).toBe(10); // the default
    const b = await w.startBridge({
      admin: { tokens: [{ name: 'ops-lead', role: 'admin', token: ADMIN }], users: [] },
    });
    const list = w.cu.lists.cases;
    // Reads of a list's statuses (GET /list/{list_id}), whatever prefix the sandbox's route names carry.
    const reads = () =>
      Object.entries(w.cu.stats().requests)
        .filter(([route]) => /^GET \S*\/list\/\{list_id\}$/.test(route))
        .reduce((n, [, c]) => n + c, 0);
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Check cost' });
    const { cuTaskId: taskId } = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
    await healthCheck(w, b); // the process's first check reads every list
    const afterFirst = reads();
    expect(afterFirst).toBeGreaterThan(0);
    await healthCheck(w, b);
    await healthCheck(w, b);
    expect(reads()).toBe(afterFirst); // healthy and read less than 10 minutes ago: not read again

    // A rename no check has seen: the write that needs the status reads its list at once and is held.
    w.cu.renameListStatus(list, 'awaiting documents', 'waiting on partner');
    await partnerSays(w, b, c.id, 'evt-cost-1', 'awaiting_documents');
    await settle(w);
    expect(await listHeldChanges(b.store.db)).toHaveLength(1);
    const afterHold = reads();
    expect(afterHold).toBeGreaterThan(afterFirst);
    // The list with findings is read at each check (one list: one read of its statuses), the others are not.
    await healthCheck(w, b);
    expect(reads()).toBe(afterHold + 1);
    w.cu.renameListStatus(list, 'waiting on partner', 'awaiting documents');
    await healthCheck(w, b);
    await eventually('released by the next check', () => taskOf(w, taskId)?.status.status === 'awaiting documents');
    await settle(w);
    expect(await listHeldChanges(b.store.db)).toEqual([]);
  });
});
