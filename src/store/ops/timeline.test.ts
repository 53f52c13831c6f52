import { InsertQueryNode, ValuesNode, type KyselyPlugin } from 'kysely';
import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { withConsoleTables } from '../consoleSchema.ts';
import { recordTimeline, timelineChunks, type TimelineEntry } from './timeline.ts';

const { describeStores, make } = await storesUnderTest('src/store/ops/timeline.test.ts');

/** Records the row count of every insert the store is asked to run: each count is its own SQL text. */
function insertSizes(): { plugin: KyselyPlugin; sizes: Set<number> } {
  const sizes = new Set<number>();
  return {
    sizes,
    plugin: {
      transformQuery: ({ node }) => {
        if (InsertQueryNode.is(node) && node.values && ValuesNode.is(node.values)) sizes.add(node.values.values.length);
        return node;
      },
      transformResult: ({ result }) => Promise.resolve(result),
    },
  };
}

const entries = (n: number, batch: number): TimelineEntry[] =>
  Array.from({ length: n }, (_, i) => ({
    caseId: null,
    at: batch * 1000 + i,
    kind: 'event',
    detail: `batch ${batch} entry ${i}`,
    status: 'done',
  }));

it('splits a batch into 64s and then powers of two, summing to the batch', () => {
  for (let n = 0; n <= 600; n++) {
    const chunks = timelineChunks(n);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(n);
    for (const c of chunks) expect([1, 2, 4, 8, 16, 32, 64]).toContain(c);
  }
  expect(timelineChunks(100)).toEqual([64, 32, 4]);
});

describeStores('recordTimeline (%s store)', (kind) => {
  it('writes batches of every size with at most seven distinct inserts, every entry once and in order', async () => {
    const t = await make(kind);
    try {
      const { plugin, sizes } = insertSizes();
      const db = t.store.db.withPlugin(plugin);
      let total = 0;
      for (let n = 1; n <= 150; n++) {
        await recordTimeline(db, entries(n, n));
        total += n;
      }
      // One insert per batch size would be 150 distinct statements, the largest of 150 rows.
      expect([...sizes].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64]);
      const rows = await withConsoleTables(t.store.db)
        .selectFrom('timeline')
        .select(['at', 'detail'])
        .orderBy('id')
        .execute();
      expect(rows).toHaveLength(total);
      expect(new Set(rows.map((r) => r.detail)).size).toBe(total);
      const batch150 = rows.filter((r) => r.detail.startsWith('batch 150 '));
      expect(batch150.map((r) => Number(r.at))).toEqual(entries(150, 150).map((e) => e.at));
    } finally {
      await t.cleanup();
    }
  });
});
