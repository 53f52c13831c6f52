import { sql, type RawBuilder } from 'kysely';
import { PG_NOW_MS, SQLITE_NOW_MS } from '../dbClock.ts';
import type { Dialect } from '../db.ts';

/**
 * The text of each fast-path statement (webhook intake, job claim, job completion), once per dialect: a change
 * to a statement is made here and nowhere else. Each runs several times a second, so on SQLite it runs as a
 * cached prepared statement on the raw connection (sqliteDriver.ts); every other caller (PostgreSQL, a
 * transaction, a Kysely instance not opened by `openStore`) runs the same text through `bound`.
 *
 * `?` marks a parameter (the folded completion's CTE, renumbered into a larger statement, numbers its own); the
 * comment over each text lists them in order. No text has a `?` of its own.
 */

/** The parameters of `text` bound in order, as a Kysely raw query (`?` on SQLite, `$n` on PostgreSQL). */
export function bound<R = unknown>(text: string, params: readonly unknown[]): RawBuilder<R> {
  const parts = text.split('?');
  if (parts.length !== params.length + 1)
    throw new Error(`a fast-path statement has ${parts.length - 1} parameters but was given ${params.length}`);
  return sql<R>(Object.assign(parts, { raw: parts }), ...params);
}

/**
 * Recording an inbound event on SQLite, two statements in one transaction. Event: source, event id, type, payload
 * (JSON), received at. A duplicate (source, event id) changes no row, and its job is not inserted.
 */
export const SQLITE_INSERT_EVENT =
  'INSERT INTO inbound_events (source, event_id, type, payload, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, event_id) DO NOTHING';
/** Its job: kind, key, queue key, payload (JSON), run at, max attempts, created at, updated at. */
export const SQLITE_INSERT_EVENT_JOB =
  "INSERT INTO jobs (kind, key, queue_key, payload, state, run_at, attempts, max_attempts, created_at, updated_at) VALUES (?, ?, ?, ?, 'ready', ?, 0, ?, ?, ?) ON CONFLICT (key) DO NOTHING";

/** One event's row in `pgRecordInboundEvents`: its place in the batch, then its parameters. */
const pgInboundRow = (ord: number): string =>
  `(${ord}, ?, ?, ?, ?, ?::bigint, ?, ?, ?::text, ?, ?::bigint, ?::integer)`;

/**
 * Recording `rows` inbound events on PostgreSQL: the events and the jobs of the new ones in one statement (atomic on
 * its own: one round trip per batch instead of four). The new jobs are announced after the statement, not by it
 * (`announceNewJobs`; pgAnnounce.ts says why). Parameters: each row's (source, event id, type, payload, received at,
 * kind, key, queue key, job payload, run at, max attempts), then created at and updated at. Returns the (source,
 * event_id) of the new events. The same event twice in one batch queues the first delivery's job only, as on
 * SQLite. The jobs are inserted in the rows' order (so their ids follow it, as on SQLite): a catch-up records a
 * case's events oldest first, and jobs of one queue key run in id order.
 */
export function pgRecordInboundEvents(rows: number): string {
  return `
      WITH v (ord, source, event_id, type, payload, received_at, kind, key, queue_key, job_payload, run_at, max_attempts) AS (VALUES ${Array.from({ length: rows }, (_, i) => pgInboundRow(i)).join(', ')}),
      ev AS (
        INSERT INTO inbound_events (source, event_id, type, payload, received_at)
        SELECT source, event_id, type, payload, received_at FROM v
        ON CONFLICT (source, event_id) DO NOTHING
        RETURNING source, event_id),
      jb AS (
        -- Run whether or not the query below reads it (PostgreSQL runs every data-modifying WITH to completion).
        INSERT INTO jobs (kind, key, queue_key, payload, state, run_at, attempts, max_attempts, created_at, updated_at)
        SELECT v.kind, v.key, v.queue_key, v.job_payload, 'ready', v.run_at, 0, v.max_attempts, ?::bigint, ?::bigint
        FROM (SELECT DISTINCT ON (source, event_id) * FROM v ORDER BY source, event_id, ord) v
        JOIN ev ON ev.source = v.source AND ev.event_id = v.event_id
        ORDER BY v.ord
        ON CONFLICT (key) DO NOTHING
        RETURNING 1)
      SELECT ev.source, ev.event_id FROM ev`;
}

/** Where the lease of a claim runs out: `?` (the caller's clock, already added) or the database's clock plus `?`. */
const leaseEnd = (dialect: Dialect, clock: 'caller' | 'db'): string =>
  clock === 'caller' ? '?' : `${dialect === 'sqlite' ? SQLITE_NOW_MS : PG_NOW_MS} + ?`;

/** The due jobs a claim may take, in order: none while an earlier job of its queue key is unfinished. */
const CLAIMABLE = `
      SELECT j.id FROM jobs j
      WHERE j.state = 'ready' AND j.run_at <= ?
        AND (j.queue_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM jobs e WHERE e.queue_key = j.queue_key AND e.id < j.id AND e.state IN ('ready', 'running')))
      ORDER BY j.run_at, j.id
      LIMIT ?`;

/**
 * Claiming up to a limit of due jobs, with the lease on the caller's clock or the database's. SQLite parameters:
 * worker id, lease end (caller) or lease length (db), now, now (due), limit. PostgreSQL parameters: now (due),
 * limit, worker id, lease end or length, now. PostgreSQL locks the candidates with FOR UPDATE SKIP LOCKED in a
 * materialised CTE, so instances claiming at once take disjoint jobs and the LIMIT is applied once.
 */
function claimJobsText(dialect: Dialect, clock: 'caller' | 'db'): string {
  if (dialect === 'sqlite')
    return `
    UPDATE jobs SET state = 'running', locked_by = ?, locked_until = ${leaseEnd(dialect, clock)}, attempts = attempts + 1, claims = claims + 1, updated_at = ?
    WHERE id IN (${CLAIMABLE})
    RETURNING *`;
  return `
    WITH c AS MATERIALIZED (${CLAIMABLE}
      FOR UPDATE OF j SKIP LOCKED)
    UPDATE jobs SET state = 'running', locked_by = ?, locked_until = ${leaseEnd(dialect, clock)},
      attempts = jobs.attempts + 1, claims = jobs.claims + 1, updated_at = ?
    FROM c WHERE jobs.id = c.id
    RETURNING jobs.*`;
}

/**
 * Completing one leased job, the same text on both dialects; it changes no row when the worker no longer holds the
 * lease. Parameters: updated at, job id, worker id.
 */
export const COMPLETE_JOB =
  "UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, last_error = NULL, failing_since = NULL, updated_at = ? WHERE id = ? AND locked_by = ? AND state = 'running'";

/** `CLAIM_JOBS[dialect][clock]`: the claim's text (see `claimJobsText` for its parameters). */
export const CLAIM_JOBS: Readonly<Record<Dialect, Readonly<Record<'caller' | 'db', string>>>> = {
  sqlite: { caller: claimJobsText('sqlite', 'caller'), db: claimJobsText('sqlite', 'db') },
  postgres: { caller: claimJobsText('postgres', 'caller'), db: claimJobsText('postgres', 'db') },
};

/**
 * Completing `n` leased jobs in one statement (PostgreSQL's group commit), the same text on both dialects; it returns
 * the ids the worker still held. Parameters: updated at, the `n` job ids, worker id.
 */
export function completeJobsText(n: number): string {
  return `UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, last_error = NULL, failing_since = NULL, updated_at = ? WHERE id IN (${Array.from({ length: n }, () => '?').join(', ')}) AND locked_by = ? AND state = 'running' RETURNING id`;
}

/**
 * Completing leased jobs inside a folded completion on PostgreSQL (foldedCommit.ts), the CTE `done` of its one
 * statement. Numbered parameters, since the statement's other writes are renumbered after them: $1 updated at, $2 the
 * job ids (bigint[]), $3 worker id. Returns the ids the worker still held.
 */
export const PG_FOLDED_COMPLETE_JOBS =
  "UPDATE jobs SET state = 'done', locked_by = NULL, locked_until = NULL, last_error = NULL, failing_since = NULL, updated_at = $1 WHERE id = ANY($2::bigint[]) AND locked_by = $3 AND state = 'running' RETURNING id";
