import { afterEach, describe, expect, it } from 'vitest';
import type { ScheduledKind } from '../../src/sync/engineJobs.ts';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { signTgEvent } from '../../bench/signedEvents.ts';
import { getFlowRecord } from '../../src/store/ops/flowRecords.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { listDeadLetters } from '../../src/store/ops/replayDeadLetter.ts';
import { StartupError, type Bridge } from '../../src/server/bridge.ts';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

type Task = Record<string, any>;
const fieldsOf = (t: Task): Record<string, unknown> =>
  Object.fromEntries(((t.custom_fields ?? []) as any[]).map((f) => [f.name, f.value]));
const taskById = (w: World, id: string): Task | undefined => w.cu.tasks().find((t) => t.id === id);
const comments = (w: World, id: string): string[] => (w.cu.state.tasks.get(id)?.comments ?? []).map((c) => c.text);

async function quiet(w: World, b: Bridge): Promise<void> {
  await w.tg.idle();
  await w.cu.webhooksSettled();
  await eventually(
    'no job due',
    async () => {
      const n = await b.store.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('state', 'in', ['ready', 'running'])
        .where('run_at', '<=', Date.now() + 2500)
        .executeTakeFirst();
      return Number(n?.n ?? 0) === 0 && b.dispatcher.inFlightCount === 0;
    },
    20_000,
  );
  await w.cu.webhooksSettled();
}

async function postTg(b: Bridge, w: World, ev: unknown) {
  const signed = signTgEvent(ev as never, w.tg.webhookSecret);
  const r = await fetch(`${b.url}/webhooks/tradinggrid`, {
    method: 'POST',
    headers: signed.headers,
    body: signed.body,
  });
  return r.status;
}

async function linkedTask(b: Bridge, entity: string, id: string): Promise<string> {
  return (await eventually(`the task of ${entity} ${id}`, () => getLink(b.store.db, entity, id))).cuTaskId;
}

describe('flow 6: approvals both ways', () => {
  it("a request becomes one routed approval task; the decision and the approver's comments reach the partner once, even when webhooks repeat", async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    const r = await w.tg.requestApproval({
      partnerId: 'P-GLOBEX',
      kind: 'pricing_exception',
      summary: 'Hold Q3 price on SKU 4411',
      details: 'Fuel surcharge absorbed for one quarter.',
      value: { amount: 18_000, currency: 'USD' },
      documents: [
        { name: 'quote.pdf', kind: 'other', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 quote') },
      ],
    });
    const taskId = await linkedTask(b, 'approval', r.id);
    // The same event again (a CSV re-import or a redelivery) with a new event id changes nothing.
    const ev = w.tg.state().events.find((e) => e.type === 'request.created' && e.data.id === r.id)!;
    expect(await postTg(b, w, { ...ev, id: `${ev.id}-again` })).toBe(202);
    await quiet(w, b);
    const task = taskById(w, taskId)!;
    expect(task.name).toBe('[Globex Logistics] Approve pricing exception: Hold Q3 price on SKU 4411');
    expect(task.assignees.map((a: any) => a.id)).toEqual([81000005]);
    expect(Number(task.priority?.id)).toBe(2);
    expect(fieldsOf(task)['TG request id']).toBe(r.id);
    expect(fieldsOf(task)['Partner']).toBe('Globex Logistics');
    expect(task.attachments.map((a: any) => a.title)).toEqual(['other - quote.pdf']);
    expect(w.cu.tasks().filter((t) => fieldsOf(t as Task)['TG request id'] === r.id)).toHaveLength(1);

    // Every ClickUp delivery now arrives twice.
    w.cu.setFaults({ webhookDuplicateRate: 1 });
    // Before the sharing rules every comment on the task went to the partner with the decision.
    w.cu.postComment(
      taskId,
      'Margin is below floor, but Globex is strategic: approve quietly.',
      'dora.manager@gridbridge.example',
    );
    w.cu.postComment(
      taskId,
      '@partner Approved for Q3 only; back to list price in Q4.',
      'dora.manager@gridbridge.example',
    );
    // Files on the approval task: the internal one stays; the marked one has nowhere to go on a request (no documents there), and the task says so.
    w.cu.attachFile(
      taskId,
      { filename: 'internal-cost-model.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 cost model') },
      'dora.manager@gridbridge.example',
    );
    w.cu.attachFile(
      taskId,
      {
        filename: 'partner-price-letter.pdf',
        contentType: 'application/pdf',
        data: Buffer.from('%PDF-1.4 price letter'),
      },
      'dora.manager@gridbridge.example',
    );
    w.cu.moveStatus(taskId, 'approved', 'dora.manager@gridbridge.example');
    await quiet(w, b);
    const decided = w.tg.state().requests.get(r.id)!;
    expect(JSON.stringify(w.tg.state())).not.toMatch(/internal-cost-model|partner-price-letter/);
    const { listAudit: audits } = await import('../../src/store/ops/audit.ts');
    expect(
      (await audits(b.store.db, 'approval', r.id))
        .filter(
          (a) =>
            ['kept_internal', 'file_not_sent', 'document_to_partner'].includes(a.action) &&
            JSON.parse(a.after!).what !== 'comment',
        )
        .map((a) => [a.action, JSON.parse(a.after!).name]),
    ).toEqual([
      ['kept_internal', 'internal-cost-model.pdf'],
      ['file_not_sent', 'partner-price-letter.pdf'],
    ]);
    expect(comments(w, taskId).find((c) => c.startsWith('gridbridge: decision "approved"'))).toContain(
      'Not sent: partner-price-letter.pdf',
    );
    expect(decided.status).toBe('approved');
    expect(decided.decision?.comment).toBe('Dora Manager: Approved for Q3 only; back to list price in Q4.');
    expect(JSON.stringify(w.tg.state())).not.toContain('Margin is below floor');
    expect(decided.decision?.decided_by).toBe('Dora Manager');
    expect(w.tg.stats().requests['POST /requests/{id}/decision']).toBe(1);
    expect(comments(w, taskId).filter((c) => c.startsWith('gridbridge: decision "approved"'))).toHaveLength(1);
    expect(await listDeadLetters(b.store.db)).toEqual([]);

    // After the decision, comments follow the same rule: the marked one reaches the partner once, as a notice to it.
    w.cu.postComment(taskId, 'Note for finance: book it under Q3 exceptions.', 'dora.manager@gridbridge.example');
    w.cu.postComment(taskId, '@partner The Q3 price applies from PO 8812 on.', 'dora.manager@gridbridge.example');
    await quiet(w, b);
    const notices = [...w.tg.state().notices.values()].filter((n) => n.title === `Comment on your request ${r.id}`);
    expect(notices.map((n) => n.body.split('\n')[0])).toEqual(['Dora Manager: The Q3 price applies from PO 8812 on.']);
    expect(notices[0]!.audience).toEqual({ partner_ids: ['P-GLOBEX'] });
    expect(JSON.stringify(w.tg.state())).not.toContain('book it under Q3 exceptions');
    const { listAudit } = await import('../../src/store/ops/audit.ts');
    const audit = (await listAudit(b.store.db, 'approval', r.id))
      .filter((a) => a.action === 'decision_posted' || a.action === 'comment_after_decision_posted')
      .map((a) => [a.action, JSON.parse(a.after!).rule]);
    expect(audit).toEqual([
      ['decision_posted', 'the decision itself; comments: sharing.approvals.comments: starts with "@partner"'],
      ['comment_after_decision_posted', 'sharing.approvals.comments: starts with "@partner"'],
    ]);
  });

  it('a decision changed after posting goes to the partner as a revision, once', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    const r = await w.tg.requestApproval({
      partnerId: 'P-INITECH',
      kind: 'shipment_change',
      summary: 'Split PO 7781 into two deliveries',
    });
    const taskId = await linkedTask(b, 'approval', r.id);
    await quiet(w, b);
    expect(taskById(w, taskId)!.assignees.map((a: any) => a.id)).toEqual([81000002]);
    w.cu.moveStatus(taskId, 'approved');
    await quiet(w, b);
    expect(w.tg.state().requests.get(r.id)!.status).toBe('approved');
    w.cu.postComment(taskId, '@partner Warehouse cannot take the second truck; rejecting after all.');
    w.cu.moveStatus(taskId, 'rejected');
    await quiet(w, b);
    // The contract keeps the first decision; the revision is a notice addressed to the partner.
    expect(w.tg.state().requests.get(r.id)!.status).toBe('approved');
    const revisions = [...w.tg.state().notices.values()].filter(
      (n) => n.title.startsWith('Revised decision') && n.title.includes(`request ${r.id}`),
    );
    expect(revisions).toHaveLength(1);
    expect(revisions[0]!.title).toBe(`Revised decision on your request ${r.id}: rejected`);
    expect(revisions[0]!.body).toContain('from approved to rejected');
    // The marked comment, written after the first decision, reaches the partner exactly once: on its own or with the revision.
    const carrying = [...w.tg.state().notices.values()].filter((n) =>
      n.body.includes('Warehouse cannot take the second truck'),
    );
    expect(carrying).toHaveLength(1);
    expect(revisions[0]!.audience).toEqual({ partner_ids: ['P-INITECH'] });
    // Repeating the same webhook, or moving it to rejected again, posts nothing more.
    w.cu.setField(taskId, 'Decision', 'rejected');
    await quiet(w, b);
    expect(
      [...w.tg.state().notices.values()].filter(
        (n) => n.title.startsWith('Revised decision') && n.title.includes(`request ${r.id}`),
      ),
    ).toHaveLength(1);
    const rec = await getFlowRecord<any>(b.store.db, 'approval', r.id);
    expect(rec!.data.posted.map((p: any) => p.outcome)).toEqual(['approved', 'rejected']);
  });

  it('a request withdrawn by the partner closes the task, and a later decision is not sent', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    const r = await w.tg.requestApproval({
      partnerId: 'P-ACME',
      kind: 'document_correction',
      summary: 'Correct invoice INV-9 tax line',
    });
    const taskId = await linkedTask(b, 'approval', r.id);
    await quiet(w, b);
    await w.tg.withdrawRequest(r.id);
    // The contract has no event for a withdrawal: the sweep notices it.
    await b.scheduler.runNow({ kind: 'approvals.sweep', cron: '* * * * *' });
    b.dispatcher.wake();
    await eventually('the task closed', () => taskById(w, taskId)?.status?.status === 'withdrawn');
    await quiet(w, b);
    expect(comments(w, taskId).some((c) => c.includes('the partner withdrew'))).toBe(true);
    w.cu.moveStatus(taskId, 'approved');
    await quiet(w, b);
    expect(w.tg.stats().requests['POST /requests/{id}/decision'] ?? 0).toBe(0);
    expect((await getFlowRecord<any>(b.store.db, 'approval', r.id))!.data.state).toBe('withdrawn');
  });
});

describe('flow 4: partner onboarding and compliance', () => {
  const groupTasks = (w: World, groupId: string) =>
    w.cu
      .tasks()
      .filter((t) =>
        String(fieldsOf(t as Task)['Gridbridge key'] ?? '').startsWith(`onboarding:${groupId}:`),
      ) as Task[];

  it('a new partner gets one onboarding group with dependencies and checklists; a CSV re-import does not make a second; milestones move the partner to testing then active', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    const p = await w.tg.addPartner({ name: 'Nova Foods', tier: 'standard' });
    await eventually(
      'the group built',
      async () =>
        await b.store.db
          .selectFrom('audit_log')
          .select('id')
          .where('entity_id', '=', p.id)
          .where('action', '=', 'group_built')
          .executeTakeFirst(),
    );
    // The same partner arrives again (an Active Community CSV re-import replays trading_partner.created).
    const ev = w.tg.state().events.find((e) => e.type === 'trading_partner.created' && e.data.id === p.id)!;
    expect(await postTg(b, w, { ...ev, id: `accsv:${p.id}:reimport` })).toBe(202);
    await quiet(w, b);
    const tasks = groupTasks(w, p.id);
    expect(tasks).toHaveLength(7);
    const byKey = Object.fromEntries(tasks.map((t) => [String(fieldsOf(t)['Gridbridge key']).split(':').pop(), t]));
    expect(byKey.parent!.name).toBe('Onboarding: Nova Foods');
    expect(byKey.edi_setup!.parent).toBe(byKey.parent!.id);
    expect(byKey.edi_setup!.assignees.map((a: any) => a.id)).toEqual([81000004]);
    const waitsFor = (t: Task) => (t.dependencies as any[]).filter((d) => d.task_id === t.id).map((d) => d.depends_on);
    expect(waitsFor(byKey.edi_setup)).toEqual([byKey.contract_review!.id]);
    expect(waitsFor(byKey.test_file_exchanged)).toEqual([byKey.edi_setup!.id]);
    expect(waitsFor(byKey.production_cutover).sort()).toEqual(
      [byKey.ack_997_received!.id, byKey.master_data!.id].sort(),
    );
    expect(byKey.contract_review!.checklists[0].items.map((i: any) => i.name)).toEqual([
      'NDA signed',
      'Trading agreement signed',
    ]);
    expect(w.tg.state().partners.get(p.id)!.status).toBe('registering');

    w.cu.moveStatus(byKey.contract_review!.id, 'complete');
    w.cu.moveStatus(byKey.edi_setup!.id, 'complete');
    await quiet(w, b);
    expect(w.tg.state().partners.get(p.id)!.status).toBe('testing');
    for (const k of ['master_data', 'test_file_exchanged', 'ack_997_received', 'production_cutover'])
      w.cu.moveStatus(byKey[k]!.id, 'complete');
    await quiet(w, b);
    expect(w.tg.state().partners.get(p.id)!.status).toBe('active');
    expect(w.tg.stats().requests['POST /trading_partners/{id}/status']).toBe(3);
    expect(groupTasks(w, p.id)).toHaveLength(7);
    expect(await listDeadLetters(b.store.db)).toEqual([]);
  });

  it("an inactive partner pauses its onboarding (said on the group's task, milestones move nothing); reactivated, it resumes and the partner gets what the milestones earned", async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    const p = await w.tg.addPartner({ name: 'Dormant Foods', tier: 'standard' });
    await eventually(
      'the group built',
      async () =>
        await b.store.db
          .selectFrom('audit_log')
          .select('id')
          .where('entity_id', '=', p.id)
          .where('action', '=', 'group_built')
          .executeTakeFirst(),
    );
    await quiet(w, b);
    const byKey = Object.fromEntries(
      groupTasks(w, p.id).map((t) => [String(fieldsOf(t)['Gridbridge key']).split(':').pop(), t]),
    );
    const statusBefore = w.tg.state().partners.get(p.id)!.status;
    const setsBefore = w.tg.stats().requests['POST /trading_partners/{id}/status'] ?? 0;

    await w.tg.setPartnerStatus(p.id, 'inactive');
    await quiet(w, b);
    expect(comments(w, byKey.parent!.id).filter((c) => c.includes('onboarding paused'))).toHaveLength(1);
    // Closing the steps of the testing milestone while paused moves nothing on Trading Grid.
    w.cu.moveStatus(byKey.contract_review!.id, 'complete');
    w.cu.moveStatus(byKey.edi_setup!.id, 'complete');
    await quiet(w, b);
    expect(w.tg.state().partners.get(p.id)!.status).toBe('inactive');
    expect(w.tg.stats().requests['POST /trading_partners/{id}/status'] ?? 0).toBe(setsBefore);

    // Reactivated: resumed, and the partner moves to what the closed milestones earned.
    await w.tg.setPartnerStatus(p.id, statusBefore);
    await quiet(w, b);
    expect(comments(w, byKey.parent!.id).filter((c) => c.includes('onboarding resumed'))).toHaveLength(1);
    await eventually('testing after the resume', () => w.tg.state().partners.get(p.id)!.status === 'testing');
    const { listAudit } = await import('../../src/store/ops/audit.ts');
    expect(
      (await listAudit(b.store.db, 'onboarding', p.id)).map((a) => a.action).filter((a) => a.startsWith('onboarding_')),
    ).toEqual(['onboarding_started', 'onboarding_paused', 'onboarding_resumed']);
    expect(await listDeadLetters(b.store.db)).toEqual([]);
  });

  it("a strategic partner's group is made from the ClickUp template, reusing its subtasks; a compliance requirement gets its own group", async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    const p = await w.tg.addPartner({ name: 'Orbit Pharma', tier: 'strategic' });
    const cr = await w.tg.addComplianceRequirement({
      partnerId: 'P-GLOBEX',
      title: 'Conflict minerals declaration',
      category: 'sourcing',
      dueAt: '2030-06-30T00:00:00Z',
    });
    await eventually(
      'both groups built',
      async () =>
        (await b.store.db.selectFrom('audit_log').select('id').where('action', '=', 'group_built').execute()).length ===
        2,
    );
    await quiet(w, b);
    const parent = w.cu
      .tasks()
      .find((t) => fieldsOf(t as Task)['Gridbridge key'] === `onboarding:${p.id}:parent`) as Task;
    expect(parent.name).toBe('Onboarding (strategic): Orbit Pharma');
    expect(parent.checklists.map((c: any) => c.name)).toContain('Go-live');
    const subs = w.cu.tasks().filter((t) => (t as Task).parent === parent.id) as Task[];
    // Template subtasks with our step names are adopted (not doubled); its extra one stays.
    expect(subs.filter((s) => s.name === 'Contract review')).toHaveLength(1);
    expect(subs.map((s) => s.name).sort()).toEqual(
      [
        'Contract review',
        'EDI setup',
        'Master data validation',
        'Testing milestones',
        'Testing: 997 received',
        'Testing: production cut-over',
        'Testing: test file exchanged',
      ].sort(),
    );
    const compliance = groupTasks(w, `CR:${cr.id}`);
    expect(compliance.map((t) => t.name).sort()).toEqual(
      [
        'Collect evidence',
        'Compliance: Conflict minerals declaration (sourcing, due 2030-06-30) (Globex Logistics)',
        'Legal review of the requirement',
      ].sort(),
    );
    // A compliance group never changes the partner's status.
    expect(w.tg.state().partners.get('P-GLOBEX')!.status).toBe('active');
  });

  it('a ClickUp template named in the config that does not exist stops the start with a clear error', async () => {
    world = await createWorld();
    const w = world;
    (w.config.flows.onboarding!.groups.strategic as any).clickup_template = 'Partner onboarding v2';
    const e = await w.startBridge().catch((x) => x);
    expect(e).toBeInstanceOf(StartupError);
    expect(e.message).toContain(
      'flows.onboarding.groups.strategic.clickup_template: ClickUp has no task template named "Partner onboarding v2" (templates: Partner onboarding, Policy rollout)',
    );
  });
});

describe('flow 8: process change rollout', () => {
  it('a marker task publishes a notice, builds the plan, counts acknowledgements, reminds the silent partner, and gates go-live', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    const list = w.cu.lists.rollouts;
    const fieldId = (name: string) =>
      w.cu.state.lists.get(list)!.fieldIds.find((id) => w.cu.state.fields.get(id)!.name === name)!;
    const made = await fetch(`${w.cu.url}/v2/list/${list}/task`, {
      method: 'POST',
      headers: { authorization: w.cu.token, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'ASN required 2h before arrival',
        description: 'From 1 July every shipment needs an 856 two hours before arrival.',
        tags: ['rollout'],
        custom_fields: [{ id: fieldId('Audience'), value: 'all' }],
      }),
    });
    const marker = (await made.json()) as { id: string };
    // runNow takes the first free second: a scan already queued in this second (the minute's own) would
    // make enqueueSlot a no-op, and "a second scan starts nothing new" would then test nothing.
    const tick = async (kind: ScheduledKind, at = Date.now()) => {
      expect(await b.scheduler.runNow({ kind, cron: '* * * * *' }, at)).not.toBeNull();
      b.dispatcher.wake();
      await quiet(w, b);
    };
    await tick('rollouts.scan');
    await tick('rollouts.scan'); // a second scan starts nothing new
    const rec = (await getFlowRecord<any>(b.store.db, 'rollout', `cu:${marker.id}`))!;
    expect(rec.data.recipients.sort()).toEqual(['P-ACME', 'P-GLOBEX', 'P-INITECH', 'P-UMBRELLA']);
    const notices = [...w.tg.state().notices.values()].filter((n) => n.title === 'ASN required 2h before arrival');
    expect(notices).toHaveLength(1);
    const subs = w.cu.tasks().filter((t) => (t as Task).parent === marker.id) as Task[];
    expect(subs.map((s) => s.name.split(':')[0]).sort()).toEqual([
      'Documentation updates',
      'Go-live readiness',
      'Testing',
      'Training',
    ]);
    const step = (n: string) => subs.find((s) => s.name.startsWith(n))!;

    const noticeId = notices[0]!.id;
    await w.tg.acknowledgeNotice(noticeId, 'P-ACME');
    await w.tg.acknowledgeNotice(noticeId, 'P-GLOBEX');
    await quiet(w, b);
    let task = taskById(w, marker.id)!;
    expect(fieldsOf(task)).toMatchObject({
      'TG change id': noticeId,
      Acknowledgements: '2',
      'Partners affected': '4',
      'Acknowledged %': '50',
    }); // ClickUp answers number fields as strings
    const acks = task.checklists.find((c: any) => c.name === 'Partner acknowledgements');
    expect(acks.items.map((i: any) => [i.name, i.resolved])).toEqual(
      expect.arrayContaining([
        ['Acme Retail (P-ACME)', true],
        ['Globex Logistics (P-GLOBEX)', true],
        ['Initech Supply (P-INITECH)', false],
        ['Umbrella Foods (P-UMBRELLA)', false],
      ]),
    );

    // Go-live closed too early is put back, with the reasons.
    w.cu.moveStatus(step('Go-live readiness').id, 'live');
    await quiet(w, b);
    expect(taskById(w, step('Go-live readiness').id)!.status.status).toBe('in progress');
    expect(comments(w, step('Go-live readiness').id).join('\n')).toContain(
      'blocked: 2/4 partners acknowledged (50% < 75%)',
    );

    // Reminders go to the two silent partners, and not again within the interval.
    await tick('rollouts.remind');
    await tick('rollouts.remind', Date.now() + 60_000);
    const reminders = [...w.tg.state().notices.values()].filter((n) => n.title.startsWith('Reminder:'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.audience).toEqual({ partner_ids: ['P-INITECH', 'P-UMBRELLA'] });

    await w.tg.acknowledgeNotice(noticeId, 'P-INITECH');
    await quiet(w, b);
    expect(taskById(w, marker.id)!.status.status).toBe('planned'); // internal tasks still open
    for (const n of ['Training', 'Documentation updates', 'Testing']) w.cu.moveStatus(step(n).id, 'live');
    await quiet(w, b);
    task = taskById(w, marker.id)!;
    expect(task.status.status).toBe('go-live ready');
    expect(fieldsOf(task)['Acknowledged %']).toBe('75');
    // Umbrella never acknowledged: its item stays open.
    expect(
      task.checklists
        .find((c: any) => c.name === 'Partner acknowledgements')
        .items.find((i: any) => i.name.includes('P-UMBRELLA')).resolved,
    ).toBe(false);
    expect(await listDeadLetters(b.store.db)).toEqual([]);
  });
});
