import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, settle, type World } from '../helpers/world.ts';
import { signTgEvent } from '../../bench/signedEvents.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { listAudit } from '../../src/store/ops/audit.ts';
import { listDeadLetters } from '../../src/store/ops/replayDeadLetter.ts';
import { StartupError } from '../../src/server/bridge.ts';
import { sandboxMapping } from '../../src/cli/demo/sandboxMapping.ts';
import { fromClickUpFieldValue } from '../../src/flows/01-case-intake/mapping/customFieldValue.ts';
import { toTradingGridValue } from '../../src/flows/01-case-intake/mapping/values.ts';
import { toDefinition } from '../../src/flows/01-case-intake/mapping/runtime.ts';
import { describeEffectiveMapping } from '../../src/flows/01-case-intake/mapping/describe.ts';
import type { FieldMapping } from '../../src/flows/01-case-intake/mapping/types.ts';
import type { ClickUpSandbox } from '../../src/sandbox/clickup/server.ts';
import { formatOnlineReport, validateOnline } from '../../src/cli/commands/configOnline.ts';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const SET_STATUS = 'POST /cases/{id}/status';
const tgCalls = (w: World, route: string) => w.tg.stats().requests[route] ?? 0;
const taskOf = (w: World, id: string) => w.cu.tasks().find((t) => t.id === id) as any;

/** Adds one custom field of every type to the sandbox's case list (as a ClickUp admin would). */
function addFieldsOfEveryType(cu: ClickUpSandbox): void {
  const list = cu.state.lists.get(cu.lists.cases)!;
  const add = (name: string, type: string, options?: string[]) => {
    const id = randomUUID();
    cu.state.fields.set(id, {
      id,
      name,
      type,
      type_config: options
        ? { options: options.map((n, i) => ({ id: randomUUID(), name: n, color: null, orderindex: i })) }
        : {},
      date_created: String(Date.now()),
      hide_from_guests: false,
      required: false,
    });
    list.fieldIds.push(id);
  };
  add('Severity', 'drop_down', ['Low', 'High']);
  add('Topics', 'labels', ['Billing', 'Logistics', 'EDI']);
  add('Amount', 'number');
  add('Partner SLA', 'date');
  add('Strategic', 'checkbox');
  add('Portal', 'url');
  add('Contact', 'email');
  add('Subject', 'text');
  add('Partner visible', 'checkbox');
}

const m = (x: Partial<FieldMapping> & Pick<FieldMapping, 'tradinggrid' | 'clickup'>) => ({
  direction: 'to_clickup',
  ...x,
});
const everyType = [
  m({
    name: 'severity',
    tradinggrid: 'tier',
    clickup: { custom_field: 'Severity' },
    values: [
      { tradinggrid: ['strategic', 'preferred'], clickup: 'High' },
      { tradinggrid: 'standard', clickup: 'Low' },
    ],
  }),
  m({
    name: 'topics',
    tradinggrid: 'kind',
    clickup: { custom_field: 'Topics' },
    values: [
      { tradinggrid: 'dispute', clickup: 'Billing' },
      { tradinggrid: 'shipment_exception', clickup: 'Logistics' },
    ],
  }),
  m({ name: 'amount', tradinggrid: 'value', clickup: { custom_field: 'Amount' } }),
  m({ name: 'value', tradinggrid: 'value', clickup: { custom_field: 'Value' } }),
  m({ name: 'sla', tradinggrid: 'sla_due', clickup: { custom_field: 'Partner SLA' } }),
  m({
    name: 'strategic',
    tradinggrid: 'tier',
    clickup: { custom_field: 'Strategic' },
    values: [
      { tradinggrid: 'strategic', clickup: true },
      { tradinggrid: ['preferred', 'standard'], clickup: false },
    ],
  }),
  m({
    name: 'portal',
    tradinggrid: 'partner_id',
    clickup: { custom_field: 'Portal' },
    values: [{ tradinggrid: 'P-ACME', clickup: 'https://portal.acme.example/cases' }],
  }),
  m({
    name: 'contact',
    tradinggrid: 'partner_id',
    clickup: { custom_field: 'Contact' },
    values: [{ tradinggrid: 'P-ACME', clickup: 'dana.whitfield@acme.example' }],
  }),
  m({ name: 'subject', tradinggrid: 'title', clickup: { custom_field: 'Subject' } }),
];

function mappingWith(fields: unknown[], more: Record<string, unknown> = {}) {
  const base = sandboxMapping();
  return { ...base, fields: [base.fields[0], ...fields], field_definitions_ttl_seconds: 0, ...more };
}

async function worldWith(mapping: Record<string, unknown>, setup?: (cu: ClickUpSandbox) => void): Promise<World> {
  // The config is validated when the world is built, the lists are checked when the bridge starts.
  const w = await createWorld({ extra: { mapping } });
  setup?.(w.cu);
  return w;
}

describe('configured field mappings end to end', () => {
  it('each custom field type is written by option name / type on the new task and reads back to the Trading Grid value', async () => {
    world = await worldWith(mappingWith(everyType));
    const w = world;
    addFieldsOfEveryType(w.cu);
    const b = await w.startBridge();
    const c = await w.tg.raiseCase({
      partnerId: 'P-ACME',
      kind: 'dispute',
      title: 'Short-paid invoice',
      value: { amount: 48_250.75, currency: 'USD' },
    });
    const link = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
    const task = await b.clickup.getTask(link.cuTaskId);
    expect(task.ok).toBe(true);
    if (!task.ok) return;
    const byName = new Map((task.value.custom_fields ?? []).map((f) => [f.name, f]));
    const back = (name: string, mapping: FieldMapping) => {
      const f = byName.get(name)!;
      const v = fromClickUpFieldValue(toDefinition(f), f.value);
      expect(v.ok).toBe(true);
      const t = toTradingGridValue(mapping, v.ok ? v.value : null);
      return t.kind === 'value' ? t.value : t;
    };
    const byMapping = (n: string) => everyType.find((x) => x.name === n) as FieldMapping;
    const slaDue = (await b.store.db.selectFrom('cases').select('sla_due_at').where('id', '=', c.id).executeTakeFirst())
      ?.sla_due_at;
    expect(back('Severity', byMapping('severity'))).toBe('strategic');
    expect(back('Topics', byMapping('topics'))).toEqual(['dispute']);
    expect(back('Amount', byMapping('amount'))).toBe(48_250.75);
    expect(back('Value', byMapping('value'))).toBe(48_250.75);
    expect(back('Partner SLA', byMapping('sla'))).toBe(Number(slaDue));
    expect(back('Strategic', byMapping('strategic'))).toBe('strategic');
    expect(back('Portal', byMapping('portal'))).toBe('P-ACME');
    expect(back('Contact', byMapping('contact'))).toBe('P-ACME');
    expect(back('Subject', byMapping('subject'))).toBe('Short-paid invoice');
    // What ClickUp stores and shows: the option (by id when written, its index when read), not the label.
    expect(byName.get('Severity')!.value).not.toBe('High');
    // The demo's user map: strategic partner → "case-lead" → Dora; the audit names what was mapped.
    const dora = w.cu.state.users.find((u) => u.email === 'dora.manager@gridbridge.example')!;
    expect((task.value as any).assignees.map((a: any) => a.id)).toEqual([dora.id]);
    expect((await listAudit(b.store.db, 'case', c.id)).map((a) => a.action)).toContain('fields_mapped');
  });

  it('grouped ClickUp statuses ("qa", "in review") both reach the partner as in_review, and the way back picks the first', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Grouped' });
    const link = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
    await eventually('received', () => w.tg.state().cases.get(c.id)?.status === 'received');
    await settle(w);
    w.cu.moveStatus(link.cuTaskId, 'qa');
    await eventually('in_review from qa', () => w.tg.state().cases.get(c.id)?.status === 'in_review');
    await settle(w);
    w.cu.moveStatus(link.cuTaskId, 'awaiting documents');
    await eventually('awaiting_documents', () => w.tg.state().cases.get(c.id)?.status === 'awaiting_documents');
    await settle(w);
    w.cu.moveStatus(link.cuTaskId, 'in review');
    await eventually('in_review from in review', () => w.tg.state().cases.get(c.id)?.status === 'in_review');
    await settle(w);
    // Partner side back to in_review after a change: the task shows the first ClickUp status of the group.
    const send = async (id: string, status: string) => {
      const s = signTgEvent(
        {
          id,
          type: 'case.updated',
          occurred_at: new Date().toISOString(),
          data: { id: c.id, partner_id: 'P-ACME', status, changed: ['status'], side: 'partner' },
        },
        w.tg.webhookSecret,
      );
      await fetch(`${b.url}/webhooks/tradinggrid`, { method: 'POST', headers: s.headers, body: s.body });
    };
    await send('evt-esc', 'escalated');
    await eventually('escalated on the task', () => taskOf(w, link.cuTaskId)?.status?.status === 'escalated');
    await settle(w);
    await send('evt-rev', 'in_review');
    await eventually('in review on the task', () => taskOf(w, link.cuTaskId)?.status?.status === 'in review');
  });

  it('an option renamed in ClickUp after start-up stops the task with a dead letter naming field and option; nothing wrong is written', async () => {
    world = await worldWith(mappingWith([everyType[0]]));
    const w = world;
    addFieldsOfEveryType(w.cu);
    const b = await w.startBridge();
    const severity = [...w.cu.state.fields.values()].find((f) => f.name === 'Severity')!;
    severity.type_config.options!.find((o) => o.name === 'High')!.name = 'Critical';
    const tasksBefore = w.cu.tasks().length;
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Renamed option' });
    const dl = await eventually('the dead letter', async () =>
      (await listDeadLetters(b.store.db)).find((d) => d.key === `cu.create_task:${c.id}`),
    );
    expect(dl.error).toContain(
      'severity: "High" is not an option of drop_down field "Severity" (options now: Low, Critical)',
    );
    expect(w.cu.tasks().length).toBe(tasksBefore);
    expect(await getLink(b.store.db, 'case', c.id)).toBeNull();
  });

  it('a type mismatch or an unknown option is a start-up error naming the field', async () => {
    world = await worldWith(
      mappingWith(
        [
          m({ name: 'amount as text', tradinggrid: 'value', clickup: { custom_field: 'Severity' } }),
          m({
            name: 'tier',
            tradinggrid: 'tier',
            clickup: { custom_field: 'Partner tier' },
            values: [{ tradinggrid: 'strategic', clickup: 'platinum' }],
          }),
        ],
        { users: { overrides: { boss: 'ghost@gridbridge.example' }, partner_contacts: {} } },
      ),
    );
    addFieldsOfEveryType(world.cu);
    const err = await world.startBridge().catch((e) => e);
    expect(err).toBeInstanceOf(StartupError);
    const text = (err as StartupError).problems.join('\n');
    expect(text).toContain(
      'mapping "amount as text": type mismatch: Trading Grid field "value" (number) cannot be written to drop_down field "Severity"',
    );
    expect(text).toContain('mapping "tier": "platinum" is not an option of drop_down field "Partner tier"');
    expect(text).toContain('mapping.users.overrides["boss"]: "ghost@gridbridge.example" is not a member');
  });

  it('an unknown assignee is reported in the audit log, the known ones are assigned', async () => {
    world = await worldWith({
      ...sandboxMapping(),
      assign: [{ match: {}, users: ['ana.ops@gridbridge.example', 'left.company@gridbridge.example'] }],
    });
    const w = world;
    // Not a member at start-up would stop the bridge; the person leaves afterwards.
    w.cu.state.users.push({
      id: 81000099,
      username: 'Left',
      email: 'left.company@gridbridge.example',
      color: '#000',
      initials: 'L',
      profilePicture: null,
    });
    const b = await w.startBridge();
    w.cu.state.users.pop();
    (b.ctx.mapping as any).members = null;
    const c = await w.tg.raiseCase({ partnerId: 'P-GLOBEX', kind: 'dispute', title: 'Assignees' });
    const link = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
    const ana = w.cu.state.users.find((u) => u.email === 'ana.ops@gridbridge.example')!;
    expect(taskOf(w, link.cuTaskId).assignees.map((a: any) => a.id)).toEqual([ana.id]);
    const audit = (await listAudit(b.store.db, 'case', c.id)).find((a) => a.action === 'assignee_unknown');
    expect(JSON.parse(audit!.after!).unknown).toEqual(['left.company@gridbridge.example']);
  });

  it('filters: a case outside the case filter gets no task; a task outside the update filter sends nothing and is not closed', async () => {
    world = await worldWith({
      ...sandboxMapping(),
      filters: {
        cases: { exclude_partners: ['P-GLOBEX'] },
        clickup_updates: { custom_field: { name: 'Partner visible', equals: true } },
      },
    });
    const w = world;
    addFieldsOfEveryType(w.cu);
    const b = await w.startBridge();
    const out = await w.tg.raiseCase({ partnerId: 'P-GLOBEX', kind: 'dispute', title: 'Filtered out' });
    await eventually('the filter audit', async () =>
      (await listAudit(b.store.db, 'case', out.id)).some((a) => a.action === 'case_not_synced'),
    );
    expect(await getLink(b.store.db, 'case', out.id)).toBeNull();

    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Gated updates' });
    const link = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
    await eventually('received', () => w.tg.state().cases.get(c.id)?.status === 'received');
    await settle(w);
    const before = tgCalls(w, SET_STATUS);
    w.cu.moveStatus(link.cuTaskId, 'resolved');
    await eventually('the update filter audit', async () =>
      (await listAudit(b.store.db, 'case', c.id)).some((a) => a.action === 'clickup_update_filtered'),
    );
    await settle(w);
    expect(tgCalls(w, SET_STATUS)).toBe(before);
    expect(w.tg.state().cases.get(c.id)?.status).toBe('received');
    // Marked partner-visible: the next change reaches the partner.
    w.cu.setField(link.cuTaskId, 'Partner visible', true);
    w.cu.moveStatus(link.cuTaskId, 'in review');
    await eventually('in_review after the task matches', () => w.tg.state().cases.get(c.id)?.status === 'in_review');
  });

  it('a linked case that leaves the case filter on the Trading Grid side pauses: the link is kept, nothing reaches the partner; matching again resumes', async () => {
    world = await worldWith({ ...sandboxMapping(), filters: { cases: { kinds: ['dispute', 'shipment_exception'] } } });
    const w = world;
    const b = await w.startBridge();
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Leaves the filter' });
    const link = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
    await eventually('received', () => w.tg.state().cases.get(c.id)?.status === 'received');
    await settle(w);
    const actions = async () => (await listAudit(b.store.db, 'case', c.id)).map((a) => a.action);

    // The partner reclassifies the case: it no longer matches. Not closed, not unlinked: paused.
    await w.tg.editCase(c.id, { kind: 'compliance_issue' });
    await eventually('the pause audit', async () => (await actions()).includes('case_left_filter'));
    const before = tgCalls(w, SET_STATUS);
    w.cu.moveStatus(link.cuTaskId, 'resolved');
    w.cu.postComment(link.cuTaskId, '@partner We are closing this.');
    await eventually('the ClickUp change paused', async () => (await actions()).includes('clickup_change_paused'));
    await settle(w);
    expect(tgCalls(w, SET_STATUS)).toBe(before);
    expect(w.tg.state().cases.get(c.id)?.status).toBe('received');
    expect(JSON.stringify(w.tg.state())).not.toContain('We are closing this');
    expect(await getLink(b.store.db, 'case', c.id)).toEqual(link);
    expect((await actions()).filter((a) => a === 'case_left_filter')).toHaveLength(1);

    // Back in the filter: syncing resumes, the next change reaches the partner.
    await w.tg.editCase(c.id, { kind: 'dispute' });
    await eventually('resumed', async () => (await actions()).includes('case_back_in_filter'));
    w.cu.moveStatus(link.cuTaskId, 'in review');
    await eventually(
      'in_review after the case matches again',
      () => w.tg.state().cases.get(c.id)?.status === 'in_review',
    );
  });

  it("the integration user's own change is never echoed to the partner", async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    expect(b.ctx.mapping?.integrationUserId).toBe(w.cu.state.users[0]!.id);
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Own change' });
    const link = await eventually('the task', () => getLink(b.store.db, 'case', c.id));
    await eventually('received', () => w.tg.state().cases.get(c.id)?.status === 'received');
    await settle(w);
    const before = tgCalls(w, SET_STATUS);
    // A write with the bridge's own token that no sync job made (e.g. a script using the same token).
    const r = await b.clickup.updateTask(link.cuTaskId, { status: 'escalated' });
    expect(r.ok).toBe(true);
    await settle(w);
    expect(tgCalls(w, SET_STATUS)).toBe(before);
    expect(w.tg.state().cases.get(c.id)?.status).toBe('received');
  });

  it('the effective mapping is described as JSON for the console', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    const fields = await b.clickup.getListFields(w.config.clickup.list_id);
    const d = describeEffectiveMapping(w.config, fields.ok ? fields.value : [], {
      integrationUserId: b.ctx.mapping?.integrationUserId,
    });
    expect(d.problems).toEqual([]);
    expect(d.fields.find((f) => f.mapping === 'status')).toMatchObject({
      clickup: 'status',
      direction: 'both',
      ok: true,
    });
    expect(d.fields.find((f) => f.mapping === 'partner tier')).toMatchObject({
      clickupType: 'drop_down',
      values: 'strategic|preferred ⇄ key account; standard ⇄ standard',
    });
    expect(d.fields.find((f) => f.mapping === 'value')).toMatchObject({
      clickupType: 'currency',
      values: 'copied as is',
    });
    expect(d.integration_user.user_id).toBe(w.cu.state.users[0]!.id);
  });

  it('config validate --online names each mapped field the bridge cannot write (people, task relationship, location, manual progress, phone)', async () => {
    const targets = [
      ['Reviewer', 'users'],
      ['Related tasks', 'tasks'],
      ['Site', 'location'],
      ['Progress', 'manual_progress'],
      ['Contact phone', 'phone'],
    ] as const;
    const w = await worldWith(
      mappingWith(
        targets.map(([name], i) =>
          m({
            name: `to ${name}`,
            tradinggrid: (['title', 'partner', 'transaction_ref', 'value', 'partner_id'] as const)[i]!,
            clickup: { custom_field: name },
          }),
        ),
      ),
      (cu) => {
        const list = cu.state.lists.get(cu.lists.cases)!;
        for (const [name, type] of targets) {
          const id = randomUUID();
          cu.state.fields.set(id, {
            id,
            name,
            type,
            type_config: type === 'manual_progress' ? { start: 0, end: 100 } : {},
            date_created: String(Date.now()),
            hide_from_guests: false,
            required: false,
          });
          list.fieldIds.push(id);
        }
      },
    );
    world = w;
    const r = await validateOnline(w.config, w.secrets);
    expect(r.ok).toBe(false);
    for (const [name, type] of targets)
      expect(r.errors.join('\n')).toMatch(
        new RegExp(`mapping "to ${name}": custom field "${name}" has type ${type}, which mappings do not support`),
      );
  });

  it('config validate --online checks every mapping against the real list and prints what will sync where', async () => {
    world = await createWorld();
    const good = await validateOnline(world.config, world.secrets);
    expect(good.errors).toEqual([]);
    const text = formatOnlineReport(good);
    expect(text).toMatch(/integration user: Sandbox Bot <bot@gridbridge.example>/);
    expect(text).toMatch(
      /status\s+status\s+↔\s+status\s+status\s+received ⇄ open\|received; in_review ⇄ in review\|qa/,
    );
    expect(text).toMatch(/partner tier\s+tier\s+→\s+custom field "Partner tier"\s+drop_down/);
    expect(text).toMatch(/value\s+value\s+→\s+custom field "Value"\s+currency/);
    expect(text).toContain('online check: ok');
    // The sharing rules in words: what reaches a partner.
    expect(text).toContain('what reaches a partner (sharing:):');
    expect(text).toContain(
      'cases: comments: a comment is sent only when it starts with "@partner" (the marker is removed); all others stay internal',
    );
    expect(text).toContain(
      'cases: files: a file is sent only when its name starts with "partner-", or it is attached in a comment that goes to the partner, or the task\'s "Share with partner" checkbox is ticked when it is attached',
    );
    expect(text).toContain('approvals: files: a file is sent only when its name starts with "partner-"');
    const silent = await validateOnline(
      {
        ...world.config,
        sharing: {
          ...world.config.sharing,
          cases: {
            ...world.config.sharing.cases,
            files: { ways: [], name_prefix: null, checkbox_field: 'Share with partner' },
          },
        },
      },
      world.secrets,
    );
    expect(silent.warnings).toContain(
      'sharing.cases.files: no file attached in ClickUp will reach the partner (set sharing.cases.files.ways to share some)',
    );
    const noBox = await validateOnline(
      {
        ...world.config,
        sharing: {
          ...world.config.sharing,
          cases: {
            ...world.config.sharing.cases,
            files: { ways: ['checkbox'], name_prefix: null, checkbox_field: 'Send to customer' },
          },
        },
      },
      world.secrets,
    );
    expect(noBox.errors.join('\n')).toContain('sharing.cases.files.checkbox_field: list');

    const bad = await worldWith(
      mappingWith(
        [
          m({
            name: 'tier',
            tradinggrid: 'tier',
            clickup: { custom_field: 'Partner tier' },
            values: [{ tradinggrid: 'strategic', clickup: 'platinum' }],
          }),
        ],
        { assign: [{ match: { partners: ['P-NOPE'] }, users: ['ana.ops@gridbridge.example'] }] },
      ),
    );
    const r = await validateOnline(bad.config, bad.secrets);
    await bad.close();
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toContain(
      'mapping "tier": "platinum" is not an option of drop_down field "Partner tier"',
    );
    expect(r.errors.join('\n')).toContain('Trading Grid partner P-NOPE');
    expect(formatOnlineReport(r)).toMatch(/tier\s+tier\s+→.*ERROR/);
  });
});
