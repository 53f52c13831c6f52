import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { startBridgeProcess, type BridgeProcess } from '../helpers/bridgeProcess.ts';
import { startKillingProxy, type KillingProxy } from '../helpers/killingProxy.ts';
import { openStore } from '../../src/store/db.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { listAudit } from '../../src/store/ops/audit.ts';

let world: World | null = null;
let proc: BridgeProcess | null = null;
let proxy: KillingProxy | null = null;
afterEach(async () => {
  await proc?.stop().catch(() => undefined);
  await proxy?.close();
  await world?.close();
  world = null;
  proc = null;
  proxy = null;
});

function tasksFor(w: World, caseId: string) {
  return w.cu
    .tasks()
    .filter((t) => ((t as any).custom_fields ?? []).some((f: any) => f.name === 'TG case id' && f.value === caseId));
}

async function peekLink(url: string, caseId: string) {
  const s = await openStore(url);
  try {
    return await getLink(s.db, 'case', caseId);
  } finally {
    await s.close();
  }
}

describe('crash safety (kill -9)', () => {
  it('killed between "task created" and "link recorded", the restarted bridge still ends with one task', async () => {
    world = await createWorld();
    const w = world;
    let victim: BridgeProcess | null = null;
    proxy = await startKillingProxy(
      w.cu.origin,
      (m, p, s) => m === 'POST' && /\/v2\/list\/[^/]+\/task$/.test(p) && s === 200,
      () => victim?.child.kill('SIGKILL'),
    );
    const cfg = { ...w.config, clickup: { ...w.config.clickup, base_url: `${proxy.url}/api` } };
    victim = await startBridgeProcess(w.dir, cfg, w.secrets, 'victim');
    proc = victim;
    w.tg.setWebhookUrl(`${victim.url}/webhooks/tradinggrid`);

    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Crash window' });
    await eventually(
      'the kill',
      () => (proxy!.fired() === 1 && victim.child.exitCode !== null) || victim.child.signalCode !== null,
      20_000,
    );
    // The window was hit: ClickUp has the task, the bridge never recorded it.
    expect(tasksFor(w, c.id)).toHaveLength(1);
    expect(await peekLink(w.storeUrl, c.id)).toBeNull();

    const restarted = await startBridgeProcess(w.dir, w.config, w.secrets, 'restarted');
    proc = restarted;
    w.tg.setWebhookUrl(`${restarted.url}/webhooks/tradinggrid`);
    const link = await eventually('the link after restart', () => peekLink(w.storeUrl, c.id), 20_000);
    expect(tasksFor(w, c.id)).toHaveLength(1);
    expect(link.cuTaskId).toBe((tasksFor(w, c.id)[0] as any).id);
    const s = await openStore(w.storeUrl);
    try {
      expect((await listAudit(s.db, 'case', c.id)).map((a) => a.action)).toContain('task_found_after_retry');
    } finally {
      await s.close();
    }
  });

  it('an event accepted just before a kill -9 is processed after restart, once', async () => {
    world = await createWorld();
    const w = world;
    // No dispatching reaches ClickUp: the proxy kills the bridge at its first ClickUp call of any kind after start-up checks.
    let victim: BridgeProcess | null = null;
    let armed = false;
    proxy = await startKillingProxy(
      w.cu.origin,
      (m) => armed && m === 'POST',
      () => victim?.child.kill('SIGKILL'),
    );
    const cfg = { ...w.config, clickup: { ...w.config.clickup, base_url: `${proxy.url}/api` } };
    victim = await startBridgeProcess(w.dir, cfg, w.secrets, 'victim2');
    proc = victim;
    armed = true;
    w.tg.setWebhookUrl(`${victim.url}/webhooks/tradinggrid`);
    const cases = await Promise.all(
      [1, 2, 3].map((i) =>
        w.tg.raiseCase({ partnerId: 'P-GLOBEX', kind: 'shipment_exception', title: `Accepted ${i}` }),
      ),
    );
    await eventually('the kill', () => victim.child.signalCode !== null, 20_000);
    const restarted = await startBridgeProcess(w.dir, w.config, w.secrets, 'restarted2');
    proc = restarted;
    w.tg.setWebhookUrl(`${restarted.url}/webhooks/tradinggrid`);
    for (const c of cases) await eventually(`the link of ${c.id}`, () => peekLink(w.storeUrl, c.id), 20_000);
    for (const c of cases) expect(tasksFor(w, c.id)).toHaveLength(1);
  });
});
