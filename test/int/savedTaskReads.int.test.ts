import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { createClickUpClient } from '../../src/connectors/clickup/index.ts';
import { listDeadLetters } from '../../src/store/ops/replayDeadLetter.ts';

/**
 * Creates whose answers were lost after ClickUp saved them, retried together (as after an outage): their
 * look-ups for the saved task are answered by one read of the list, each adopting its own task and no other.
 */
let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const LIST_READ = 'GET /api/v2/list/{list_id}/task';
const CREATE = 'POST /api/v2/list/{list_id}/task';

const caseField = (w: World) => [...w.cu.state.fields.values()].find((f) => f.name === 'TG case id')!.id;

function tasksFor(w: World, value: string) {
  return w.cu
    .tasks()
    .filter((t) => ((t as any).custom_fields ?? []).some((f: any) => f.name === 'TG case id' && f.value === value));
}

describe('saved-task look-ups of retried creates', () => {
  it.each([
    ['started together', 32],
    // One at a time, no look-up waits with another: the read made for the first is kept for the five others,
    // which were ready after their run when it was sent (each took one exact look-up before).
    ['run one after another', 1],
  ])(
    'six creates saved then answered 502, %s, are found by one list read: one task each, a look-alike not adopted',
    async (_how, concurrency) => {
      world = await createWorld({
        extra: { dispatcher: { concurrency, backoff_base_ms: 60_000, backoff_max_ms: 600_000 } },
      });
      const w = world;
      const b = await w.startBridge({ manualDispatch: true });
      w.cu.setFaults({ savedThen5xxRate: 1 });
      const cases = [];
      for (let i = 0; i < 6; i++)
        cases.push(await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: `Saved ${i}` }));
      await eventually('six creates sent, saved and answered 502', async () => {
        await b.dispatcher.runUntilIdle();
        return (w.cu.stats().requests[CREATE] ?? 0) >= 6;
      });
      w.cu.setFaults({ savedThen5xxRate: 0 });
      // A task of another case whose id contains the first one's (ClickUp's `=` filter would match it).
      const cu = createClickUpClient({ baseUrl: w.cu.url, token: w.cu.token, teamId: w.cu.teamId });
      const decoy = await cu.createTask(w.config.clickup.list_id, {
        name: 'another case',
        custom_fields: [{ id: caseField(w), value: `${cases[0]!.id}0` }],
      });
      await cu.close();
      expect(decoy.ok).toBe(true);
      const creates = w.cu.stats().requests[CREATE] ?? 0;
      const reads = w.cu.stats().requests[LIST_READ] ?? 0;
      expect(creates).toBe(7);
      // ClickUp answers again (one read): the creates waiting out the 502s are due at once, and one claim starts them.
      expect((await b.clickup.getList(w.config.clickup.list_id)).ok).toBe(true);
      await eventually('the retries due', async () => {
        const jobs = await b.store.db
          .selectFrom('jobs')
          .select(['run_at', 'state'])
          .where('kind', '=', 'clickup.create_task')
          .execute();
        return jobs.length === 6 && jobs.every((j) => j.state === 'ready' && Number(j.run_at) <= Date.now());
      });
      await b.dispatcher.runUntilIdle();
      const links = await b.store.db.selectFrom('links').selectAll().where('entity', '=', 'case').execute();
      expect(links).toHaveLength(6);
      for (const c of cases) {
        const mine = tasksFor(w, c.id);
        expect(mine).toHaveLength(1);
        expect(links.find((l) => l.entity_id === c.id)!.cu_task_id).toBe(mine[0]!.id);
      }
      // Nothing created again, and one read answered the six look-ups (the exact look-ups took six).
      expect((w.cu.stats().requests[CREATE] ?? 0) - creates).toBe(0);
      expect((w.cu.stats().requests[LIST_READ] ?? 0) - reads).toBe(1);
      expect(await listDeadLetters(b.store.db)).toEqual([]);
    },
    60_000,
  );
});
