import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.ts';
import * as m001 from './migrations/001_initial.ts';
import * as m002 from './migrations/002_console.ts';
import * as m003 from './migrations/003_flow_records.ts';
import * as m005 from './migrations/005_sla.ts';
import * as m006 from './migrations/006_mailbox.ts';
import * as m007 from './migrations/007_secrets.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the data lives, for messages (a file path or a postgres URL without password). */
  location: string;
  close(): Promise<void>;
}

const MIGRATIONS: Record<string, { up: (db: Kysely<any>, d: Dialect) => Promise<void> }> = {
  '001_initial': m001,
  '002_console': m002,
  '003_flow_records': m003,
  '005_sla': m005,
  '006_mailbox': m006,
  '007_secrets': m007,
};

class InCodeMigrations implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, mod] of Object.entries(MIGRATIONS)) out[name] = { up: (db) => mod.up(db, this.dialect) };
    return out;
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/**
 * Kysely prepares every query anew; the same few statements run thousands of times a second here, so
 * prepared statements are kept (better-sqlite3 statements are reusable) in a bounded map.
 */
function withStatementCache(database: import('better-sqlite3').Database, max = 500) {
  const cache = new Map<string, import('better-sqlite3').Statement>();
  return {
    close: () => database.close(),
    prepare: (sqlText: string) => {
      let st = cache.get(sqlText);
      if (!st) {
        st = database.prepare(sqlText);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sqlText, st);
      }
      return st;
    },
  };
}

/** Open the store named by `url` (`sqlite:PATH`, `sqlite::memory:` or `postgres://…`). Does not migrate. */
export async function openStore(url: string): Promise<Store> {
  if (url.startsWith('sqlite:')) {
    const { default: SQLite } = await import('better-sqlite3');
    const path = url.slice('sqlite:'.length);
    const file = path === ':memory:' ? ':memory:' : resolve(path);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const database = new SQLite(file);
    // WAL + NORMAL: a committed transaction survives a process crash (kill -9); only an OS crash can lose the last ones.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
    return { db, dialect: 'sqlite', location: file, close: () => db.destroy() };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pg = await import('pg');
    const Pool = pg.default.Pool;
    // int8 columns hold ms epochs and ids: well inside Number's exact range.
    pg.default.types.setTypeParser(20, (v: string) => Number(v));
    const pool = new Pool({ connectionString: url, max: 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', location: redactUrl(url), close: () => db.destroy() };
  }
  throw new Error(`store.url must start with sqlite: or postgres:// (got ${JSON.stringify(url)})`);
}

/** Apply pending migrations; throws with the failing migration's name. */
export async function migrate(store: Store): Promise<string[]> {
  const migrator = new Migrator({ db: store.db, provider: new InCodeMigrations(store.dialect) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed on ${store.location}: ${(error as Error).message}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function openMigratedStore(url: string): Promise<Store> {
  const store = await openStore(url);
  await migrate(store);
  return store;
}
