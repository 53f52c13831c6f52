import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, settle, type World } from '../helpers/world.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { getCase } from '../../src/store/ops/cases.ts';
import { listAudit } from '../../src/store/ops/audit.ts';
import { listCaseTimeline } from '../../src/store/ops/timeline.ts';
import { sandboxMapping } from '../../src/cli/demo/sandboxMapping.ts';
import { signTgEvent } from '../../bench/signedEvents.ts';
import { startTestSmtp, type TestSmtp } from '../helpers/smtpServer.ts';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const HOUR = 3_600_000;
const PUT_TASK = 'PUT /api/v2/task/{task_id}';
const SET_FIELD = 'POST /api/v2/task/{task_id}/field/{field_id}';
const TG_FIELDS = 'POST /cases/{id}/fields';

/** The sandbox mapping with the transaction value mapped both ways (ClickUp edits of "Value" reach the partner). */
function valueBothWays() {
  const m = sandboxMapping();
  return {
    mapping: {
      ...m,
      fields: m.fields.map((f) => (f.tradinggrid === 'value' ? { ...f, direction: 'both', owner: 'clickup' } : f)),
    },
    sharing: { cases: { fields: ['status', 'value'] } },
  };
}

async function openCase(w: World) {
  const b = w.bridge ?? (await w.startBridge());
  const c = await w.tg.raiseCase({
    partnerId: 'P-GLOBEX',
    kind: 'dispute',
    title: 'Short shipment',
    value: { amount: 120, currency: 'USD' },
  });
  const link = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
  await eventually('received on the partner side', () => w.tg.state().cases.get(c.id)?.status === 'received');
  await settle(w);
  return { b, c, taskId: link.cuTaskId };
}

const cuRoute = (w: World, route: string) => w.cu.stats().requests[route] ?? 0;
const tgRoute = (w: World, route: string) => w.tg.stats().requests[route] ?? 0;
const task = (w: World, id: string) => w.cu.tasks().find((t) => t.id === id) as any;
const valueOf = (t: any) => Number(t.custom_fields.find((f: any) => f.name === 'Value')?.value);
/** The Trading Grid sandbox stops delivering: the test posts the partner's events itself, when it chooses. */
function holdPartnerEvents(w: World) {
  w.tg.setWebhookUrl(undefined);
  let n = 0;
  return async (caseId: string, data: Record<string, unknown>) => {
    const s = signTgEvent(
      {
        id: `evt-held-${++n}`,
        type: 'case.updated',
        occurred_at: new Date().toISOString(),
        data: { id: caseId, partner_id: 'P-GLOBEX', side: 'partner', ...data },
      },
      w.tg.webhookSecret,
    );
    const res = await fetch(`${w.bridge!.url}/webhooks/tradinggrid`, {
      method: 'POST',
      headers: s.headers,
      body: s.body,
    });
    expect(res.status).toBe(202);
  };
}

/** No job left to run and no ClickUp delivery in flight (settle() would wait for Trading Grid deliveries held here). */
async function quiet(w: World) {
  await w.cu.webhooksSettled();
  await eventually('an idle queue', async () => {
    const busy = await w
      .bridge!.store.db.selectFrom('jobs')
      .select('id')
      .where('state', 'in', ['ready', 'running'])
      .execute();
    return busy.length === 0 && w.bridge!.dispatcher.inFlightCount === 0;
  });
  await w.cu.webhooksSettled();
}

const audits = async (w: World, caseId: string, action: string) =>
  (await listAudit(w.bridge!.store.db, 'case', caseId))
    .filter((a) => a.action === action)
    .map((a) => JSON.parse(a.after!));

describe('partner edits of a linked case reach its task', () => {
  it('a new title and value update the task once (name, priority in one update, the value field), and the echo costs nothing', async () => {
    world = await createWorld();
    const w = world;
    const { c, taskId } = await openCase(w);
    expect(valueOf(task(w, taskId))).toBe(120);
    const put = cuRoute(w, PUT_TASK);
    const field = cuRoute(w, SET_FIELD);
    await w.tg.editCase(c.id, { title: 'Short shipment (2 pallets)', value: { amount: 60_000, currency: 'USD' } });
    await eventually('the value on the task', () => valueOf(task(w, taskId)) === 60_000);
    await settle(w);
    const t = task(w, taskId);
    expect(t.name).toBe('[Globex Logistics] Dispute: Short shipment (2 pallets)');
    // 60 000 is a large amount: the priority decision raises the task to high.
    expect(t.priority?.priority).toBe('high');
    expect(cuRoute(w, PUT_TASK) - put).toBe(1);
    expect(cuRoute(w, SET_FIELD) - field).toBe(1);
    // Our own writes came back as ClickUp webhooks: nothing went to the partner, nothing was written again.
    expect(tgRoute(w, TG_FIELDS)).toBe(0);
    expect(await audits(w, c.id, 'fields_to_clickup')).toHaveLength(1);
    expect(await audits(w, c.id, 'field_not_sent')).toEqual([]);
  });
});

describe('a partner reclassifies its case', () => {
  it('a new kind renames the task and sets its issue type, in one update and one field call', async () => {
    world = await createWorld();
    const w = world;
    const { c, taskId } = await openCase(w);
    const put = cuRoute(w, PUT_TASK);
    const field = cuRoute(w, SET_FIELD);
    await w.tg.editCase(c.id, { kind: 'shipment_exception' });
    await eventually('the task renamed', () => task(w, taskId).name.includes('Shipment exception'));
    await settle(w);
    const t = task(w, taskId);
    expect(t.name).toBe('[Globex Logistics] Shipment exception: Short shipment');
    const issue = t.custom_fields.find((f: any) => f.name === 'Issue type');
    expect(issue.type_config.options.find((o: any) => o.orderindex === issue.value || o.id === issue.value)?.name).toBe(
      'shipment exception',
    );
    expect(cuRoute(w, PUT_TASK) - put).toBe(1);
    expect(cuRoute(w, SET_FIELD) - field).toBe(1);
    // The SLA follows the new kind (24 hours for a shipment exception, 72 for a dispute), counted from the
    // case's opening, in that same task update; the case record carries it too.
    const opened = Date.parse(w.tg.state().cases.get(c.id)!.opened_at);
    expect(Number(t.due_date)).toBe(opened + 24 * HOUR);
    expect((await getCase(w.bridge!.store.db, c.id))?.slaDueAt).toBe(opened + 24 * HOUR);
  });

  it('a person who moved the due date after the partner reclassified the case keeps it; the conflict is audited', async () => {
    world = await createWorld();
    const w = world;
    const { b, c, taskId } = await openCase(w);
    // Sweep slots in the past: each runs at once, as the scheduler's catch-up would.
    let slot = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const sweep = async () => {
      slot += 60_000;
      await b.scheduler.enqueueSlot({ kind: 'sla.sweep', cron: '* * * * *' }, slot);
      await quiet(w);
    };
    await sweep();
    const post = holdPartnerEvents(w);
    await w.tg.editCase(c.id, { kind: 'shipment_exception' });
    // The person's change is later than the partner's, by the clock (the same millisecond would be a tie).
    const edited = Date.parse(w.tg.state().cases.get(c.id)!.updated_at);
    await eventually('a later millisecond', () => Date.now() > edited);
    const mine = Date.now() + 240 * HOUR;
    w.cu.editTask(taskId, { due_date: mine, due_date_time: true }, 'ana.ops@gridbridge.example');
    await w.cu.webhooksSettled();
    await quiet(w);
    // The partner's older edit arrives now.
    await post(c.id, { status: 'received', changed: ['kind'] });
    await eventually('the task renamed', () => task(w, taskId).name.includes('Shipment exception'));
    await quiet(w);
    expect(Number(task(w, taskId).due_date)).toBe(mine);
    expect(await audits(w, c.id, 'field_conflict')).toEqual([
      { field: 'task due date', winner: 'clickup', resolved: 'newer wins' },
    ]);
    // The SLA sweep knows the new policy's date was decided: it does not write it over the person's either.
    await sweep();
    expect(Number(task(w, taskId).due_date)).toBe(mine);
    expect(await audits(w, c.id, 'sla_due_date')).toEqual([]);
    const opened = Date.parse(w.tg.state().cases.get(c.id)!.opened_at);
    expect((await getCase(b.store.db, c.id))?.slaDueAt).toBe(opened + 24 * HOUR);
  });

  it('a new value alone leaves the due date where it is', async () => {
    world = await createWorld();
    const w = world;
    const { c, taskId } = await openCase(w);
    const due = task(w, taskId).due_date;
    await w.tg.editCase(c.id, { value: { amount: 60_000, currency: 'USD' } });
    await eventually('the value on the task', () => valueOf(task(w, taskId)) === 60_000);
    await settle(w);
    expect(task(w, taskId).due_date).toBe(due);
    expect(task(w, taskId).priority?.priority).toBe('high');
  });
});

describe('a task field deleted in ClickUp', () => {
  it('a partner edit still renames the task; the deleted field is audited as skipped, nothing dead-letters', async () => {
    world = await createWorld();
    const w = world;
    const { b, c, taskId } = await openCase(w);
    w.cu.deleteField(w.cu.lists.cases, 'Issue type');
    await w.tg.editCase(c.id, { kind: 'shipment_exception' });
    await eventually('the task renamed', () => task(w, taskId).name.includes('Shipment exception'));
    await settle(w);
    const [audit] = await audits(w, c.id, 'fields_to_clickup');
    expect(audit.skipped).toEqual([expect.stringMatching(/^Issue type: /)]);
    expect(await b.store.db.selectFrom('jobs').select('kind').where('state', '=', 'dead').execute()).toEqual([]);
  });
});

describe('ClickUp edits of mapped fields reach Trading Grid per the direction', () => {
  it('a field mapped both ways: the edit is one Trading Grid call, audited with its mapping, and its echo does not write the value back (only the description table follows)', async () => {
    world = await createWorld({ extra: valueBothWays() });
    const w = world;
    const { c, taskId } = await openCase(w);
    const put = cuRoute(w, PUT_TASK);
    const field = cuRoute(w, SET_FIELD);
    w.cu.setField(taskId, 'Value', 250, 'ana.ops@gridbridge.example');
    await eventually('the value on the partner side', () => w.tg.state().cases.get(c.id)?.value?.amount === 250);
    await settle(w);
    expect(w.tg.state().cases.get(c.id)?.value).toEqual({ amount: 250, currency: 'USD' });
    expect(tgRoute(w, TG_FIELDS)).toBe(1);
    expect(await audits(w, c.id, 'field_to_partner')).toEqual([
      { field: 'value', value: 250, rule: 'mapping.fields: value (direction both); sharing.cases.fields: value' },
    ]);
    // The case's timeline shows it as a write the partner sees, with the mapping that let it through.
    const sent = (await listCaseTimeline(w.bridge!.store.db, c.id)).filter((e) => e.kind === 'sent_to_partner');
    expect(sent.map((e) => e.detail)).toContainEqual(
      expect.stringMatching(
        /^field_to_partner by gridbridge — allowed by mapping\.fields: value \(direction both\); sharing\.cases\.fields: value/,
      ),
    );
    // Trading Grid's case.updated for our write: the value field already holds it (not written again); only the
    // description, whose table shows the value, follows the case.
    expect(cuRoute(w, SET_FIELD) - field).toBe(0);
    expect(cuRoute(w, PUT_TASK) - put).toBe(1);
    expect((await audits(w, c.id, 'fields_to_clickup')).map((a) => a.fields)).toEqual([['task description']]);
    expect(task(w, taskId).description).toContain('250.00 USD');
  });

  it('a field mapped both ways that sharing.cases.fields does not list: the edit stays in ClickUp and the audit says why', async () => {
    const extra = valueBothWays();
    world = await createWorld({ extra: { ...extra, sharing: { cases: { fields: ['status'] } } } });
    const w = world;
    const { c, taskId } = await openCase(w);
    w.cu.setField(taskId, 'Value', 250, 'ana.ops@gridbridge.example');
    await eventually('the audit', async () => (await audits(w, c.id, 'field_not_sent')).length === 1);
    await settle(w);
    expect(await audits(w, c.id, 'field_not_sent')).toEqual([
      { field: 'value (mapping.fields)', reason: 'sharing.cases.fields does not list value' },
    ]);
    expect(tgRoute(w, TG_FIELDS)).toBe(0);
    expect(w.tg.state().cases.get(c.id)?.value?.amount).toBe(120);
  });

  it('a field mapped to ClickUp only: the edit stays in ClickUp and the audit says why', async () => {
    world = await createWorld();
    const w = world;
    const { c, taskId } = await openCase(w);
    w.cu.setField(taskId, 'Value', 250, 'ana.ops@gridbridge.example');
    await eventually('the audit', async () => (await audits(w, c.id, 'field_not_sent')).length === 1);
    await settle(w);
    expect(await audits(w, c.id, 'field_not_sent')).toEqual([
      {
        field: 'value (mapping.fields)',
        reason: 'the mapping goes Trading Grid → ClickUp only (direction to_clickup): an edit in ClickUp stays there',
      },
    ]);
    expect(tgRoute(w, TG_FIELDS)).toBe(0);
    expect(w.tg.state().cases.get(c.id)?.value?.amount).toBe(120);
  });
});

/** The sandbox mapping with the case title ↔ task name and description ↔ task description in `direction`. */
function nameAndDescription(direction: 'both' | 'to_clickup') {
  const m = sandboxMapping();
  return {
    mapping: {
      ...m,
      fields: [
        ...m.fields,
        { tradinggrid: 'title', clickup: 'name', direction, owner: 'clickup' },
        { tradinggrid: 'description', clickup: 'description', direction, owner: 'clickup' },
      ],
    },
    sharing: { cases: { fields: ['status', 'title', 'description'] } },
  };
}

describe('ClickUp edits of the task name and description', () => {
  it('mapped both ways: the title (after the bridge prefix) and the text above the bridge table go to the partner, once each, and nothing comes back', async () => {
    world = await createWorld({ extra: nameAndDescription('both') });
    const w = world;
    const { c, taskId } = await openCase(w);
    const put = cuRoute(w, PUT_TASK);
    w.cu.editTask(
      taskId,
      { name: '[Globex Logistics] Dispute: Short shipment, 3 pallets' },
      'ana.ops@gridbridge.example',
    );
    await eventually(
      'the title on the partner side',
      () => w.tg.state().cases.get(c.id)?.title === 'Short shipment, 3 pallets',
    );
    await settle(w);
    const table = String(task(w, taskId).description).slice(String(task(w, taskId).description).indexOf('\n|'));
    expect(table.startsWith('\n|')).toBe(true);
    w.cu.editTask(
      taskId,
      { markdown_content: `Two pallets missing, seal intact.\n${table}` },
      'ana.ops@gridbridge.example',
    );
    await eventually(
      'the description on the partner side',
      () => w.tg.state().cases.get(c.id)?.description === 'Two pallets missing, seal intact.',
    );
    await settle(w);
    expect(tgRoute(w, TG_FIELDS)).toBe(2);
    expect(await audits(w, c.id, 'field_to_partner')).toEqual([
      {
        field: 'title',
        value: 'Short shipment, 3 pallets',
        rule: 'mapping.fields: title ↔ name (direction both); sharing.cases.fields: title',
      },
      {
        field: 'description',
        value: 'Two pallets missing, seal intact.',
        rule: 'mapping.fields: description ↔ description (direction both); sharing.cases.fields: description',
      },
    ]);
    // The partner's case.updated for each write is an echo: the task is not written again.
    expect(cuRoute(w, PUT_TASK) - put).toBe(0);
    expect(task(w, taskId).name).toBe('[Globex Logistics] Dispute: Short shipment, 3 pallets');
  });

  it('mapped to ClickUp only: a rename stays in ClickUp and the audit says why', async () => {
    world = await createWorld({ extra: nameAndDescription('to_clickup') });
    const w = world;
    const { c, taskId } = await openCase(w);
    w.cu.editTask(
      taskId,
      { name: '[Globex Logistics] Dispute: Short shipment, 3 pallets' },
      'ana.ops@gridbridge.example',
    );
    await eventually('the audit', async () => (await audits(w, c.id, 'field_not_sent')).length === 1);
    await settle(w);
    expect(await audits(w, c.id, 'field_not_sent')).toEqual([
      {
        field: 'title ↔ name (mapping.fields)',
        reason: 'the mapping goes Trading Grid → ClickUp only (direction to_clickup): an edit in ClickUp stays there',
      },
    ]);
    expect(tgRoute(w, TG_FIELDS)).toBe(0);
    expect(w.tg.state().cases.get(c.id)?.title).toBe('Short shipment');
  });

  it('mapped both ways, a partner edit of the value still rewrites the table below the text', async () => {
    world = await createWorld({ extra: nameAndDescription('both') });
    const w = world;
    const { c, taskId } = await openCase(w);
    await w.tg.editCase(c.id, { value: { amount: 300, currency: 'USD' } });
    await eventually('the table', () => String(task(w, taskId).description).includes('300.00 USD'));
    await settle(w);
    expect(tgRoute(w, TG_FIELDS)).toBe(0);
  });
});

describe('a partner reached by e-mail only', () => {
  let smtp: TestSmtp | null = null;
  afterEach(async () => {
    await smtp?.close();
    smtp = null;
  });

  it('a ClickUp edit of a field mapped both ways is not sent to it: the audit says why, nothing fails', async () => {
    smtp = await startTestSmtp({ user: 'bridge', password: 'smtp-pass' });
    process.env['GRIDBRIDGE_TEST_SMTP_PASSWORD'] = 'smtp-pass';
    world = await createWorld({
      extra: {
        ...valueBothWays(),
        partner_channel: {
          partners: {
            'P-GLOBEX': {
              channels: ['email'],
              contacts: [{ name: 'Gus Ops', email: 'gus@globex.example', role: 'operations' }],
            },
          },
          roles: { operations: ['case_status', 'case_comment'] },
          smtp: {
            host: '127.0.0.1',
            port: smtp.port,
            security: 'none',
            user: 'bridge',
            password: { env: 'GRIDBRIDGE_TEST_SMTP_PASSWORD' },
            from: 'Gridbridge Partner Desk <partners@bridge.example>',
            timeout_ms: 3000,
          },
        },
      },
    });
    const w = world;
    const b = await w.startBridge();
    const c = await w.tg.raiseCase({
      partnerId: 'P-GLOBEX',
      kind: 'dispute',
      title: 'Short shipment',
      value: { amount: 120, currency: 'USD' },
    });
    const link = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
    await settle(w);
    w.cu.setField(link.cuTaskId, 'Value', 250, 'ana.ops@gridbridge.example');
    await eventually('the audit', async () => (await audits(w, c.id, 'field_not_sent')).length === 1);
    await settle(w);
    expect(await audits(w, c.id, 'field_not_sent')).toEqual([
      {
        field: 'value',
        value: 250,
        rule: 'mapping.fields: value (direction both); sharing.cases.fields: value',
        reason:
          'partner P-GLOBEX is reached by email: case field edits travel only over the Trading Grid community API',
      },
    ]);
    expect(tgRoute(w, TG_FIELDS)).toBe(0);
    expect(w.tg.state().cases.get(c.id)?.value?.amount).toBe(120);
    const dead = await b.store.db.selectFrom('jobs').select('kind').where('state', '=', 'dead').execute();
    expect(dead).toEqual([]);
  });
});

describe('both sides edit the same field', () => {
  it('the newer edit wins: a partner edit after a ClickUp edit overwrites it, and the conflict is audited', async () => {
    world = await createWorld();
    const w = world;
    const { c, taskId } = await openCase(w);
    w.cu.setField(taskId, 'Value', 250, 'ana.ops@gridbridge.example');
    await eventually('the ClickUp edit seen', async () => (await audits(w, c.id, 'field_not_sent')).length === 1);
    await settle(w);
    await w.tg.editCase(c.id, { value: { amount: 300, currency: 'USD' } });
    await eventually('the partner value on the task', () => valueOf(task(w, taskId)) === 300);
    await settle(w);
    expect(await audits(w, c.id, 'field_conflict')).toEqual([
      { field: 'value (mapping.fields)', winner: 'tradinggrid', resolved: 'newer wins' },
    ]);
  });

  it('the newer edit wins: a ClickUp edit made after the partner edit, but seen before it, is not overwritten', async () => {
    world = await createWorld();
    const w = world;
    const { c, taskId } = await openCase(w);
    const post = holdPartnerEvents(w);
    await w.tg.editCase(c.id, { value: { amount: 300, currency: 'USD' } });
    w.cu.setField(taskId, 'Value', 250, 'ana.ops@gridbridge.example');
    await eventually('the ClickUp edit seen', async () => (await audits(w, c.id, 'field_not_sent')).length === 1);
    await quiet(w);
    const put = cuRoute(w, PUT_TASK);
    const field = cuRoute(w, SET_FIELD);
    // The partner's older edit arrives now.
    await post(c.id, { status: 'received', changed: ['value'] });
    await eventually('the conflict audited', async () => (await audits(w, c.id, 'field_conflict')).length === 1);
    await quiet(w);
    expect(await audits(w, c.id, 'field_conflict')).toEqual([
      { field: 'value (mapping.fields)', winner: 'clickup', resolved: 'newer wins' },
    ]);
    expect(valueOf(task(w, taskId))).toBe(250);
    expect(cuRoute(w, SET_FIELD) - field).toBe(0);
    // The description's table follows the case's new value (a field no person edited).
    expect(cuRoute(w, PUT_TASK) - put).toBe(1);
  });
});

describe('a partner event that names the status with other fields', () => {
  it('moves the task and renames it, both from the one event', async () => {
    world = await createWorld();
    const w = world;
    const { c, taskId } = await openCase(w);
    const post = holdPartnerEvents(w);
    await w.tg.editCase(c.id, { title: 'Short shipment, carrier claim' });
    await post(c.id, { status: 'awaiting_documents', changed: ['status', 'title'] });
    await eventually('the task moved', () => task(w, taskId).status?.status === 'awaiting documents');
    await eventually('the task renamed', () => task(w, taskId).name.endsWith('Short shipment, carrier claim'));
    await quiet(w);
    expect(task(w, taskId).name).toBe('[Globex Logistics] Dispute: Short shipment, carrier claim');
  });
});
