import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, settle, type World } from '../helpers/world.ts';
import { getLink, listLinksOutside } from '../../src/store/ops/links.ts';
import { listAudit } from '../../src/store/ops/audit.ts';
import { ourListIds } from '../../src/flows/shared/ourLists.ts';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const ADMIN = 'moved-task-admin-token';

describe('a linked task moved out of our lists', () => {
  it("pauses its case (nothing reaches the partner, shown as paused), and resumes with the task's state when moved back", async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge({
      admin: { tokens: [{ name: 'ops-lead', role: 'admin', token: ADMIN }], users: [] },
    });
    const overview = async () =>
      (await (await fetch(`${b.url}/api/overview`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as {
        pausedTasks: Array<{ entity: string; id: string; cuTaskId: string; listId: string }>;
      };
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Moved around' });
    const taskId = (await eventually('the task', () => getLink(b.store.db, 'case', c.id))).cuTaskId;
    await eventually('received', () => w.tg.state().cases.get(c.id)?.status === 'received');
    await settle(w);
    const casesList = w.cu.lists.cases;
    const elsewhere = w.cu.lists.ediTest; // same statuses, not one of ours in this config
    expect(ourListIds(w.config).has(elsewhere)).toBe(false);

    w.cu.moveToList(taskId, elsewhere, 'ana.ops@gridbridge.example');
    await settle(w);
    w.cu.moveStatus(taskId, 'resolved', 'ana.ops@gridbridge.example');
    w.cu.postComment(taskId, '@partner Closing this one.', 'ana.ops@gridbridge.example');
    await settle(w);
    expect(w.tg.state().cases.get(c.id)?.status).toBe('received');
    expect(JSON.stringify(w.tg.state())).not.toContain('Closing this one');
    expect((await listLinksOutside(b.store.db, [...ourListIds(w.config)])).map((l) => l.entityId)).toEqual([c.id]);
    // The console's overview (and `gridbridge doctor`, from the same store read) shows it paused.
    expect((await overview()).pausedTasks).toEqual([{ entity: 'case', id: c.id, cuTaskId: taskId, listId: elsewhere }]);
    const moves = (await listAudit(b.store.db, 'case', c.id)).filter((a) => a.action.startsWith('task_moved'));
    expect(moves.map((a) => [a.action, JSON.parse(a.before!).listId, JSON.parse(a.after!).listId])).toEqual([
      ['task_moved_out', casesList, elsewhere],
    ]);

    // Moved back: syncing resumes with what the task says now (resolved, a step forward for the partner).
    w.cu.moveToList(taskId, casesList, 'ana.ops@gridbridge.example');
    await settle(w);
    await eventually('resolved after the move back', () => w.tg.state().cases.get(c.id)?.status === 'resolved');
    expect(await listLinksOutside(b.store.db, [...ourListIds(w.config)])).toEqual([]);
    expect((await overview()).pausedTasks).toEqual([]);
    expect(
      (await listAudit(b.store.db, 'case', c.id)).filter((a) => a.action.startsWith('task_moved')).map((a) => a.action),
    ).toEqual(['task_moved_out', 'task_moved_back']);
    // The comment written while it was away stays where it was: it was never marked while the case synced.
    expect(JSON.stringify(w.tg.state())).not.toContain('Closing this one');
  });
});
