import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** A grant of shared budget: the units may be spent until `until` (the shared window's end). */
export type BudgetTake = { until: number } | { wait: number };

/**
 * Take `units` calls (all or none) from a token's shared budget: `limit` calls per `windowMs`, counted in
 * the store so every instance using the token draws from the same window. One guarded upsert: a new window
 * starts when the old one has ended; otherwise the count goes up only while it stays within the limit.
 * Returns the window's end when granted (the units are valid until then), else how long until it ends.
 *
 * `remoteWindowEndsAt` is when the remote's own window ends, as the caller last read it (ClickUp's
 * X-RateLimit-Reset). A new shared window ends then when that is ahead of `now` by at most one window, so
 * the shared window and ClickUp's coincide; otherwise (unknown, past, or too far ahead) at `now + windowMs`.
 * Unaligned, a shared window starting mid-way through ClickUp's spans two of them, and the instances could
 * spend most of a limit at the end of one ClickUp window and most of another at the start of the next.
 */
export async function takeClickUpBudget(
  db: Kysely<Database>,
  tokenKey: string,
  limit: number,
  windowMs: number,
  now: number,
  units = 1,
  remoteWindowEndsAt?: number,
): Promise<BudgetTake> {
  const n = Math.max(1, Math.min(units, limit));
  const newEnd =
    remoteWindowEndsAt !== undefined &&
    Number.isFinite(remoteWindowEndsAt) &&
    remoteWindowEndsAt > now &&
    remoteWindowEndsAt <= now + windowMs
      ? Math.round(remoteWindowEndsAt)
      : now + windowMs;
  const r = await sql<{ window_ends_at: number }>`
    INSERT INTO clickup_budget (token_key, window_ends_at, used, updated_at) VALUES (${tokenKey}, ${newEnd}, ${n}, ${now})
    ON CONFLICT (token_key) DO UPDATE SET
      used = CASE WHEN clickup_budget.window_ends_at <= ${now} THEN ${n} ELSE clickup_budget.used + ${n} END,
      window_ends_at = CASE WHEN clickup_budget.window_ends_at <= ${now} THEN ${newEnd} ELSE clickup_budget.window_ends_at END,
      updated_at = ${now}
    WHERE clickup_budget.window_ends_at <= ${now} OR clickup_budget.used + ${n} <= ${limit}
    RETURNING window_ends_at`.execute(db);
  if (r.rows.length > 0) return { until: Number(r.rows[0]!.window_ends_at) };
  const row = await sql<{
    window_ends_at: number;
  }>`SELECT window_ends_at FROM clickup_budget WHERE token_key = ${tokenKey}`.execute(db);
  return { wait: Math.max(1, Number(row.rows[0]?.window_ends_at ?? now + 1) - now) };
}

/** A token's shared budget over the store (the token itself is never stored: its SHA-256 names the row). */
export function clickUpBudgetFor(
  db: Kysely<Database>,
  token: string,
  now: () => number = Date.now,
): {
  take(limit: number, windowMs: number, units: number, remoteWindowEndsAt?: number): Promise<BudgetTake>;
} {
  const key = createHash('sha256').update(token).digest('hex');
  return {
    take: (limit, windowMs, units, remoteWindowEndsAt) =>
      takeClickUpBudget(db, key, limit, windowMs, now(), units, remoteWindowEndsAt),
  };
}
