import { describe, expect, it } from 'vitest';
import { createPgDatabase, pgOrWarn } from '../helpers/pgStore.ts';
import { runChaos } from './harness.ts';

/**
 * Chaos on PostgreSQL: three instances behind a load balancer share one database; one of them (the
 * leader too, at times) is killed with SIGKILL at random moments and restarted, through faults on both
 * sides (harness.ts). CHAOS_ITEMS / CHAOS_KILLS scale it (defaults: 5,000 items).
 */
const ITEMS = Number(process.env.CHAOS_ITEMS ?? 5000);
const KILLS = Number(process.env.CHAOS_KILLS ?? 8);
const hasPg = await pgOrWarn('test/chaos/chaos.pg.test.ts');

describe.skipIf(!hasPg)('chaos (PostgreSQL, three instances, one killed and restarted at a time)', () => {
  it(`${ITEMS} partner items through faults and ${KILLS} kill -9s end consistent`, async () => {
    const db = await createPgDatabase();
    try {
      const r = await runChaos({ items: ITEMS, instances: 3, kills: KILLS, storeUrl: db.url, label: 'chaos-pg' });
      // The database's name finds the run's errors in PostgreSQL's log (folded statements that failed, deadlocks).
      process.stdout.write(`chaos postgres (${new URL(db.url).pathname.slice(1)}): ${JSON.stringify(r.figures)}\n`);
      expect(r.violations).toEqual([]);
      expect(r.figures.kills).toBe(KILLS);
    } finally {
      await db.drop();
    }
  }, 1_200_000);
});
