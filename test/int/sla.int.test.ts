import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import type { Bridge } from '../../src/server/bridge.ts';
import { getCase, setCasePartnerStatus } from '../../src/store/ops/cases.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { listEscalations } from '../../src/store/ops/listEscalations.ts';
import { withSlaTables } from '../../src/store/slaTables.ts';
import { periodOf } from '../../src/core/metrics/period.ts';
import { buildReport } from '../../src/cli/commands/report.ts';
import { routingRulesSchema } from '../../src/flows/05-escalation/decisions/routing/routingRules.ts';
import { caseCategoriesSchema } from '../../src/flows/05-escalation/decisions/routing/caseCategories.ts';

/**
 * Flows 5 and 7 end to end against both sandboxes, with an injected clock: the bridge's `now` runs
 * `offset` ahead of real time, and sweeps are enqueued slot by slot as the scheduler would. The
 * sandbox config (src/cli/sandboxSla.ts): 24x7 UTC calendar, disputes 72 h, reminders at 50/75 %,
 * level 1 at breach (urgent, partner status escalated, own SLA 8 h), level 2 at 150 % to the head.
 */
const H = 3_600_000;
let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

interface Clocked {
  w: World;
  b: Bridge;
  advanceTo(hoursAfterStart: number): void;
  now(): number;
  sweep(): Promise<void>;
  settle(): Promise<void>;
}

async function start(): Promise<Clocked> {
  world = await createWorld();
  return startOnWorld(world);
}

/** The bridge on a world whose config a test may have changed first. */
async function startOnWorld(w: World): Promise<Clocked> {
  const t0 = Date.now();
  let offset = 0;
  const now = () => Date.now() + offset;
  const b = await w.startBridge({ now, manualDispatch: true });
  let slot = Math.floor(t0 / 1000) * 1000;
  let webhooks = true;
  const settle = async () => {
    if (webhooks) await w.tg.idle();
    await b.dispatcher.runUntilIdle();
  };
  return {
    w,
    b,
    now,
    advanceTo: (h) => {
      // From here on no Trading Grid webhook can be delivered (their signatures carry real time).
      w.tg.setWebhookUrl(undefined);
      webhooks = false;
      offset = Math.max(offset, t0 + h * H - Date.now());
    },
    settle,
    sweep: async () => {
      slot += 60_000;
      await b.scheduler.enqueueSlot({ kind: 'sla.sweep', cron: '* * * * *' }, slot);
      await settle();
    },
  };
}

async function caseTask(c: Clocked, caseId: string): Promise<Record<string, any>> {
  const link = await getLink(c.b.store.db, 'case', caseId);
  expect(link, `task of ${caseId}`).not.toBeNull();
  return c.w.cu.tasks().find((t) => (t as any).id === link!.cuTaskId) as Record<string, any>;
}

async function commentsOn(c: Clocked, taskId: string): Promise<string[]> {
  const r = await c.b.clickup.listComments(taskId);
  if (!r.ok) throw new Error(r.error.detail);
  return r.value.map((x) => x.comment_text);
}

async function slaRow(c: Clocked, caseId: string) {
  return withSlaTables(c.b.store.db)
    .selectFrom('case_sla')
    .selectAll()
    .where('case_id', '=', caseId)
    .executeTakeFirst();
}

const escalationTasks = (c: Clocked) =>
  c.w.cu.tasks().filter((t) => ((t as any).tags ?? []).some((g: any) => g.name === 'escalation')) as Array<
    Record<string, any>
  >;

async function member(c: Clocked, email: string): Promise<number> {
  const m = await c.b.clickup.listWorkspaceMembers();
  if (!m.ok) throw new Error(m.error.detail);
  return m.value.find((u) => u.email === email)!.id;
}

describe('flow 5: SLA sweep, reminders, pause, escalation ladder (injected clock)', () => {
  it('reminds once per threshold, pauses while awaiting documents, moves the due date, escalates up the ladder', async () => {
    const c = await start();
    const { w, b } = c;
    const raised = await w.tg.raiseCase({
      partnerId: 'P-ACME',
      kind: 'dispute',
      title: 'Short shipment on PO 4500077',
      value: { amount: 18_000, currency: 'USD' },
    });
    await c.settle();
    const task = await caseTask(c, raised.id);
    const opened = Date.parse(raised.opened_at);
    expect(Number(task.due_date)).toBe(opened + 72 * H);
    const ana = await member(c, 'ana.ops@gridbridge.example');
    const dora = await member(c, 'dora.manager@gridbridge.example');
    expect((await b.clickup.updateTask(task.id, { assignees: { add: [ana], rem: [] } })).ok).toBe(true);

    // 37 h of 72: past 50 % → one reminder mentioning the assignee; a second sweep adds nothing.
    c.advanceTo(37);
    await c.sweep();
    let comments = await commentsOn(c, task.id);
    expect(comments).toHaveLength(1);
    expect(comments[0]).toContain('@Ana Ops ');
    expect(comments[0]).toMatch(/SLA reminder: this case has used 51 % of its resolution time \(the 50 % mark\)/);
    expect(await slaRow(c, raised.id)).toMatchObject({ state: 'on_track', reminders: '[0.5]', escalation_level: 0 });
    await c.sweep();
    expect(await commentsOn(c, task.id)).toHaveLength(1);

    // The partner is asked for documents at 37 h and answers at 61 h: the clock stands still for 24 h.
    await setCasePartnerStatus(b.store.db, raised.id, 'awaiting_documents', c.now());
    c.advanceTo(61);
    await c.sweep();
    expect((await slaRow(c, raised.id))?.state).toBe('paused');
    expect(await commentsOn(c, task.id)).toHaveLength(1);
    expect(Number((await caseTask(c, raised.id)).due_date)).toBe(opened + 72 * H); // not chased while paused
    await setCasePartnerStatus(b.store.db, raised.id, 'in_review', c.now());
    await c.sweep();
    const moved = opened + 96 * H;
    expect(Math.abs(Number((await caseTask(c, raised.id)).due_date) - moved)).toBeLessThan(2_000);
    expect(Math.abs((await getCase(b.store.db, raised.id))!.slaDueAt! - moved)).toBeLessThan(2_000);
    expect(w.cu.stats().requests['PUT /api/v2/task/{task_id}']).toBeGreaterThanOrEqual(2); // assignee + due date

    // 81 h: 57 running hours (79 %) → the 75 % reminder, once.
    c.advanceTo(81);
    await c.sweep();
    await c.sweep();
    comments = await commentsOn(c, task.id);
    expect(comments).toHaveLength(2);
    expect(comments.filter((t) => t.includes('(the 75 % mark)'))).toHaveLength(1);
    expect((await slaRow(c, raised.id))?.state).toBe('at_risk');

    // 97 h: 73 running hours → breached: level 1, routed by the table (strategic → Dora), urgent, linked, partner told.
    c.advanceTo(97);
    await c.sweep();
    let esc = escalationTasks(c);
    expect(esc).toHaveLength(1);
    const l1 = esc[0]!;
    expect(l1.name).toBe('[Escalation L1] Acme Retail: Short shipment on PO 4500077');
    expect(Number(l1.priority?.id)).toBe(1);
    expect(l1.assignees.map((u: any) => u.id)).toEqual([dora]);
    expect(l1.linked_tasks.map((l: any) => l.link_id)).toEqual([task.id]);
    expect(Math.abs(Number(l1.due_date) - (c.now() + 8 * H))).toBeLessThan(60_000);
    expect(l1.markdown_description ?? l1.description).toMatch(/rules\[0\] "strategic partners": tier strategic/);
    expect(w.tg.state().cases.get(raised.id)?.status).toBe('escalated');
    expect((await getCase(b.store.db, raised.id))?.partnerStatus).toBe('escalated');
    expect(await slaRow(c, raised.id)).toMatchObject({
      state: 'breached',
      escalation_level: 1,
      escalation_task_id: l1.id,
    });
    await c.sweep();
    expect(escalationTasks(c)).toHaveLength(1);

    // 133 h: 109 running hours (151 %) → level 2 to the head of operations, linked to the case and level 1.
    c.advanceTo(133);
    await c.sweep();
    await c.sweep();
    esc = escalationTasks(c);
    expect(esc).toHaveLength(2);
    const l2 = esc.find((t) => t.name.startsWith('[Escalation L2]'))!;
    expect(l2.assignees.map((u: any) => u.id)).toEqual([dora]);
    expect(l2.linked_tasks.map((l: any) => l.link_id).sort()).toEqual([task.id, l1.id].sort());
    expect(l2.markdown_description ?? l2.description).toMatch(/escalation_levels\[1\]\.route_to/);
    const ladder = await listEscalations(b.store.db, raised.id);
    expect(ladder.map((r) => [r.level, r.task_id])).toEqual([
      [1, l1.id],
      [2, l2.id],
    ]);
    expect(w.cu.stats().requests['POST /api/v2/list/{list_id}/task']).toBe(3); // case + two rungs, never more
    expect(await commentsOn(c, task.id)).toHaveLength(2);
  }, 60_000);

  it('routes escalations by the table: EDI exceptions to IT, the rest to operations', async () => {
    const c = await start();
    const edi = await c.w.tg.raiseCase({ partnerId: 'P-GLOBEX', kind: 'edi_exception', title: '997 rejected for 856' });
    const ship = await c.w.tg.raiseCase({ partnerId: 'P-INITECH', kind: 'shipment_exception', title: 'Truck delayed' });
    await c.settle();
    c.advanceTo(11); // EDI (8 h) breached: level 1
    await c.sweep();
    c.advanceTo(25); // shipment (24 h) breached: level 1; EDI past 150 %: level 2
    await c.sweep();
    const chen = await member(c, 'chen.it@gridbridge.example');
    const ana = await member(c, 'ana.ops@gridbridge.example');
    const byCase = async (id: string) => {
      const link = await getLink(c.b.store.db, 'case', id);
      return escalationTasks(c).find(
        (t) => t.name.startsWith('[Escalation L1]') && t.linked_tasks.some((l: any) => l.link_id === link!.cuTaskId),
      )!;
    };
    expect((await byCase(edi.id)).assignees.map((u: any) => u.id)).toEqual([chen]);
    expect((await byCase(ship.id)).assignees.map((u: any) => u.id)).toEqual([ana]);
    expect((await listEscalations(c.b.store.db, edi.id))[0]).toMatchObject({
      manager: 'chen.it@gridbridge.example',
      rule_index: 1,
    });
    expect((await listEscalations(c.b.store.db, ship.id))[0]).toMatchObject({
      manager: 'ana.ops@gridbridge.example',
      rule_index: 2,
    });
  }, 60_000);
});

describe('flow 5: routing by transaction value and by category (through both sandboxes)', () => {
  it('a case at the value threshold escalates to the manager the value rule names; one below and a categorised one go elsewhere', async () => {
    world = await createWorld();
    // Before the bridge starts: the routing table of a customer who routes big money to the manager.
    world.config.routing = routingRulesSchema.parse([
      {
        name: 'high value',
        match: { value_min: 50_000, currency: 'USD' },
        route_to: { manager: 'dora.manager@gridbridge.example' },
      },
      {
        name: 'trade compliance',
        match: { category: ['customs'] },
        route_to: { manager: 'chen.it@gridbridge.example' },
      },
      { name: 'operations', route_to: { manager: 'ana.ops@gridbridge.example' } },
    ]);
    world.config.categories = caseCategoriesSchema.parse([
      { name: 'customs', match: { kind: ['compliance_issue'], document_type: ['export_declaration'] } },
    ]);
    const c = await startOnWorld(world);
    const big = await c.w.tg.raiseCase({
      partnerId: 'P-INITECH',
      kind: 'shipment_exception',
      title: 'Container held at port',
      value: { amount: 50_000, currency: 'USD' },
    });
    const small = await c.w.tg.raiseCase({
      partnerId: 'P-INITECH',
      kind: 'shipment_exception',
      title: 'Pallet damaged',
      value: { amount: 49_999.99, currency: 'USD' },
    });
    const customs = await c.w.tg.raiseCase({
      partnerId: 'P-GLOBEX',
      kind: 'compliance_issue',
      title: 'Export declaration missing',
      transactionRef: { business: { type: 'export_declaration', value: 'EXD-7' } },
    });
    await c.settle();
    c.advanceTo(25); // the shipment exceptions (24 h) breached: level 1, routed by the table
    await c.sweep();
    c.advanceTo(121); // the compliance issue (120 h) breached: level 1
    await c.sweep();
    const dora = await member(c, 'dora.manager@gridbridge.example');
    const ana = await member(c, 'ana.ops@gridbridge.example');
    const chen = await member(c, 'chen.it@gridbridge.example');
    const l1Of = async (id: string) => {
      const link = await getLink(c.b.store.db, 'case', id);
      const t = escalationTasks(c).filter(
        (x) => x.name.startsWith('[Escalation L1]') && x.linked_tasks.some((l: any) => l.link_id === link!.cuTaskId),
      );
      expect(t, `one level-1 escalation task for ${id}`).toHaveLength(1);
      return t[0]!;
    };
    const bigTask = await l1Of(big.id);
    expect(bigTask.assignees.map((u: any) => u.id)).toEqual([dora]);
    expect(bigTask.markdown_description ?? bigTask.description).toMatch(
      /rules\[0\] "high value": value 50000 USD in \[50000, ∞\)/,
    );
    expect((await l1Of(small.id)).assignees.map((u: any) => u.id)).toEqual([ana]);
    const customsTask = await l1Of(customs.id);
    expect(customsTask.assignees.map((u: any) => u.id)).toEqual([chen]);
    expect(customsTask.markdown_description ?? customsTask.description).toMatch(/category customs in \[customs\]/);
    expect((await listEscalations(c.b.store.db, big.id))[0]).toMatchObject({
      manager: 'dora.manager@gridbridge.example',
      rule_index: 0,
    });
    expect((await listEscalations(c.b.store.db, small.id))[0]).toMatchObject({
      manager: 'ana.ops@gridbridge.example',
      rule_index: 2,
    });
  }, 60_000);
});

describe('flow 7: scorecards pushed, /metrics, report', () => {
  it('pushes each mapped partner its scorecard, exposes the gauges and writes the CSV report', async () => {
    world = await createWorld();
    // A partner on EDI only (not on the community side) is mapped too: no scorecard is pushed for it.
    (world.config.partners.map as Record<string, object>)['P-WAYNE'] = { name: 'Wayne Fasteners', community: false };
    const c = await startOnWorld(world);
    const a = await c.w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Price dispute' });
    await c.w.tg.raiseCase({ partnerId: 'P-GLOBEX', kind: 'shipment_exception', title: 'Late truck' });
    await c.settle();
    await eventually(
      'both cases linked',
      async () =>
        (await c.b.store.db.selectFrom('links').select('entity_id').where('entity', '=', 'case').execute()).length ===
        2,
    );
    c.advanceTo(30);
    await setCasePartnerStatus(c.b.store.db, a.id, 'resolved', c.now()); // Acme's dispute resolved after 30 h, in time
    await c.sweep(); // Globex's 24 h shipment exception is now overdue

    await c.b.scheduler.runNow({ kind: 'metrics.push', cron: '0 * * * *' });
    await c.settle();
    const period = periodOf(c.now(), 'month', 'UTC').label;
    const pushed = c.w.tg.state().scorecards;
    expect(pushed.get('P-ACME')).toMatchObject({ period, open_cases: 0, overdue_tasks: 0, sla_met_pct: 100 });
    expect(pushed.get('P-ACME')!.avg_resolution_hours).toBeCloseTo(30, 0);
    expect(pushed.get('P-GLOBEX')).toMatchObject({ period, open_cases: 1, overdue_tasks: 1, avg_resolution_hours: 0 });
    expect(pushed.get('P-INITECH')).toMatchObject({ period, open_cases: 0, overdue_tasks: 0 }); // mapped, no cases: zeros
    const pushJobs = await c.b.store.db
      .selectFrom('jobs')
      .select('key')
      .where('kind', '=', 'metrics.push_partner')
      .execute();
    expect(pushJobs.map((j) => j.key).sort()).toEqual(
      ['P-ACME', 'P-GLOBEX', 'P-INITECH'].map((p) =>
        expect.stringMatching(new RegExp(`^metrics\\.push:${p}:${period}:\\d+$`)),
      ),
    );

    const text = await (await fetch(`${c.b.url}/metrics`)).text();
    expect(text).toContain('gridbridge_cases_sla{sla_state="breached"} 1');
    expect(text).toMatch(/gridbridge_jobs\{kind="metrics.push_partner",state="done"\} 3/);
    expect(text).toContain('gridbridge_dead_letters 0');
    expect(text).toMatch(/gridbridge_dispatcher_jobs_total\{outcome="done"\} \d+/);
    expect(text).toMatch(/gridbridge_clickup_ratelimit_issued_total\{token_name="default"\} \d+/);
    expect(text).toMatch(/gridbridge_cases\{state="active",partner_status="resolved"\} 1/);

    const csv = await buildReport(c.b.store.db, c.w.config, { partner: 'P-ACME', period, format: 'csv', now: c.now() });
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'partner_id,partner_name,period,resolved_cases,avg_resolution_hours,median_resolution_hours,p90_resolution_hours,open_cases,overdue_tasks,sla_met_pct',
    );
    expect(lines[1]).toMatch(
      new RegExp(`^P-ACME,Acme Retail,${period},1,30(\\.\\d+)?,30(\\.\\d+)?,30(\\.\\d+)?,0,0,100$`),
    );
  }, 60_000);
});
