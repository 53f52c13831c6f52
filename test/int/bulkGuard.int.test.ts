import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { createWorld, eventually, settle, type World } from '../helpers/world.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { listAudit } from '../../src/store/ops/audit.ts';
import { settleHeldChanges } from '../../src/sync/partnerGuard.ts';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const ADMIN = 'bulk-guard-admin-token';
const auth = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };

describe('bulk-change guard', () => {
  it('one person moving 8 tasks to resolved past a limit of 5: 5 reach the partner, 3 are held (console API, /metrics, log) until an admin releases or drops them', async () => {
    world = await createWorld({ extra: { guards: { bulk_changes: { max_changes: 5, window_minutes: 5 } } } });
    const w = world;
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } }));
    const b = await w.startBridge({ logger, admin: { tokens: [{ name: 'ops-lead', role: 'admin', token: ADMIN }], users: [] } });
    const cases: Array<{ id: string }> = [];
    for (let i = 0; i < 8; i++) cases.push(await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: `Mass move ${i}` }));
    const tasks: string[] = [];
    for (const c of cases) tasks.push((await eventually(`task of ${c.id}`, () => getLink(b.store.db, 'case', c.id))).cuTaskId);
    await eventually('all received', () => cases.every((c) => w.tg.state().cases.get(c.id)?.status === 'received'));
    await settle(w);

    // The scripted mistake: Ana moves every task to resolved, one after another.
    for (const t of tasks) w.cu.moveStatus(t, 'resolved', 'ana.ops@gridbridge.example');
    await settle(w);
    const resolved = () => cases.filter((c) => w.tg.state().cases.get(c.id)?.status === 'resolved').map((c) => c.id);
    expect(resolved()).toHaveLength(5);

    const held = (await (await fetch(`${b.url}/api/held-changes`, { headers: auth })).json()) as { held: Array<{ id: number; actor: string; caseId: string; summary: string }> };
    expect(held.held).toHaveLength(3);
    expect(new Set(held.held.map((x) => x.actor))).toEqual(new Set(['Ana Ops (81000002)']));
    expect(held.held.every((x) => x.summary === 'status → resolved')).toBe(true);
    expect((await (await fetch(`${b.url}/api/overview`, { headers: auth })).json() as { heldChanges: number }).heldChanges).toBe(3);
    expect(await (await fetch(`${b.url}/metrics`)).text()).toMatch(/gridbridge_partner_changes_held\{actor="Ana Ops \(81000002\)"\} 3/);
    expect(lines.some((l) => l.includes('bulk-change guard: 1 partner-visible change(s) by Ana Ops (81000002) held'))).toBe(true);
    expect((await listAudit(b.store.db, 'case', held.held[0]!.caseId)).map((a) => a.action)).toContain('held_bulk_change');

    const [first, second, third] = held.held;
    // The admin releases one in the console API; the partner gets it.
    const rel = await fetch(`${b.url}/api/held-changes/release`, { method: 'POST', headers: auth, body: JSON.stringify({ ids: [first!.id] }) });
    expect(await rel.json()).toEqual({ released: 1 });
    await eventually('the released one resolved', () => w.tg.state().cases.get(first!.caseId)?.status === 'resolved');
    // Someone moves one held task back to "in review" before the rest is released: its held "resolved" is not sent late.
    w.cu.moveStatus(tasks[cases.findIndex((c) => c.id === second!.caseId)]!, 'in review', 'dora.manager@gridbridge.example');
    await settle(w);
    expect(w.tg.state().cases.get(second!.caseId)?.status).toBe('in_review');
    expect(await settleHeldChanges(b.store.db, { ids: [second!.id] }, 'released', 'cli:ops', Date.now(), 10)).toBe(1);
    await settle(w);
    expect(w.tg.state().cases.get(second!.caseId)?.status).toBe('in_review');
    expect((await listAudit(b.store.db, 'case', second!.caseId)).map((a) => a.action)).toContain('held_change_superseded');
    // The last one is dropped (as `gridbridge held drop` does): the partner never sees it.
    expect(await settleHeldChanges(b.store.db, { actor: 'Ana Ops (81000002)' }, 'dropped', 'cli:ops', Date.now(), 10)).toBe(1);
    await settle(w);
    expect(w.tg.state().cases.get(third!.caseId)?.status).toBe('received');
    expect(resolved()).toHaveLength(6);
    expect((await (await fetch(`${b.url}/api/held-changes`, { headers: auth })).json() as { held: unknown[] }).held).toEqual([]);
    // Without an admin token nothing is released.
    expect((await fetch(`${b.url}/api/held-changes/release`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"all":true}' })).status).toBe(401);
  });
});
