import { describe, expect, it } from 'vitest';
import { anyJob } from '../../test/helpers/anyJob.ts';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { createBridgeMetrics } from './bridgeMetrics.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';

describe('/metrics store counts', () => {
  it('reads the store at most once per interval however often it is scraped, and shows table sizes', async () => {
    const t = await tempSqliteStore();
    try {
      let reads = 0;
      const db = t.store.db.withPlugin({
        transformQuery: (a) => (a.node.kind === 'SelectQueryNode' && reads++, a.node),
        transformResult: async (a) => a.result,
      });
      const clickup = {
        rateLimitState: () => ({
          limit: 100,
          remaining: 100,
          resetAt: 0,
          queued: 0,
          inFlight: 0,
          rateLimited: 0,
          issued: 0,
        }),
      } as never;
      const registry = createBridgeMetrics({
        db,
        dispatcher: () => null,
        clickup,
        processMetrics: false,
        countsMaxAgeMs: 60_000,
      });
      await enqueueJobs(t.store.db, [anyJob({ kind: 'x.do', key: 'a', payload: {} })], 1);
      const first = await registry.metrics();
      expect(first).toContain('gridbridge_jobs{kind="x.do",state="ready"} 1');
      expect(first).toContain('gridbridge_table_rows{table="jobs"} 1');
      const afterFirst = reads;
      await enqueueJobs(t.store.db, [anyJob({ kind: 'x.do', key: 'b', payload: {} })], 1);
      for (let i = 0; i < 5; i++) await registry.metrics();
      // Only the held-changes gauge reads per scrape; the jobs GROUP BY and the table counts do not.
      expect(reads - afterFirst).toBe(5);
      expect(await registry.metrics()).toContain('gridbridge_jobs{kind="x.do",state="ready"} 1');
      const fresh = createBridgeMetrics({
        db,
        dispatcher: () => null,
        clickup,
        processMetrics: false,
        countsMaxAgeMs: 0,
      });
      expect(await fresh.metrics()).toContain('gridbridge_jobs{kind="x.do",state="ready"} 2');
    } finally {
      await t.cleanup();
    }
  });
});
