import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/**
 * Take one call from a token's shared budget: `limit` calls per `windowMs`, counted in the store so every
 * instance using the token draws from the same window. One guarded upsert: a new window starts when the
 * old one has ended; otherwise the count goes up only while it is under the limit. Returns 0 when the call
 * may go, else how long until the window ends.
 */
export async function takeClickUpBudget(db: Kysely<Database>, tokenKey: string, limit: number, windowMs: number, now: number): Promise<number> {
  const r = await sql<{ used: number }>`
    INSERT INTO clickup_budget (token_key, window_ends_at, used, updated_at) VALUES (${tokenKey}, ${now + windowMs}, 1, ${now})
    ON CONFLICT (token_key) DO UPDATE SET
      used = CASE WHEN clickup_budget.window_ends_at <= ${now} THEN 1 ELSE clickup_budget.used + 1 END,
      window_ends_at = CASE WHEN clickup_budget.window_ends_at <= ${now} THEN ${now + windowMs} ELSE clickup_budget.window_ends_at END,
      updated_at = ${now}
    WHERE clickup_budget.window_ends_at <= ${now} OR clickup_budget.used < ${limit}
    RETURNING used`.execute(db);
  if (r.rows.length > 0) return 0;
  const row = await sql<{ window_ends_at: number }>`SELECT window_ends_at FROM clickup_budget WHERE token_key = ${tokenKey}`.execute(db);
  return Math.max(1, Number(row.rows[0]?.window_ends_at ?? now + 1) - now);
}

/** A token's shared budget over the store (the token itself is never stored: its SHA-256 names the row). */
export function clickUpBudgetFor(db: Kysely<Database>, token: string, now: () => number = Date.now): { take(limit: number, windowMs: number): Promise<number> } {
  const key = createHash('sha256').update(token).digest('hex');
  return { take: (limit, windowMs) => takeClickUpBudget(db, key, limit, windowMs, now()) };
}
