import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createWorld, eventually, type World } from '../../../test/helpers/world.ts';
import { tempSqliteStore } from '../../../test/helpers/tempStore.ts';
import { createClickUpClient } from '../../connectors/clickup/index.ts';
import { communityDriverFor } from '../../sync/tradingGridDriver.ts';
import { getLink } from '../../store/ops/links.ts';
import { parseSince, runBackfill } from './backfill.ts';

let world: World | null = null;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await world?.close();
  world = null;
  for (const c of cleanups.splice(0)) await c();
});

const tasksWithCaseId = (w: World, id: string) => w.cu.tasks().filter((t: any) => (t.custom_fields ?? []).some((f: any) => f.name === 'TG case id' && f.value === id));

describe('gridbridge backfill', () => {
  it('links cases to the tasks that exist, queues the rest, and a second run changes nothing', async () => {
    world = await createWorld();
    const w = world;
    await w.startBridge();
    const a = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Old dispute' });
    const b = await w.tg.raiseCase({ partnerId: 'P-GLOBEX', kind: 'shipment_exception', title: 'Old delay' });
    await eventually('both tasks', () => tasksWithCaseId(w, a.id).length === 1 && tasksWithCaseId(w, b.id).length === 1);
    await w.bridge!.stop();
    w.bridge = null;
    w.tg.setWebhookUrl(undefined);
    const c = await w.tg.raiseCase({ partnerId: 'P-INITECH', kind: 'document_mismatch', title: 'Raised while nobody listened' });

    // A new store (say, a fresh install) knows none of this.
    const fresh = await tempSqliteStore();
    cleanups.push(fresh.cleanup);
    const clickup = createClickUpClient({ baseUrl: w.config.clickup.base_url, token: w.secrets.clickupToken, teamId: w.config.clickup.team_id });
    const tg = communityDriverFor(w.config, { tgClientSecret: w.secrets.tgClientSecret })!;
    cleanups.push(async () => void (await Promise.allSettled([clickup.close(), tg.close()])));
    const deps = { store: fresh.store, tg, clickup, config: w.config, now: Date.now, logger: pino({ level: 'silent' }) };
    const createsBefore = w.cu.stats().requests['POST /api/v2/list/{list_id}/task'] ?? 0;

    const dry = await runBackfill(deps, { since: new Date(Date.now() - 3_600_000), dryRun: true });
    expect(dry).toMatchObject({ seen: 3, linked: 2, queued: 1, alreadyLinked: 0 });
    expect(await fresh.store.db.selectFrom('links').selectAll().execute()).toEqual([]);
    expect(await fresh.store.db.selectFrom('jobs').selectAll().execute()).toEqual([]);

    const progress: number[] = [];
    const r = await runBackfill(deps, { since: new Date(Date.now() - 3_600_000), onProgress: (done) => progress.push(done) });
    expect(r).toMatchObject({ seen: 3, linked: 2, queued: 1, alreadyLinked: 0, ambiguous: 0 });
    expect(progress).toEqual([1, 2, 3]);
    expect((await getLink(fresh.store.db, 'case', a.id))?.cuTaskId).toBe(tasksWithCaseId(w, a.id)[0]!.id);
    expect((await getLink(fresh.store.db, 'case', c.id))).toBeNull();
    expect(w.cu.stats().requests['POST /api/v2/list/{list_id}/task']).toBe(createsBefore);

    const again = await runBackfill(deps, { since: new Date(Date.now() - 3_600_000) });
    expect(again).toMatchObject({ seen: 3, linked: 0, alreadyLinked: 2, queued: 1 });
    expect((await fresh.store.db.selectFrom('jobs').selectAll().execute()).length).toBe(3); // same keys: no second copy

    // The bridge on the backfilled store creates only the missing task.
    await fresh.store.close();
    w.config.store.url = fresh.url;
    await w.startBridge();
    await eventually('the task of the case raised while down', () => tasksWithCaseId(w, c.id).length === 1);
    await eventually('the queue drained', async () => (await w.bridge!.store.db.selectFrom('jobs').select('state').where('state', 'in', ['ready', 'running']).execute()).length === 0);
    expect(tasksWithCaseId(w, a.id)).toHaveLength(1);
    expect(tasksWithCaseId(w, b.id)).toHaveLength(1);
    expect(w.cu.stats().requests['POST /api/v2/list/{list_id}/task']).toBe(createsBefore + 1);
  });

  it.each([
    ['2025-01-31', '2025-01-31T00:00:00.000Z'],
    ['2025-01-31T12:30:00+02:00', '2025-01-31T10:30:00.000Z'],
  ])('--since %s means %s', (v, iso) => expect(parseSince(v).toISOString()).toBe(iso));

  it('--since refuses what is not a date', () => expect(() => parseSince('last tuesday')).toThrow(/not a date/));
});
