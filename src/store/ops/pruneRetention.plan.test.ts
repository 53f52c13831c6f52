import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openMigratedStore } from '../db.ts';

// The prune job's batch reads (the same WHERE and ORDER BY as pruneRetention.ts) go through an index on the
// time column (migration 019), not a scan of the table they are meant to keep small.
const READS: Array<[string, string]> = [
  ['jobs', "SELECT id FROM jobs WHERE state = 'done' AND updated_at < 5 ORDER BY updated_at LIMIT 500"],
  [
    'inbound_events',
    'SELECT source, event_id FROM inbound_events WHERE received_at < 5 ORDER BY received_at LIMIT 500',
  ],
  ['audit_log', 'SELECT id FROM audit_log WHERE at < 5 ORDER BY at LIMIT 500'],
  [
    'dead_letters',
    'SELECT id FROM dead_letters WHERE replayed_at IS NOT NULL AND replayed_at < 5 ORDER BY replayed_at LIMIT 500',
  ],
  [
    'partner_messages',
    "SELECT key FROM partner_messages WHERE state IN ('sent', 'digested', 'failed') AND created_at < 5 ORDER BY created_at LIMIT 500",
  ],
  ['partner_files', 'SELECT case_id, sha256 FROM partner_files WHERE created_at < 5 ORDER BY created_at LIMIT 500'],
  ['timeline', 'SELECT id FROM timeline WHERE at < 5 ORDER BY at LIMIT 500'],
];

describe('the prune reads use an index (SQLite query plan)', () => {
  it.each(READS)('%s', async (table, query) => {
    const store = await openMigratedStore('sqlite::memory:');
    try {
      // Done jobs among many ready ones, with statistics: the planner has the choice a real store gives it.
      if (table === 'jobs') {
        for (let i = 0; i < 2000; i++)
          await sql`INSERT INTO jobs (kind, key, payload, state, run_at, attempts, max_attempts, created_at, updated_at)
            VALUES ('k', ${`k${i}`}, '{}', ${i % 10 ? 'done' : 'ready'}, ${i}, 0, 5, ${i}, ${i})`.execute(store.db);
        await sql`ANALYZE`.execute(store.db);
      }
      const plan = (await sql.raw<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`).execute(store.db)).rows
        .map((r) => r.detail)
        .join(' | ');
      expect(plan).toMatch(new RegExp(`SEARCH ${table} USING (COVERING )?INDEX`));
      expect(plan).not.toMatch(new RegExp(`SCAN ${table}\\b`));
    } finally {
      await store.close();
    }
  });
});
