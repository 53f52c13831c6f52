import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createWorld, eventually, type World } from '../../../test/helpers/world.ts';
import { tempSqliteStore } from '../../../test/helpers/tempStore.ts';
import { createClickUpClient } from '../../connectors/clickup/index.ts';
import { communityDriverFor } from '../../sync/tradingGridDriver.ts';
import { getLink } from '../../store/ops/links.ts';
import { parseSince, runBackfill, summaryLine } from './backfill.ts';

let world: World | null = null;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await world?.close();
  world = null;
  for (const c of cleanups.splice(0)) await c();
});

const tasksWithCaseId = (w: World, id: string) =>
  w.cu.tasks().filter((t: any) => (t.custom_fields ?? []).some((f: any) => f.name === 'TG case id' && f.value === id));

describe('gridbridge backfill', () => {
  it('links cases to the tasks that exist, queues the rest, and a second run changes nothing', async () => {
    world = await createWorld();
    const w = world;
    await w.startBridge();
    const a = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Old dispute' });
    const b = await w.tg.raiseCase({ partnerId: 'P-GLOBEX', kind: 'shipment_exception', title: 'Old delay' });
    await eventually(
      'both tasks',
      () => tasksWithCaseId(w, a.id).length === 1 && tasksWithCaseId(w, b.id).length === 1,
    );
    await w.bridge!.stop();
    w.bridge = null;
    w.tg.setWebhookUrl(undefined);
    const c = await w.tg.raiseCase({
      partnerId: 'P-INITECH',
      kind: 'document_mismatch',
      title: 'Raised while nobody listened',
    });

    // A new store (say, a fresh install) knows none of this.
    const fresh = await tempSqliteStore();
    cleanups.push(fresh.cleanup);
    const clickup = createClickUpClient({
      baseUrl: w.config.clickup.base_url,
      token: w.secrets.clickupToken,
      teamId: w.config.clickup.team_id,
    });
    const tg = communityDriverFor(w.config, { tgClientSecret: w.secrets.tgClientSecret })!;
    cleanups.push(async () => void (await Promise.allSettled([clickup.close(), tg.close()])));
    const deps = {
      store: fresh.store,
      tg,
      clickup,
      config: w.config,
      now: Date.now,
      logger: pino({ level: 'silent' }),
    };
    const createsBefore = w.cu.stats().requests['POST /api/v2/list/{list_id}/task'] ?? 0;

    const dry = await runBackfill(deps, { since: new Date(Date.now() - 3_600_000), dryRun: true });
    expect(dry).toMatchObject({ seen: 3, linked: 2, queued: 1, alreadyLinked: 0 });
    expect(await fresh.store.db.selectFrom('links').selectAll().execute()).toEqual([]);
    expect(await fresh.store.db.selectFrom('jobs').selectAll().execute()).toEqual([]);

    const progress: number[] = [];
    const r = await runBackfill(deps, {
      since: new Date(Date.now() - 3_600_000),
      onProgress: (done) => progress.push(done),
    });
    expect(r).toMatchObject({ seen: 3, linked: 2, queued: 1, alreadyLinked: 0, ambiguous: 0 });
    expect(progress).toEqual([1, 2, 3]);
    expect((await getLink(fresh.store.db, 'case', a.id))?.cuTaskId).toBe(tasksWithCaseId(w, a.id)[0]!.id);
    expect(await getLink(fresh.store.db, 'case', c.id)).toBeNull();
    expect(w.cu.stats().requests['POST /api/v2/list/{list_id}/task']).toBe(createsBefore);

    const again = await runBackfill(deps, { since: new Date(Date.now() - 3_600_000) });
    expect(again).toMatchObject({ seen: 3, linked: 0, alreadyLinked: 2, queued: 1 });
    expect((await fresh.store.db.selectFrom('jobs').selectAll().execute()).length).toBe(3); // same keys: no second copy

    // The bridge on the backfilled store creates only the missing task.
    await fresh.store.close();
    w.config.store.url = fresh.url;
    await w.startBridge();
    await eventually('the task of the case raised while down', () => tasksWithCaseId(w, c.id).length === 1);
    await eventually(
      'the queue drained',
      async () =>
        (
          await w
            .bridge!.store.db.selectFrom('jobs')
            .select('state')
            .where('state', 'in', ['ready', 'running'])
            .execute()
        ).length === 0,
    );
    expect(tasksWithCaseId(w, a.id)).toHaveLength(1);
    expect(tasksWithCaseId(w, b.id)).toHaveLength(1);
    expect(w.cu.stats().requests['POST /api/v2/list/{list_id}/task']).toBe(createsBefore + 1);
  });

  it("plan: a late task takes the case's state, the partner hears only a step forward, a disagreeing task is a conflict; the run does what the plan printed", async () => {
    world = await createWorld();
    const w = world;
    await w.startBridge();
    const linked = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Has a task already' });
    await eventually('its task', () => tasksWithCaseId(w, linked.id).length === 1);
    await eventually('received on the partner side', () => w.tg.state().cases.get(linked.id)?.status === 'received');
    await w.bridge!.stop();
    w.bridge = null;
    w.tg.setWebhookUrl(undefined);
    w.cu.setFaults({ webhookFailing: true }); // nobody listens while the team works on
    w.cu.moveStatus(String(tasksWithCaseId(w, linked.id)[0]!.id), 'in review');
    const tg = communityDriverFor(w.config, { tgClientSecret: w.secrets.tgClientSecret })!;
    // An old case the team resolved by hand in Trading Grid, and a fresh one nobody looked at.
    const resolved = await w.tg.raiseCase({
      partnerId: 'P-GLOBEX',
      kind: 'shipment_exception',
      title: 'Resolved long ago',
    });
    expect((await tg.setCaseStatus(resolved.id, { status: 'resolved' }, 'test:resolve')).ok).toBe(true);
    const fresh = await w.tg.raiseCase({
      partnerId: 'P-INITECH',
      kind: 'document_mismatch',
      title: 'Nobody looked yet',
    });
    const unmapped = await w.tg
      .raiseCase({ partnerId: 'P-UMBRELLA', kind: 'dispute', title: 'Partner not in the config' })
      .catch(() => null);

    const store = await tempSqliteStore();
    cleanups.push(store.cleanup);
    const clickup = createClickUpClient({
      baseUrl: w.config.clickup.base_url,
      token: w.secrets.clickupToken,
      teamId: w.config.clickup.team_id,
    });
    cleanups.push(async () => void (await Promise.allSettled([clickup.close(), tg.close()])));
    const deps = {
      store: store.store,
      tg,
      clickup,
      config: w.config,
      now: Date.now,
      logger: pino({ level: 'silent' }),
    };
    const since = new Date(Date.now() - 3_600_000);

    const plan = await runBackfill(deps, { since, dryRun: true });
    const about = (id: string) => plan.lines.filter((l) => l.startsWith(`${id}:`)).join('\n');
    expect(about(linked.id)).toMatch(
      /CONFLICT task \S+ is "in review" \(in_review\) but the partner sees received: nothing is sent either way/,
    );
    expect(about(resolved.id)).toContain('creates one in "resolved"; partner is told nothing (sees resolved)');
    expect(about(fresh.id)).toContain("creates one in the list's first status; partner gets received (sees open)");
    if (unmapped) expect(about(unmapped.id)).toContain('has no mapping');
    expect(plan).toMatchObject({ linked: 1, conflicts: 1, queued: 2, statusesToPartner: 1 });
    expect(summaryLine(plan, since, true)).toContain('(plan, nothing changed)');
    expect(await store.store.db.selectFrom('jobs').selectAll().execute()).toEqual([]);

    // The real run on the same scope, then the bridge on that store.
    const run = await runBackfill(deps, { since });
    expect(
      run.lines.map((l) =>
        l
          .replace(/would queue|queued/, 'Q')
          .replace(/would link|linked/, 'L')
          .replace('would be', 'is'),
      ),
    ).toEqual(
      plan.lines.map((l) =>
        l
          .replace(/would queue|queued/, 'Q')
          .replace(/would link|linked/, 'L')
          .replace('would be', 'is'),
      ),
    );
    await store.store.close();
    w.config.store.url = store.url;
    const setStatus = () => w.tg.stats().requests['POST /cases/{id}/status'] ?? 0;
    const before = setStatus();
    await w.startBridge();
    await eventually(
      'the two new tasks',
      () => tasksWithCaseId(w, resolved.id).length === 1 && tasksWithCaseId(w, fresh.id).length === 1,
    );
    await eventually('received for the fresh case', () => w.tg.state().cases.get(fresh.id)?.status === 'received');
    await eventually(
      'the queue drained',
      async () =>
        (
          await w
            .bridge!.store.db.selectFrom('jobs')
            .select('state')
            .where('state', 'in', ['ready', 'running'])
            .execute()
        ).length === 0 && w.bridge!.dispatcher.inFlightCount === 0,
    );
    // The ClickUp catch-up replays the task moved while nobody listened: linked as it was, it is no news.
    w.cu.setFaults({ webhookFailing: false });
    await w.bridge!.scheduler.enqueueSlot(
      { kind: 'clickup.webhook_health', cron: '* * * * *' },
      Date.now() + Math.random() * 1e6,
    );
    w.bridge!.dispatcher.wake();
    await w.cu.webhooksSettled();
    await eventually(
      'the check done',
      async () =>
        (
          await w
            .bridge!.store.db.selectFrom('jobs')
            .select('state')
            .where('state', 'in', ['ready', 'running'])
            .execute()
        ).length === 0 && w.bridge!.dispatcher.inFlightCount === 0,
    );
    expect((tasksWithCaseId(w, resolved.id)[0] as any).status.status).toBe('resolved');
    expect(w.tg.state().cases.get(resolved.id)?.status).toBe('resolved');
    expect(w.tg.state().cases.get(linked.id)?.status).toBe('received');
    // One partner status in all: the fresh case's "received", as planned.
    expect(setStatus() - before).toBe(1);
  });

  it.each([
    ['2025-01-31', '2025-01-31T00:00:00.000Z'],
    ['2025-01-31T12:30:00+02:00', '2025-01-31T10:30:00.000Z'],
  ])('--since %s means %s', (v, iso) => expect(parseSince(v).toISOString()).toBe(iso));

  it('--since refuses what is not a date', () => expect(() => parseSince('last tuesday')).toThrow(/not a date/));
});

describe('gridbridge plan: requests, partners and rollout notices', () => {
  it('names the approval tasks and onboarding groups it would start and the notices a marker task publishes on start; the real run queues the same requests and partners as Trading Grid events', async () => {
    world = await createWorld();
    const w = world;
    const r = await w.tg.requestApproval({
      partnerId: 'P-INITECH',
      kind: 'shipment_change',
      summary: 'Split PO 7781 into two deliveries',
    });
    const p = await w.tg.addPartner({ name: 'Nova Foods', tier: 'standard' });
    const list = w.cu.lists.rollouts;
    const fieldId = (name: string) =>
      w.cu.state.lists.get(list)!.fieldIds.find((id) => w.cu.state.fields.get(id)!.name === name)!;
    const made = await fetch(`${w.cu.url}/v2/list/${list}/task`, {
      method: 'POST',
      headers: { authorization: w.cu.token, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'ASN required 2h before arrival',
        tags: ['rollout'],
        custom_fields: [{ id: fieldId('Audience'), value: 'tier:strategic' }],
      }),
    });
    const marker = (await made.json()) as { id: string };

    const fresh = await tempSqliteStore();
    cleanups.push(fresh.cleanup);
    const clickup = createClickUpClient({
      baseUrl: w.config.clickup.base_url,
      token: w.secrets.clickupToken,
      teamId: w.config.clickup.team_id,
    });
    const tg = communityDriverFor(w.config, { tgClientSecret: w.secrets.tgClientSecret })!;
    cleanups.push(async () => void (await Promise.allSettled([clickup.close(), tg.close()])));
    const deps = {
      store: fresh.store,
      tg,
      clickup,
      config: w.config,
      now: Date.now,
      logger: pino({ level: 'silent' }),
    };
    const since = new Date(Date.now() - 3_600_000);

    const dry = await runBackfill(deps, { since, dryRun: true });
    expect(dry.lines).toContain(
      `request ${r.id} (P-INITECH, shipment_change): would create an approval task in list ${w.config.flows.approvals!.list_id}; the partner hears nothing until a decision`,
    );
    expect(dry.lines.filter((l) => l.startsWith(`partner ${p.id} (Nova Foods, `))).toEqual([
      `partner ${p.id} (Nova Foods, ${w.tg.state().partners.get(p.id)!.status}): would start an onboarding group; its Trading Grid status moves only as milestones close`,
    ]);
    expect(dry.lines).toContain(
      `rollout task ${marker.id} "ASN required 2h before arrival": PUBLISHES a notice to tier:strategic as soon as the bridge runs (remove the "rollout" tag to stop it)`,
    );
    expect(summaryLine(dry, since, true)).toMatch(
      /1 request\(s\) to get an approval task, 1 partner\(s\) to get an onboarding group, 1 rollout notice\(s\) published on start/,
    );
    expect(await fresh.store.db.selectFrom('jobs').selectAll().execute()).toEqual([]);

    const real = await runBackfill(deps, { since });
    expect(real).toMatchObject({ requests: 1, partners: 1, notices: 1 });
    const { TradingGridEventSchema } = await import('../../connectors/tradinggrid/events.ts');
    const events = (await fresh.store.db.selectFrom('jobs').selectAll().where('kind', '=', 'tg.event').execute()).map(
      (j) => TradingGridEventSchema.parse(JSON.parse(j.payload)),
    );
    expect(events.map((e) => [e.type, e.data.id]).sort()).toEqual(
      [
        ['request.created', r.id],
        ['trading_partner.created', p.id],
      ].sort(),
    );
  });
});
