import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, postRolloutMarker, settle, type World } from '../helpers/world.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { listAudit } from '../../src/store/ops/audit.ts';
import { listHeldChanges } from '../../src/store/ops/partnerChanges.ts';
import { summarizeQueue } from '../../src/store/ops/summarizeQueue.ts';
import { runDoctor } from '../../src/cli/commands/doctor.ts';
import { startBridge, type Bridge } from '../../src/server/bridge.ts';
import type { GridbridgeConfig } from '../../src/config/schema.ts';

/**
 * The mapping at run time beyond the case list's renamed names: a ClickUp status the status map does not
 * know (held, not dropped; sent after a restart that maps it, or dropped by an admin), the approvals list
 * (the decision's status renamed), onboarding groups (a drop-down option renamed), and the check without
 * webhook registration.
 */
let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const ADMIN = 'mapping-holds-admin-token';
const admin = { tokens: [{ name: 'ops-lead', role: 'admin' as const, token: ADMIN }], users: [] };
const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };

async function start(extra?: Record<string, unknown>): Promise<{ w: World; b: Bridge }> {
  world = await createWorld(extra ? { extra } : {});
  // These tests rename between two checks a few seconds apart: every check reads every list.
  world.config.clickup.mapping_check_minutes = 0;
  const b = await world.startBridge({ admin });
  return { w: world, b };
}

/** Stop the running bridge and start one with another config on the same store (there is no config reload). */
async function restartWith(w: World, config: GridbridgeConfig): Promise<Bridge> {
  await w.bridge!.stop();
  const b = await startBridge({ config, secrets: w.secrets, admin });
  w.tg.setWebhookUrl(`${b.url}/webhooks/tradinggrid`);
  w.bridge = b;
  return b;
}

/** The scheduled ClickUp health check, now. */
async function healthCheck(w: World, b: Bridge): Promise<void> {
  await b.scheduler.enqueueSlot(
    { kind: 'clickup.webhook_health', cron: w.config.clickup.webhook.health_cron },
    Date.now() + Math.floor(Math.random() * 1e6),
  );
  await settle(w);
}

interface HealthMapping {
  checked: Record<string, number>;
  held: number;
  unmapped: Array<{ status: string; held: number }>;
  drift: Array<{ listId: string; what: string; name: string; mapping: string; reason: string }>;
}
async function health(b: Bridge): Promise<HealthMapping> {
  const r = await fetch(`${b.url}/api/health`, { headers: auth });
  return ((await r.json()) as { mapping: HealthMapping }).mapping;
}

async function doctor(w: World, b: Bridge, config = w.config) {
  return runDoctor({
    config,
    secrets: null,
    secretProblems: [],
    store: b.store,
    clickup: null,
    tg: null,
    now: () => Date.now(),
  });
}

const tasks = (w: World) => w.cu.tasks() as Array<Record<string, any>>;
const deadLetters = async (b: Bridge) => (await summarizeQueue(b.store.db, Date.now())).deadLettersOpen;
const fieldsOf = (t: Record<string, any>): Record<string, unknown> =>
  Object.fromEntries(((t.custom_fields ?? []) as any[]).map((f) => [f.name, f.value]));

describe('a ClickUp status the status map does not know', () => {
  it('is held with the reason instead of dropped, shown in the health API and doctor, sent once after a restart that maps it; one dropped by an admin is never sent', async () => {
    const { w, b } = await start();
    const list = w.cu.lists.cases;
    const kept = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Put on hold' });
    const dropped = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Also on hold' });
    const taskOf = async (id: string) =>
      (await eventually(`task of ${id}`, () => getLink(b.store.db, 'case', id))).cuTaskId;
    const [t1, t2] = [await taskOf(kept.id), await taskOf(dropped.id)];
    await eventually('received', () =>
      [kept, dropped].every((c) => w.tg.state().cases.get(c.id)?.status === 'received'),
    );
    await settle(w);

    // A person adds a status to the list and uses it: the mapping does not know it yet.
    w.cu.addListStatus(list, 'on hold');
    w.cu.moveStatus(t1, 'on hold', 'ana.ops@gridbridge.example');
    w.cu.moveStatus(t2, 'on hold', 'ana.ops@gridbridge.example');
    await settle(w);
    const held = await listHeldChanges(b.store.db);
    expect(held.map((h) => h.caseId).sort()).toEqual([kept.id, dropped.id].sort());
    for (const h of held) {
      expect(h.kind).toBe('cu.event');
      expect(h.reason).toContain('ClickUp status "on hold"');
      expect(h.reason).toContain('is not in clickup.status_map');
      expect(h.summary).toMatch(/ClickUp status of task \w+ → "on hold"/);
    }
    expect((await listAudit(b.store.db, 'case', kept.id)).map((a) => a.action)).toContain('held_mapping');
    expect(w.tg.state().cases.get(kept.id)?.status).toBe('received');
    expect(await deadLetters(b)).toBe(0);

    // Shown: the health API (console) and doctor; a health check does not send what the map still lacks.
    await healthCheck(w, b);
    expect((await health(b)).unmapped).toEqual([{ status: 'on hold', held: 2 }]);
    const line = (await doctor(w, b)).find((l) => l.check === 'unmapped ClickUp statuses');
    expect(line?.ok).toBe(false);
    expect(line?.detail).toMatch(/2 case status change\(s\) held.*"on hold" \(2\)/);
    expect(await listHeldChanges(b.store.db)).toHaveLength(2);

    // An admin drops one (the console's Held page calls this).
    const drop = held.find((h) => h.caseId === dropped.id)!;
    const r = await fetch(`${b.url}/api/held-changes/drop`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ ids: [drop.id] }),
    });
    expect(await r.json()).toEqual({ dropped: 1 });

    // The mapping gains the status; the bridge restarts with it and sends the held change once.
    const mapped: GridbridgeConfig = {
      ...w.config,
      clickup: { ...w.config.clickup, status_map: { ...w.config.clickup.status_map, 'on hold': 'awaiting_documents' } },
    };
    const b2 = await restartWith(w, mapped);
    await eventually('the partner sees it', () => w.tg.state().cases.get(kept.id)?.status === 'awaiting_documents');
    await healthCheck(w, b2);
    await healthCheck(w, b2);
    expect(
      (await listAudit(b2.store.db, 'case', kept.id)).filter(
        (a) => a.action === 'status_to_partner' && JSON.parse(a.after!).status === 'awaiting_documents',
      ),
    ).toHaveLength(1);
    expect(w.tg.state().cases.get(dropped.id)?.status).toBe('received');
    expect(await listHeldChanges(b2.store.db)).toEqual([]);
    expect((await health(b2)).unmapped).toEqual([]);
    expect((await doctor(w, b2, mapped)).find((l) => l.check === 'unmapped ClickUp statuses')).toBeUndefined();
    expect(await deadLetters(b2)).toBe(0);
  });
});

describe('renamed at run time on the other lists the bridge reads and writes', () => {
  it("the approvals list's approved status renamed: the approver's move is held, not lost; renamed back, the decision goes to the partner once", async () => {
    const { w, b } = await start();
    const list = w.cu.lists.approvals;
    const r = await w.tg.requestApproval({
      partnerId: 'P-GLOBEX',
      kind: 'pricing_exception',
      summary: 'Hold the Q3 price',
      details: 'One quarter.',
      value: { amount: 18_000, currency: 'USD' },
    });
    const { cuTaskId: taskId } = await eventually('the approval task', () => getLink(b.store.db, 'approval', r.id));
    await healthCheck(w, b);
    expect((await health(b)).drift).toEqual([]);

    // Renamed between two checks: the approver's move itself has the list read.
    w.cu.renameListStatus(list, 'approved', 'accepted');
    w.cu.moveStatus(taskId, 'accepted', 'dora.manager@gridbridge.example');
    await settle(w);
    const held = await listHeldChanges(b.store.db);
    expect(held).toHaveLength(1);
    expect(held[0]!.kind).toBe('cu.event');
    expect(held[0]!.reason).toContain(`list ${list} has no status "approved"`);
    expect(held[0]!.reason).toContain('flows.approvals.decision.approved');
    expect((await listAudit(b.store.db, 'approval', r.id)).map((a) => a.action)).toContain('held_mapping');
    expect(w.tg.stats().requests['POST /requests/{id}/decision'] ?? 0).toBe(0);
    expect(await deadLetters(b)).toBe(0);
    const h = await health(b);
    expect(h.held).toBe(1);
    expect(h.drift).toEqual([expect.objectContaining({ listId: list, what: 'status', name: 'approved' })]);
    const line = (await doctor(w, b)).find((l) => l.check === 'mapping at run time');
    expect(line?.ok).toBe(false);
    expect(line?.detail).toMatch(/1 change\(s\) held .*no status "approved"/);

    // Renamed back (the task is in it, under its old name): the next check reads the change again, once.
    w.cu.renameListStatus(list, 'accepted', 'approved');
    await healthCheck(w, b);
    await eventually('the decision', () => w.tg.state().requests.get(r.id)?.status === 'approved');
    await healthCheck(w, b);
    expect(w.tg.stats().requests['POST /requests/{id}/decision']).toBe(1);
    expect(await listHeldChanges(b.store.db)).toEqual([]);
    expect((await health(b)).drift).toEqual([]);
    expect(await deadLetters(b)).toBe(0);
  });

  it("the approvals list's withdrawn status renamed before the check sees it: the close ClickUp refuses is held, not dead-lettered; renamed back, the task is closed once", async () => {
    const { w, b } = await start();
    const list = w.cu.lists.approvals;
    const r = await w.tg.requestApproval({
      partnerId: 'P-ACME',
      kind: 'document_correction',
      summary: 'Fix a tax line',
    });
    const { cuTaskId: taskId } = await eventually('the approval task', () => getLink(b.store.db, 'approval', r.id));
    await healthCheck(w, b);
    w.cu.renameListStatus(list, 'withdrawn', 'cancelled');
    await w.tg.withdrawRequest(r.id);
    await b.scheduler.runNow({ kind: 'approvals.sweep', cron: '* * * * *' });
    b.dispatcher.wake();
    await eventually('held', async () => (await listHeldChanges(b.store.db)).length === 1);
    await settle(w);
    const held = await listHeldChanges(b.store.db);
    expect(held[0]!.kind).toBe('approval.close_task');
    expect(held[0]!.reason).toContain(`list ${list} has no status "withdrawn"`);
    expect(held[0]!.reason).toContain('flows.approvals.withdrawn_status');
    expect(tasks(w).find((t) => t.id === taskId)?.status.status).toBe('pending');
    expect(await deadLetters(b)).toBe(0);

    w.cu.renameListStatus(list, 'cancelled', 'withdrawn');
    await healthCheck(w, b);
    await eventually('closed', () => tasks(w).find((t) => t.id === taskId)?.status.status === 'withdrawn');
    await healthCheck(w, b);
    expect(
      (await listAudit(b.store.db, 'approval', r.id)).filter((a) => a.action === 'request_withdrawn'),
    ).toHaveLength(1);
    expect(await listHeldChanges(b.store.db)).toEqual([]);
    expect(await deadLetters(b)).toBe(0);
  });

  it("the rollouts list's ready status renamed: opening the gate is held with the reason; renamed back, the task moves once", async () => {
    const { w, b } = await start();
    const list = w.cu.lists.rollouts;
    const marker = { id: await postRolloutMarker(w.cu, 'Pallet labels change', 'GS1 labels on every pallet.') };
    await b.scheduler.runNow({ kind: 'rollouts.scan', cron: '* * * * *' });
    b.dispatcher.wake();
    const notice = await eventually('the notice', () =>
      [...w.tg.state().notices.values()].find((n) => n.title === 'Pallet labels change'),
    );
    await eventually('the plan', () => tasks(w).filter((t) => t.parent === marker.id).length === 4);
    await settle(w);
    w.cu.renameListStatus(list, 'go-live ready', 'ready to launch');
    await healthCheck(w, b);
    for (const p of ['P-ACME', 'P-GLOBEX', 'P-INITECH', 'P-UMBRELLA']) await w.tg.acknowledgeNotice(notice.id, p);
    for (const t of tasks(w).filter((x) => x.parent === marker.id && !String(x.name).startsWith('Go-live')))
      w.cu.moveStatus(t.id, 'live');
    await eventually('held', async () => (await listHeldChanges(b.store.db)).length === 1);
    await settle(w);
    const held = await listHeldChanges(b.store.db);
    expect(held[0]!.kind).toBe('rollout.open_gate');
    expect(held[0]!.reason).toContain(`list ${list} has no status "go-live ready"`);
    expect(held[0]!.reason).toContain('flows.rollouts.ready_status');
    expect(tasks(w).find((t) => t.id === marker.id)?.status.status).toBe('planned');
    expect(await deadLetters(b)).toBe(0);

    w.cu.renameListStatus(list, 'ready to launch', 'go-live ready');
    await healthCheck(w, b);
    await eventually(
      'the gate open',
      () => tasks(w).find((t) => t.id === marker.id)?.status.status === 'go-live ready',
    );
    await healthCheck(w, b);
    expect(
      (w.cu.state.tasks.get(marker.id)?.comments ?? []).filter((c) => c.text.includes('go-live readiness unblocked')),
    ).toHaveLength(1);
    expect(await listHeldChanges(b.store.db)).toEqual([]);
    expect(await deadLetters(b)).toBe(0);
  });

  it('an onboarding drop-down option renamed: the step that writes it is held, the group waits; fixed, every task is made once', async () => {
    const { w, b } = await start();
    const list = w.cu.lists.onboarding;
    await healthCheck(w, b);
    w.cu.renameFieldOption(list, 'Workstream', 'legal', 'legal & contracts');
    await healthCheck(w, b);
    expect((await health(b)).drift).toEqual([
      expect.objectContaining({
        listId: list,
        what: 'option',
        name: 'legal',
        mapping: 'flows.onboarding.fields.workstream',
      }),
    ]);
    const p = await w.tg.addPartner({ name: 'Nova Foods', tier: 'standard' });
    await eventually('held', async () => (await listHeldChanges(b.store.db)).length === 1);
    await settle(w);
    const groupTasks = () =>
      w.cu.tasks().filter((t) => String(fieldsOf(t)['Gridbridge key'] ?? '').startsWith(`onboarding:${p.id}:`));
    const held = await listHeldChanges(b.store.db);
    expect(held[0]).toMatchObject({ kind: 'group.build', caseId: null });
    expect(held[0]!.reason).toMatch(/field "Workstream" on list \d+ has no option "legal"/);
    expect(held[0]!.summary).toBe(`onboarding ${p.id}: task 1 of the group`);
    expect(groupTasks()).toHaveLength(1); // the parent, which writes no workstream
    expect((await listAudit(b.store.db, 'onboarding', p.id)).map((a) => a.action)).toContain('held_mapping');
    expect(await deadLetters(b)).toBe(0);

    w.cu.renameFieldOption(list, 'Workstream', 'legal & contracts', 'legal');
    await healthCheck(w, b);
    await eventually('the group built', async () =>
      (await listAudit(b.store.db, 'onboarding', p.id)).some((a) => a.action === 'group_built'),
    );
    await healthCheck(w, b);
    const tasks = groupTasks();
    expect(tasks).toHaveLength(7);
    expect(new Set(tasks.map((t) => String(fieldsOf(t)['Gridbridge key']))).size).toBe(7);
    expect(await listHeldChanges(b.store.db)).toEqual([]);
    expect(await deadLetters(b)).toBe(0);
  });
});

describe('the mapping check without webhook registration', () => {
  it('reads every list the mapping names (cases, approvals, onboarding, rollouts) at start-up and at each health check, and shows what it finds', async () => {
    world = await createWorld();
    const w = world;
    const config: GridbridgeConfig = {
      ...w.config,
      clickup: {
        ...w.config.clickup,
        mapping_check_minutes: 0,
        webhook: { ...w.config.clickup.webhook, register: false },
      },
    };
    const b = await startBridge({ config, secrets: w.secrets, admin });
    w.bridge = b;
    w.tg.setWebhookUrl(`${b.url}/webhooks/tradinggrid`);
    const lists = [w.cu.lists.cases, w.cu.lists.approvals, w.cu.lists.onboarding, w.cu.lists.rollouts];
    await eventually('checked at start-up', async () => {
      const checked = (await health(b)).checked;
      return lists.every((l) => checked[l] !== undefined);
    });
    expect(w.cu.state.webhooks.size).toBe(0);
    expect((await doctor(w, b, config)).find((l) => l.check === 'mapping at run time')).toMatchObject({ ok: true });

    w.cu.renameListStatus(w.cu.lists.rollouts, 'go-live ready', 'ready to launch');
    await healthCheck(w, b);
    expect((await health(b)).drift).toEqual([
      expect.objectContaining({
        listId: w.cu.lists.rollouts,
        name: 'go-live ready',
        mapping: 'flows.rollouts.ready_status',
      }),
    ]);
    const line = (await doctor(w, b, config)).find((l) => l.check === 'mapping at run time');
    expect(line?.ok).toBe(false);
    expect(line?.detail).toContain('no status "go-live ready"');
    expect(w.cu.state.webhooks.size).toBe(0);
  });
});
