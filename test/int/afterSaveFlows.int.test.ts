import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { seededRandom } from '../../src/sandbox/shared/faults.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { listDeadLetters } from '../../src/store/ops/replayDeadLetter.ts';
import type { Bridge } from '../../src/server/bridge.ts';

/**
 * Flows 4, 6 and 8 while a share of ClickUp writes is saved and then answered 502/504, reset, or left
 * without an answer (faults after the work is done): every create is found again, never doubled.
 */
let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

type Task = Record<string, any>;
const fieldsOf = (t: Task): Record<string, unknown> =>
  Object.fromEntries(((t.custom_fields ?? []) as any[]).map((f) => [f.name, f.value]));
const LOST = { savedThen5xxRate: 0.2, savedThenResetRate: 0.1 };

async function lossyWorld(seed: number): Promise<World> {
  const w = await createWorld({ cu: { random: seededRandom(seed), faults: LOST } });
  // Each lost answer costs its job an attempt (the next one looks up first): room for several.
  w.config.dispatcher.max_attempts = 40;
  return w;
}

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
        .where('kind', 'not in', ['tradinggrid.poll', 'clickup.webhook_health'])
        .executeTakeFirst();
      return Number(n?.n ?? 0) === 0 && b.dispatcher.inFlightCount === 0;
    },
    40_000,
  );
}

describe('faults after the work is done in flows 4, 6 and 8', () => {
  it('an approval request gets one task and its document once', async () => {
    world = await lossyWorld(6);
    const w = world;
    const b = await w.startBridge();
    const r = await w.tg.requestApproval({
      partnerId: 'P-GLOBEX',
      kind: 'pricing_exception',
      summary: 'Hold Q3 price',
      details: 'One quarter.',
      documents: [
        { name: 'quote.pdf', kind: 'other', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 quote') },
      ],
    });
    const link = await eventually('the approval task', () => getLink(b.store.db, 'approval', r.id), 30_000);
    await eventually('its document', () => (w.cu.state.tasks.get(link.cuTaskId)?.attachments.length ?? 0) > 0, 30_000);
    await quiet(w, b);
    const lost = w.cu.stats();
    w.cu.setFaults({ savedThen5xxRate: 0, savedThenResetRate: 0 });
    await quiet(w, b);
    expect(lost.savedThen5xx + lost.savedThenReset).toBeGreaterThan(0);
    expect(w.cu.tasks().filter((t) => fieldsOf(t as Task)['TG request id'] === r.id)).toHaveLength(1);
    expect(w.cu.state.tasks.get(link.cuTaskId)!.attachments).toHaveLength(1);
    expect(await listDeadLetters(b.store.db)).toEqual([]);
  }, 90_000);

  it('an onboarding group has each task, checklist, item and dependency once', async () => {
    world = await lossyWorld(4);
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
      60_000,
    );
    await quiet(w, b);
    const lost = w.cu.stats();
    w.cu.setFaults({ savedThen5xxRate: 0, savedThenResetRate: 0 });
    const tasks = w.cu
      .tasks()
      .filter((t) => String(fieldsOf(t as Task)['Gridbridge key'] ?? '').startsWith(`onboarding:${p.id}:`)) as Task[];
    expect(tasks).toHaveLength(7);
    expect(new Set(tasks.map((t) => fieldsOf(t)['Gridbridge key'])).size).toBe(7);
    for (const t of tasks) {
      const names = (t.checklists as any[]).map((c) => c.name);
      expect(new Set(names).size, `checklists of ${t.name}`).toBe(names.length);
      for (const c of t.checklists as any[]) {
        const items = (c.items as any[]).map((i) => i.name);
        expect(new Set(items).size, `items of ${c.name}`).toBe(items.length);
      }
      const deps = (t.dependencies as any[]).filter((d) => d.task_id === t.id).map((d) => d.depends_on);
      expect(new Set(deps).size, `dependencies of ${t.name}`).toBe(deps.length);
    }
    const contract = tasks.find((t) => String(fieldsOf(t)['Gridbridge key']).endsWith(':contract_review'))!;
    expect(contract.checklists[0].items.map((i: any) => i.name)).toEqual(['NDA signed', 'Trading agreement signed']);
    expect(lost.savedThen5xx + lost.savedThenReset).toBeGreaterThan(0);
    expect(await listDeadLetters(b.store.db)).toEqual([]);
  }, 90_000);

  it('a rollout builds its plan and its acknowledgement checklist once, and its notes once', async () => {
    world = await lossyWorld(8);
    const w = world;
    const b = await w.startBridge();
    const list = w.cu.lists.rollouts;
    const fieldId = (name: string) =>
      w.cu.state.lists.get(list)!.fieldIds.find((id) => w.cu.state.fields.get(id)!.name === name)!;
    w.cu.setFaults({ savedThen5xxRate: 0, savedThenResetRate: 0 });
    const made = await fetch(`${w.cu.url}/v2/list/${list}/task`, {
      method: 'POST',
      headers: { authorization: w.cu.token, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'ASN required 2h before arrival',
        description: 'From 1 July.',
        tags: ['rollout'],
        custom_fields: [{ id: fieldId('Audience'), value: 'all' }],
      }),
    });
    const marker = (await made.json()) as { id: string };
    w.cu.setFaults(LOST);
    await b.scheduler.runNow({ kind: 'rollouts.scan', cron: '* * * * *' });
    b.dispatcher.wake();
    await eventually(
      'the plan',
      () => w.cu.tasks().filter((t) => (t as Task).parent === marker.id).length >= 4,
      60_000,
    );
    const notice = await eventually(
      'the notice',
      () => [...w.tg.state().notices.values()].find((n) => n.title === 'ASN required 2h before arrival'),
      30_000,
    );
    await w.tg.acknowledgeNotice(notice.id, 'P-ACME');
    await quiet(w, b);
    // Go-live closed too early is reopened with a note: the note is posted once.
    const goLive = w.cu
      .tasks()
      .find(
        (t) => (t as Task).parent === marker.id && String((t as Task).name).startsWith('Go-live readiness'),
      ) as Task;
    w.cu.moveStatus(goLive.id, 'live');
    await quiet(w, b);
    const lost = w.cu.stats();
    w.cu.setFaults({ savedThen5xxRate: 0, savedThenResetRate: 0 });
    await quiet(w, b);
    expect(lost.savedThen5xx + lost.savedThenReset).toBeGreaterThan(0);
    const subs = w.cu.tasks().filter((t) => (t as Task).parent === marker.id) as Task[];
    expect(subs.map((s) => s.name.split(':')[0]).sort()).toEqual([
      'Documentation updates',
      'Go-live readiness',
      'Testing',
      'Training',
    ]);
    const task = w.cu.tasks().find((t) => t.id === marker.id) as Task;
    const acks = (task.checklists as any[]).filter((c) => c.name === 'Partner acknowledgements');
    expect(acks).toHaveLength(1);
    const items = (acks[0].items as any[]).map((i) => i.name);
    expect(new Set(items).size).toBe(items.length);
    expect(items).toHaveLength(4);
    expect(
      w.cu.state.tasks.get(goLive.id)!.comments.filter((c) => c.text.includes('go-live readiness is blocked')),
    ).toHaveLength(1);
    expect(await listDeadLetters(b.store.db)).toEqual([]);
  }, 120_000);
});
