import { sql, PostgresAdapter, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from './schema.ts';
import type { Dialect } from './db.ts';

/**
 * The database's clock in epoch milliseconds, as an SQL expression. Leases (claim, renew, reclaim) are
 * set and compared with it, never with a worker's own clock: two instances whose clocks disagree by
 * minutes still agree on whether a lease has run out. On SQLite the database is in-process,
 * so this is the host's clock read inside the statement; on PostgreSQL it is the server's.
 */
export const SQLITE_NOW_MS = `CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)`;
export const PG_NOW_MS = `(floor(extract(epoch from clock_timestamp()) * 1000))::bigint`;

export function dbNowMs(dialect: Dialect): RawBuilder<number> {
  return sql.raw<number>(dialect === 'sqlite' ? SQLITE_NOW_MS : PG_NOW_MS);
}

export function dialectOf(db: Kysely<Database>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** The database's clock now (ms), read once (doctor, tests, the skew warning). */
export async function readDbClock(db: Kysely<Database>): Promise<number> {
  const r = await sql<{ t: number | string }>`SELECT ${dbNowMs(dialectOf(db))} AS t`.execute(db);
  return Number(r.rows[0]!.t);
}

/**
 * Where a lease's time comes from: `'db'` (the database's clock; what the dispatcher uses) or a number
 * (the caller's clock: kept for tests and tools that drive time by hand).
 */
export type LeaseClock = 'db' | number;

export function leaseNow(clock: LeaseClock, dialect: Dialect): RawBuilder<number> {
  return clock === 'db' ? dbNowMs(dialect) : sql<number>`${clock}`;
}

/** A lease's end: `leaseMs` from `from` (one parameter when the clock is the caller's, so PostgreSQL can type it). */
export function leaseUntil(from: LeaseClock, leaseMs: number, dialect: Dialect): RawBuilder<number> {
  return from === 'db' ? sql<number>`${dbNowMs(dialect)} + ${leaseMs}` : sql<number>`${from + leaseMs}`;
}
