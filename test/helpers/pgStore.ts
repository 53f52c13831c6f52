import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { describe } from 'vitest';
import { openMigratedStore, type Store } from '../../src/store/db.ts';
import { tempSqliteStore } from './tempStore.ts';

/** Server the PostgreSQL tests use (CI starts it in .ci/run). Trust auth; `GB_TEST_PG_URL` overrides. */
export const PG_ADMIN_URL = process.env.GB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let probe: Promise<string | null> | null = null;

/** null when PostgreSQL answers; otherwise why not (the tests skip and say so loudly). */
export function pgUnavailable(): Promise<string | null> {
  probe ??= (async () => {
    // `npm run mutate` runs some modules on SQLite alone (a PostgreSQL database per test file per mutant is
    // too slow on the shared machine): their PostgreSQL halves are skipped, counted and said so.
    if (process.env.GB_TEST_STORES === 'sqlite') return 'GB_TEST_STORES=sqlite (PostgreSQL left out on purpose)';
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return null;
    } catch (e) {
      return `${PG_ADMIN_URL}: ${(e as Error).message}`;
    } finally {
      await c.end().catch(() => undefined);
    }
  })();
  return probe;
}

/**
 * Whether PostgreSQL answers. Outside CI its tests are skipped loudly (counted as skipped, and why is
 * printed); under CI=true a suite that needs it FAILS instead: a CI run without its services is no pass.
 */
export async function pgOrWarn(suite: string): Promise<boolean> {
  const why = await pgUnavailable();
  if (why && isCi())
    throw new Error(
      `${suite} needs PostgreSQL and CI=true: cannot reach it (${why}). .ci/run starts it and creates the role and database the tests use.`,
    );
  if (why)
    console.warn(
      `\n*** PostgreSQL tests of ${suite} SKIPPED: cannot reach PostgreSQL (${why}). Start it (see .ci/run) to run them. ***\n`,
    );
  return why === null;
}

/** CI=true (or 1): missing services fail the run instead of skipping. */
export function isCi(): boolean {
  return /^(true|1)$/i.test(process.env.CI ?? '');
}

/** A fresh database `gb_test_<random>` on the test server; `drop` removes it (forcing other sessions off). */
export async function createPgDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `gb_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: PG_ADMIN_URL });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** Empties every table of a migrated PostgreSQL store (ids restart), so tests in one file start alike. */
export async function truncateAll(store: Store): Promise<void> {
  const tables = (await store.db.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('kysely_'));
  if (tables.length > 0)
    await sql.raw(`TRUNCATE ${tables.map((t) => `"${t}"`).join(', ')} RESTART IDENTITY`).execute(store.db);
}

export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres'];

/**
 * `describe.each` over both stores, except that the PostgreSQL suite is declared skipped (not left out)
 * when PostgreSQL is down: its cases are collected and counted as skipped in the run's summary.
 * `name` takes `%s` for the store kind.
 */
export function describeStores(pgUp: boolean): (name: string, fn: (kind: StoreKind) => void) => void {
  return (name, fn) => {
    for (const kind of STORE_KINDS)
      (kind === 'postgres' && !pgUp ? describe.skip : describe)(name.replace('%s', kind), () => fn(kind));
  };
}

/**
 * Stores of both dialects for parameterised suites. `make()` gives a migrated, empty store; PostgreSQL
 * uses one database per test file (created on first use, dropped by `dispose`), emptied between tests.
 */
export function storeMakers(): Record<
  StoreKind,
  { make: () => Promise<{ store: Store; url: string; cleanup: () => Promise<void> }>; dispose: () => Promise<void> }
> {
  let pgDb: Promise<{ url: string; drop: () => Promise<void> }> | null = null;
  return {
    sqlite: { make: async () => tempSqliteStore(), dispose: async () => undefined },
    postgres: {
      make: async () => {
        pgDb ??= createPgDatabase();
        const { url } = await pgDb;
        const store = await openMigratedStore(url, { poolMax: 4 });
        await truncateAll(store);
        return { store, url, cleanup: () => store.close() };
      },
      dispose: async () => {
        if (pgDb) await (await pgDb).drop();
        pgDb = null;
      },
    },
  };
}

/**
 * A test file's stores of both dialects (PostgreSQL only when it answers, else a loud skip): registers
 * the hooks that close each test's stores and drop the file's database. `make` is `storeMakers()`'s,
 * with the cleanup already registered; `cleanups` takes further ones.
 */
export async function storesUnderTest(file: string): Promise<{
  pgUp: boolean;
  dialects: StoreKind[];
  describeStores: (name: string, fn: (kind: StoreKind) => void) => void;
  cleanups: Array<() => Promise<void>>;
  make: (kind: StoreKind) => Promise<{ store: Store; url: string; cleanup: () => Promise<void> }>;
}> {
  const { afterAll, afterEach } = await import('vitest');
  const makers = storeMakers();
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  afterAll(async () => {
    await makers.postgres.dispose();
  });
  const pgUp = await pgOrWarn(file);
  return {
    pgUp,
    /** Prefer `describeStores`: with `describe.each(dialects)` a skipped PostgreSQL half is not even counted. */
    dialects: pgUp ? ['sqlite', 'postgres'] : ['sqlite'],
    describeStores: describeStores(pgUp),
    cleanups,
    make: async (kind) => {
      const t = await makers[kind].make();
      cleanups.push(t.cleanup);
      return t;
    },
  };
}
