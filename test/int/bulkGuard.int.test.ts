import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { createWorld, eventually, settle, type World } from '../helpers/world.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { listAudit } from '../../src/store/ops/audit.ts';
import { settleHeldChanges } from '../../src/flows/shared/partnerGuard.ts';
import { listHeldChanges } from '../../src/store/ops/partnerChanges.ts';

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
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );
    const b = await w.startBridge({
      logger,
      admin: { tokens: [{ name: 'ops-lead', role: 'admin', token: ADMIN }], users: [] },
    });
    const cases: Array<{ id: string }> = [];
    for (let i = 0; i < 8; i++)
      cases.push(await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: `Mass move ${i}` }));
    const tasks: string[] = [];
    for (const c of cases)
      tasks.push((await eventually(`task of ${c.id}`, () => getLink(b.store.db, 'case', c.id))).cuTaskId);
    await eventually('all received', () => cases.every((c) => w.tg.state().cases.get(c.id)?.status === 'received'));
    await settle(w);

    // The scripted mistake: Ana moves every task to resolved, one after another.
    for (const t of tasks) w.cu.moveStatus(t, 'resolved', 'ana.ops@gridbridge.example');
    await settle(w);
    const resolved = () => cases.filter((c) => w.tg.state().cases.get(c.id)?.status === 'resolved').map((c) => c.id);
    expect(resolved()).toHaveLength(5);

    const held = (await (await fetch(`${b.url}/api/held-changes`, { headers: auth })).json()) as {
      held: Array<{ id: number; actor: string; caseId: string; summary: string }>;
    };
    expect(held.held).toHaveLength(3);
    expect(new Set(held.held.map((x) => x.actor))).toEqual(new Set(['Ana Ops (81000002)']));
    expect(held.held.every((x) => x.summary === 'status → resolved')).toBe(true);
    expect(
      ((await (await fetch(`${b.url}/api/overview`, { headers: auth })).json()) as { heldChanges: number }).heldChanges,
    ).toBe(3);
    expect(await (await fetch(`${b.url}/metrics`)).text()).toMatch(
      /gridbridge_partner_changes_held\{actor="Ana Ops \(81000002\)"\} 3/,
    );
    expect(
      lines.some((l) => l.includes('bulk-change guard: 1 partner-visible change(s) by Ana Ops (81000002) held')),
    ).toBe(true);
    expect((await listAudit(b.store.db, 'case', held.held[0]!.caseId)).map((a) => a.action)).toContain(
      'held_bulk_change',
    );

    const [first, second, third] = held.held;
    // The admin releases one in the console API; the partner gets it.
    const rel = await fetch(`${b.url}/api/held-changes/release`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ ids: [first!.id] }),
    });
    expect(await rel.json()).toEqual({ released: 1 });
    await eventually('the released one resolved', () => w.tg.state().cases.get(first!.caseId)?.status === 'resolved');
    // Someone moves one held task back to "in review" before the rest is released: its held "resolved" is not sent late.
    w.cu.moveStatus(
      tasks[cases.findIndex((c) => c.id === second!.caseId)]!,
      'in review',
      'dora.manager@gridbridge.example',
    );
    await settle(w);
    expect(w.tg.state().cases.get(second!.caseId)?.status).toBe('in_review');
    expect(await settleHeldChanges(b.store.db, { ids: [second!.id] }, 'released', 'cli:ops', Date.now(), 10)).toBe(1);
    await settle(w);
    expect(w.tg.state().cases.get(second!.caseId)?.status).toBe('in_review');
    expect((await listAudit(b.store.db, 'case', second!.caseId)).map((a) => a.action)).toContain(
      'held_change_superseded',
    );
    // The last one is dropped (as `gridbridge held drop` does): the partner never sees it.
    expect(
      await settleHeldChanges(b.store.db, { actor: 'Ana Ops (81000002)' }, 'dropped', 'cli:ops', Date.now(), 10),
    ).toBe(1);
    await settle(w);
    expect(w.tg.state().cases.get(third!.caseId)?.status).toBe('received');
    expect(resolved()).toHaveLength(6);
    expect(
      ((await (await fetch(`${b.url}/api/held-changes`, { headers: auth })).json()) as { held: unknown[] }).held,
    ).toEqual([]);
    // Without an admin token nothing is released.
    expect(
      (
        await fetch(`${b.url}/api/held-changes/release`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"all":true}',
        })
      ).status,
    ).toBe(401);
  });
});

describe('bulk-change guard on the group flows', () => {
  it('approval decisions and comments after them by one person past the limit are held on the request until an admin releases them', async () => {
    world = await createWorld({ extra: { guards: { bulk_changes: { max_changes: 2, window_minutes: 5 } } } });
    const w = world;
    const b = await w.startBridge();
    const reqs: Array<{ id: string }> = [];
    for (let i = 0; i < 3; i++)
      reqs.push(
        await w.tg.requestApproval({
          partnerId: 'P-INITECH',
          kind: 'shipment_change',
          summary: `Split PO 77${i} into two deliveries`,
        }),
      );
    const tasks: string[] = [];
    for (const r of reqs)
      tasks.push((await eventually(`approval task of ${r.id}`, () => getLink(b.store.db, 'approval', r.id))).cuTaskId);
    await settle(w);

    for (const t of tasks) w.cu.moveStatus(t, 'approved', 'dora.manager@gridbridge.example');
    await settle(w);
    const decided = () => reqs.filter((r) => w.tg.state().requests.get(r.id)?.status === 'approved').map((r) => r.id);
    expect(decided()).toEqual([reqs[0]!.id, reqs[1]!.id]);
    // A comment for the partner after the decision is partner-visible too: past the limit, held.
    w.cu.postComment(
      tasks[0]!,
      '@partner The split applies from the next delivery on.',
      'dora.manager@gridbridge.example',
    );
    await settle(w);
    expect([...w.tg.state().notices.values()].filter((n) => n.title.startsWith('Comment on your request'))).toEqual([]);

    const list = await listHeldChanges(b.store.db);
    expect(list.map((h) => [h.actor, h.kind, h.summary])).toEqual([
      ['Dora Manager (81000005)', 'approval.post_decision', `decision on ${reqs[2]!.id} → approved`],
      [
        'Dora Manager (81000005)',
        'approval.post_comment',
        `comment on ${reqs[0]!.id}: The split applies from the next delivery on.`,
      ],
    ]);
    expect((await listAudit(b.store.db, 'approval', reqs[2]!.id)).map((a) => a.action)).toContain('held_bulk_change');

    expect(await settleHeldChanges(b.store.db, { all: true }, 'released', 'cli:ops', Date.now(), 10)).toBe(2);
    b.dispatcher.wake();
    await eventually('the held decision sent', () => w.tg.state().requests.get(reqs[2]!.id)?.status === 'approved');
    await eventually('the held comment sent', () =>
      [...w.tg.state().notices.values()].some((n) => n.title === `Comment on your request ${reqs[0]!.id}`),
    );
    expect((await listAudit(b.store.db, 'approval', reqs[2]!.id)).map((a) => a.action)).toContain(
      'held_change_released',
    );
  });
});
