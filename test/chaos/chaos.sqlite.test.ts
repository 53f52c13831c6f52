import { describe, expect, it } from 'vitest';
import { tempSqliteStore } from '../helpers/tempStore.ts';
import { runChaos } from './harness.ts';

/**
 * Chaos on SQLite: one instance, killed with SIGKILL at random moments and restarted, through faults on
 * both sides (harness.ts). CHAOS_ITEMS / CHAOS_KILLS scale it (defaults: 5,000 items).
 */
const ITEMS = Number(process.env.CHAOS_ITEMS ?? 5000);
const KILLS = Number(process.env.CHAOS_KILLS ?? 5);

describe('chaos (SQLite, one instance killed and restarted)', () => {
  it(`${ITEMS} partner items through faults and ${KILLS} kill -9s end consistent`, async () => {
    const t = await tempSqliteStore();
    await t.store.close();
    try {
      const r = await runChaos({ items: ITEMS, instances: 1, kills: KILLS, storeUrl: t.url, label: 'chaos-sqlite' });
      process.stdout.write(`chaos sqlite: ${JSON.stringify(r.figures)}\n`);
      expect(r.violations).toEqual([]);
      expect(r.figures.kills).toBe(KILLS);
    } finally {
      await t.cleanup();
    }
  }, 1_200_000);
});
