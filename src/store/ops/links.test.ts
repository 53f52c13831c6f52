import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { Store } from '../db.ts';
import {
  deleteLink,
  getLink,
  getLinkByTask,
  listLinksOutside,
  markTaskSeen,
  recordLink,
  setLinkList,
} from './links.ts';

// Case-task links (storeLinks in scripts/mutate.mjs): every exported function, the stored rows whole after each
// write and the answers whole. A row without a task id (the column is nullable) is no link to any of the reads.
const { describeStores, make } = await storesUnderTest('src/store/ops/links.test.ts');

const T = 1_700_000_000_000;

/** The links table whole, in key order. */
const rows = (store: Store) =>
  store.db.selectFrom('links').selectAll().orderBy('entity').orderBy('entity_id').execute();

describeStores('recordLink (%s store)', (kind) => {
  it('records a new link, and answers the existing one when the entity has a task already', async () => {
    const t = await make(kind);
    const first = { entity: 'case', entityId: 'C-1', cuTaskId: 'T-1', cuListId: 'L' };
    expect(await recordLink(t.store.db, first, 1)).toEqual(first);
    expect(await recordLink(t.store.db, { ...first, cuTaskId: 'T-2' }, 2)).toEqual(first);
    expect(await recordLink(t.store.db, first, 3)).toEqual(first);
    expect(await getLink(t.store.db, 'case', 'C-1')).toEqual(first);
  });

  it('stores the row whole, with the seen time when given (null otherwise), and answers the link as given', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const seen = { entity: 'case', entityId: 'C-1', cuTaskId: 'T-1', cuListId: 'L-1', seenAt: T - 5 };
    // The new link's answer is the link given, seen time included (getLink's answer has none).
    expect(await recordLink(db, seen, T)).toStrictEqual(seen);
    const plain = { entity: 'onboarding', entityId: 'C-1', cuTaskId: 'T-2', cuListId: 'L-2' };
    expect(await recordLink(db, plain, T + 1)).toStrictEqual(plain);
    expect(await rows(store)).toEqual([
      { entity: 'case', entity_id: 'C-1', cu_task_id: 'T-1', cu_list_id: 'L-1', created_at: T, cu_seen_at: T - 5 },
      {
        entity: 'onboarding',
        entity_id: 'C-1',
        cu_task_id: 'T-2',
        cu_list_id: 'L-2',
        created_at: T + 1,
        cu_seen_at: null,
      },
    ]);
    // A second task for the entity: the existing link (as getLink reads it), and the row unchanged.
    expect(await recordLink(db, { ...seen, cuTaskId: 'T-3', cuListId: 'L-3', seenAt: T + 9 }, T + 2)).toStrictEqual({
      entity: 'case',
      entityId: 'C-1',
      cuTaskId: 'T-1',
      cuListId: 'L-1',
    });
    expect((await rows(store))[0]).toEqual({
      entity: 'case',
      entity_id: 'C-1',
      cu_task_id: 'T-1',
      cu_list_id: 'L-1',
      created_at: T,
      cu_seen_at: T - 5,
    });
    // The task is unique too: another entity cannot take a linked task.
    await expect(recordLink(db, { ...plain, entity: 'case', entityId: 'C-2', cuTaskId: 'T-1' }, T + 3)).rejects.toThrow(
      /unique|duplicate/i,
    );
    expect(await rows(store)).toHaveLength(2);
  });
});

describeStores('getLink and getLinkByTask (%s store)', (kind) => {
  it('read by entity and by task, each key column compared, the seen time by task only', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await recordLink(db, { entity: 'case', entityId: 'A', cuTaskId: 'T-A', cuListId: 'L', seenAt: T }, 1);
    await recordLink(db, { entity: 'case', entityId: 'B', cuTaskId: 'T-B', cuListId: 'M' }, 1);
    await recordLink(db, { entity: 'onboarding', entityId: 'A', cuTaskId: 'T-OA', cuListId: 'N' }, 1);
    expect(await getLink(db, 'case', 'A')).toStrictEqual({
      entity: 'case',
      entityId: 'A',
      cuTaskId: 'T-A',
      cuListId: 'L',
    });
    expect(await getLink(db, 'case', 'B')).toStrictEqual({
      entity: 'case',
      entityId: 'B',
      cuTaskId: 'T-B',
      cuListId: 'M',
    });
    expect(await getLink(db, 'onboarding', 'A')).toStrictEqual({
      entity: 'onboarding',
      entityId: 'A',
      cuTaskId: 'T-OA',
      cuListId: 'N',
    });
    expect(await getLink(db, 'onboarding', 'B')).toBeNull();
    expect(await getLink(db, 'case', 'C')).toBeNull();

    expect(await getLinkByTask(db, 'T-A')).toStrictEqual({
      entity: 'case',
      entityId: 'A',
      cuTaskId: 'T-A',
      cuListId: 'L',
      seenAt: T,
    });
    expect(await getLinkByTask(db, 'T-B')).toStrictEqual({
      entity: 'case',
      entityId: 'B',
      cuTaskId: 'T-B',
      cuListId: 'M',
      seenAt: null,
    });
    expect(await getLinkByTask(db, 'T-OA')).toStrictEqual({
      entity: 'onboarding',
      entityId: 'A',
      cuTaskId: 'T-OA',
      cuListId: 'N',
      seenAt: null,
    });
    expect(await getLinkByTask(db, 'T-none')).toBeNull();
  });

  it('a row without a task id, or with an empty one, is no link', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await db
      .insertInto('links')
      .values([
        { entity: 'case', entity_id: 'null-task', cu_task_id: null, cu_list_id: 'L', created_at: 1, cu_seen_at: null },
        { entity: 'case', entity_id: 'empty-task', cu_task_id: '', cu_list_id: 'L', created_at: 1, cu_seen_at: 7 },
      ])
      .execute();
    expect(await getLink(db, 'case', 'null-task')).toBeNull();
    expect(await getLink(db, 'case', 'empty-task')).toBeNull();
    expect(await getLinkByTask(db, '')).toBeNull();
  });
});

describeStores('deleteLink (%s store)', (kind) => {
  it('removes only the link of that entity to that task; false when there is none', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await recordLink(db, { entity: 'case', entityId: 'A', cuTaskId: 'T-A', cuListId: 'L' }, T);
    await recordLink(db, { entity: 'onboarding', entityId: 'A', cuTaskId: 'T-OA', cuListId: 'L' }, T);
    await recordLink(db, { entity: 'case', entityId: 'B', cuTaskId: 'T-B', cuListId: 'L' }, T);
    const before = await rows(store);
    expect(before).toHaveLength(3);
    // Each key column must match: another entity kind, another entity id, another task.
    expect(await deleteLink(db, 'onboarding', 'A', 'T-A')).toBe(false);
    expect(await deleteLink(db, 'case', 'B', 'T-A')).toBe(false);
    expect(await deleteLink(db, 'case', 'A', 'T-B')).toBe(false);
    expect(await deleteLink(db, 'case', 'C', 'T-C')).toBe(false);
    expect(await rows(store)).toEqual(before);

    expect(await deleteLink(db, 'case', 'A', 'T-A')).toBe(true);
    expect(await rows(store)).toEqual(before.filter((r) => r.cu_task_id !== 'T-A'));
    expect(await getLink(db, 'case', 'A')).toBeNull();
    expect(await getLinkByTask(db, 'T-A')).toBeNull();
    // A repeat finds nothing.
    expect(await deleteLink(db, 'case', 'A', 'T-A')).toBe(false);
    expect(await rows(store)).toHaveLength(2);
    // The entity can be linked again, to another task.
    const again = { entity: 'case', entityId: 'A', cuTaskId: 'T-A2', cuListId: 'L' };
    expect(await recordLink(db, again, T + 1)).toStrictEqual(again);
  });
});

describeStores('markTaskSeen (%s store)', (kind) => {
  it('sets the seen time of that task only, and only moves it forward', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await recordLink(db, { entity: 'case', entityId: 'A', cuTaskId: 'T-A', cuListId: 'L' }, T);
    await recordLink(db, { entity: 'case', entityId: 'B', cuTaskId: 'T-B', cuListId: 'L', seenAt: 50 }, T);
    const seen = async () => (await rows(store)).map((r) => [r.cu_task_id, r.cu_seen_at]);

    await markTaskSeen(db, 'T-A', 100); // from none
    expect(await seen()).toEqual([
      ['T-A', 100],
      ['T-B', 50],
    ]);
    await markTaskSeen(db, 'T-A', 90); // back: kept
    await markTaskSeen(db, 'T-A', 100); // the same: kept
    expect(await seen()).toEqual([
      ['T-A', 100],
      ['T-B', 50],
    ]);
    await markTaskSeen(db, 'T-A', 101); // forward
    await markTaskSeen(db, 'T-B', 40); // back from a recorded time: kept
    expect(await seen()).toEqual([
      ['T-A', 101],
      ['T-B', 50],
    ]);
    await markTaskSeen(db, 'T-B', 60);
    await markTaskSeen(db, 'T-none', 1_000); // no such task: nothing
    expect(await seen()).toEqual([
      ['T-A', 101],
      ['T-B', 60],
    ]);
    expect((await getLinkByTask(db, 'T-B'))?.seenAt).toBe(60);
    // Nothing else of the rows changes.
    expect(await rows(store)).toEqual([
      { entity: 'case', entity_id: 'A', cu_task_id: 'T-A', cu_list_id: 'L', created_at: T, cu_seen_at: 101 },
      { entity: 'case', entity_id: 'B', cu_task_id: 'T-B', cu_list_id: 'L', created_at: T, cu_seen_at: 60 },
    ]);
  });
});

describeStores('setLinkList (%s store)', (kind) => {
  it("moves that task's link to another list: true when it moved, false when it was there already", async () => {
    const { store } = await make(kind);
    const db = store.db;
    await recordLink(db, { entity: 'case', entityId: 'A', cuTaskId: 'T-A', cuListId: 'L-1' }, T);
    await recordLink(db, { entity: 'case', entityId: 'B', cuTaskId: 'T-B', cuListId: 'L-1', seenAt: 5 }, T);
    expect(await setLinkList(db, 'T-A', 'L-1')).toBe(false);
    expect(await setLinkList(db, 'T-none', 'L-2')).toBe(false);
    expect(await setLinkList(db, 'T-A', 'L-2')).toBe(true);
    expect(await rows(store)).toEqual([
      { entity: 'case', entity_id: 'A', cu_task_id: 'T-A', cu_list_id: 'L-2', created_at: T, cu_seen_at: null },
      { entity: 'case', entity_id: 'B', cu_task_id: 'T-B', cu_list_id: 'L-1', created_at: T, cu_seen_at: 5 },
    ]);
    expect(await setLinkList(db, 'T-A', 'L-2')).toBe(false);
    expect(await getLink(db, 'case', 'A')).toStrictEqual({
      entity: 'case',
      entityId: 'A',
      cuTaskId: 'T-A',
      cuListId: 'L-2',
    });
    expect(await setLinkList(db, 'T-A', 'L-1')).toBe(true);
    expect((await rows(store)).map((r) => r.cu_list_id)).toEqual(['L-1', 'L-1']);
  });
});

describeStores('listLinksOutside (%s store)', (kind) => {
  it('lists the links outside our lists, in entity order, up to the limit; rows without a task never', async () => {
    const { store } = await make(kind);
    const db = store.db;
    // Inserted out of order: the answer's order is the query's, not the table's.
    await recordLink(db, { entity: 'onboarding', entityId: '1', cuTaskId: 'T-O1', cuListId: 'MOVED' }, T);
    await recordLink(db, { entity: 'case', entityId: '2', cuTaskId: 'T-C2', cuListId: 'ELSEWHERE', seenAt: 3 }, T);
    await recordLink(db, { entity: 'case', entityId: '1', cuTaskId: 'T-C1', cuListId: 'MOVED' }, T);
    await recordLink(db, { entity: 'case', entityId: '0', cuTaskId: 'T-C0', cuListId: 'OURS-1' }, T);
    await recordLink(db, { entity: 'case', entityId: '3', cuTaskId: 'T-C3', cuListId: 'OURS-2' }, T);
    await db
      .insertInto('links')
      .values({
        entity: 'case',
        entity_id: '4',
        cu_task_id: null,
        cu_list_id: 'MOVED',
        created_at: T,
        cu_seen_at: null,
      })
      .execute();
    const outside = [
      { entity: 'case', entityId: '1', cuTaskId: 'T-C1', cuListId: 'MOVED' },
      { entity: 'case', entityId: '2', cuTaskId: 'T-C2', cuListId: 'ELSEWHERE' },
      { entity: 'onboarding', entityId: '1', cuTaskId: 'T-O1', cuListId: 'MOVED' },
    ];
    expect(await listLinksOutside(db, ['OURS-1', 'OURS-2'])).toStrictEqual(outside);
    expect(await listLinksOutside(db, ['OURS-1', 'OURS-2'], 2)).toStrictEqual(outside.slice(0, 2));
    expect(await listLinksOutside(db, ['OURS-1', 'OURS-2', 'MOVED'])).toStrictEqual([outside[1]]);
    expect(await listLinksOutside(db, ['OURS-2'])).toStrictEqual([
      { entity: 'case', entityId: '0', cuTaskId: 'T-C0', cuListId: 'OURS-1' },
      ...outside,
    ]);
    // No list of ours known: every link with a task.
    expect(await listLinksOutside(db, [])).toStrictEqual([
      { entity: 'case', entityId: '0', cuTaskId: 'T-C0', cuListId: 'OURS-1' },
      ...outside.slice(0, 2),
      { entity: 'case', entityId: '3', cuTaskId: 'T-C3', cuListId: 'OURS-2' },
      outside[2],
    ]);
  });
});
