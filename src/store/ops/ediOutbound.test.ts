import { afterAll, describe, expect, it } from 'vitest';
import { describeStores, pgOrWarn, storeMakers } from '../../../test/helpers/pgStore.ts';
import { openMigratedStore } from '../db.ts';
import { allocateControlNumbers, MAX_CONTROL_NUMBER } from './ediOutbound.ts';

const makers = storeMakers();
const pgUp = await pgOrWarn('src/store/ops/ediOutbound.test.ts');
afterAll(async () => makers.postgres.dispose());

describeStores(pgUp)('EDI control numbers on %s', (dialect) => {
  it('continue after the last one handed out when the store is opened again (a restart)', async () => {
    const { store, url, cleanup } = await makers[dialect].make();
    try {
      const a = await allocateControlNumbers(store.db, 'x12|ZZ:US|ZZ:THEM', 'interchange', 1, 1);
      const b = await allocateControlNumbers(store.db, 'x12|ZZ:US|ZZ:THEM', 'transaction', 3, 1);
      expect([a, b]).toEqual([1, 1]);
      await store.close();
      const again = await openMigratedStore(url);
      try {
        expect(await allocateControlNumbers(again.db, 'x12|ZZ:US|ZZ:THEM', 'interchange', 1, 2)).toBe(2);
        expect(await allocateControlNumbers(again.db, 'x12|ZZ:US|ZZ:THEM', 'transaction', 2, 2)).toBe(4);
        // Another partner (scope) counts on its own.
        expect(await allocateControlNumbers(again.db, 'x12|ZZ:US|ZZ:OTHER', 'interchange', 1, 2)).toBe(1);
      } finally {
        await again.close();
      }
    } finally {
      await cleanup().catch(() => undefined);
    }
  });

  // PostgreSQL: two stores (two instances' pools) on one database. SQLite runs one bridge per file: its
  // concurrent transactions are one store's.
  it('never hand the same number to two callers allocating at once, each in its own transaction', async () => {
    const { store, url, cleanup } = await makers[dialect].make();
    const other = dialect === 'postgres' ? await openMigratedStore(url, { poolMax: 4 }) : store;
    try {
      const take = (s: typeof store) =>
        s.db.transaction().execute(async (trx) => {
          const n = await allocateControlNumbers(trx, 'edifact|14:US|14:THEM', 'interchange', 2, 1);
          return [n, n + 1];
        });
      const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => take(i % 2 === 0 ? store : other)));
      const all = runs.flat().sort((x, y) => x - y);
      expect(all).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    } finally {
      if (other !== store) await other.close();
      await cleanup();
    }
  });

  it('a counter replacing older ones (one per sender instead of per partner) starts after the highest of them', async () => {
    const { store, cleanup } = await makers[dialect].make();
    try {
      await allocateControlNumbers(store.db, 'x12|ZZ:US|ZZ:A', 'interchange', 7, 1);
      await allocateControlNumbers(store.db, 'x12|ZZ:US|ZZ:B', 'interchange', 3, 1);
      await allocateControlNumbers(store.db, 'x12|ZZ:OTHER|ZZ:A', 'interchange', 50, 1);
      await allocateControlNumbers(store.db, 'x12|ZZ:US|ZZ:A', 'group', 40, 1);
      const after = { continueAfter: 'x12|ZZ:US|%' };
      expect(await allocateControlNumbers(store.db, 'x12|ZZ:US', 'interchange', 1, 2, after)).toBe(8);
      expect(await allocateControlNumbers(store.db, 'x12|ZZ:US', 'interchange', 2, 2, after)).toBe(9);
      // Once it exists it counts on its own: a later per-partner number does not move it.
      await allocateControlNumbers(store.db, 'x12|ZZ:US|ZZ:B', 'interchange', 100, 3);
      expect(await allocateControlNumbers(store.db, 'x12|ZZ:US', 'interchange', 1, 3, after)).toBe(11);
      expect(await allocateControlNumbers(store.db, 'x12|ZZ:US', 'transaction', 1, 3, after)).toBe(1);
    } finally {
      await cleanup();
    }
  });

  it('give back what a rolled-back transaction took, and wrap past the largest number to 1', async () => {
    const { store, cleanup } = await makers[dialect].make();
    try {
      await store.db
        .transaction()
        .execute(async (trx) => {
          await allocateControlNumbers(trx, 's', 'group', 5, 1);
          throw new Error('rolled back');
        })
        .catch(() => undefined);
      expect(await allocateControlNumbers(store.db, 's', 'group', 1, 1)).toBe(1);
      await store.db
        .updateTable('edi_control_numbers')
        .set({ last: MAX_CONTROL_NUMBER - 1 })
        .where('scope', '=', 's')
        .execute();
      expect(await allocateControlNumbers(store.db, 's', 'group', 1, 1)).toBe(MAX_CONTROL_NUMBER);
      expect(await allocateControlNumbers(store.db, 's', 'group', 2, 1)).toBe(1);
    } finally {
      await cleanup();
    }
  });
});

describe('allocateControlNumbers', () => {
  it('refuses a count that is not a small positive integer', async () => {
    const { store, cleanup } = await makers.sqlite.make();
    try {
      await expect(allocateControlNumbers(store.db, 's', 'group', 0, 1)).rejects.toThrow(/count/);
    } finally {
      await cleanup();
    }
  });
});
