import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Kysely, Migrator, type Migration, type MigrationProvider, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { fastSqliteDialect, type SqliteAccess } from './sqliteDriver.ts';
import { subscribePg } from './pgNotify.ts';
import { holdLeadership, type Leadership, type LeadershipEvents, type LeadershipOptions } from './pgLeader.ts';
import { startCheckpointer } from './sqliteCheckpointer.ts';
import { AnnouncingPostgresDialect, coalescedAnnouncer, noteForCommit } from './pgAnnounce.ts';
import * as m001 from './migrations/001_initial.ts';
import * as m002 from './migrations/002_console.ts';
import * as m003 from './migrations/003_flow_records.ts';
import * as m005 from './migrations/005_sla.ts';
import * as m006 from './migrations/006_mailbox.ts';
import * as m007 from './migrations/007_secrets.ts';
import * as m008 from './migrations/008_clickup_budget.ts';
import * as m009 from './migrations/009_links_seen.ts';
import * as m013 from './migrations/013_partner_channel.ts';
import * as m014 from './migrations/014_job_crashes.ts';
import * as m016 from './migrations/016_partner_guard.ts';
import * as m017 from './migrations/017_partner_page_hits.ts';
import * as m018 from './migrations/018_edi_outbound.ts';
import * as m020 from './migrations/020_as2_send.ts';
import * as m021 from './migrations/021_job_failing_since.ts';
import * as m022 from './migrations/022_sent_partner_key.ts';
import * as m023 from './migrations/023_job_waiting_on.ts';
import * as m024 from './migrations/024_job_claims.ts';
import * as m019 from './migrations/019_retention_indexes.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the data lives, for messages (a file path or a postgres URL without password). */
  location: string;
  close(): Promise<void>;
  /** SQLite only: the raw connection for the hottest statements (see sqliteDriver.ts). */
  sqlite?: SqliteAccess;
  /**
   * PostgreSQL only: call `onNotify` when another session NOTIFYs `channel` (a dedicated connection,
   * re-opened after a drop). Resolves to an unsubscribe function.
   */
  subscribe?(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  /**
   * PostgreSQL only: compete for leadership among the instances sharing the database (an advisory lock
   * on a dedicated connection, see pgLeader.ts). Without it (SQLite) the one instance leads.
   */
  lead?(events: LeadershipEvents, opts?: LeadershipOptions): Promise<Leadership>;
  /**
   * PostgreSQL only: NOTIFY `channel` after a commit (coalesced, off the caller's path; see pgAnnounce.ts for why
   * not inside the commit). Errors are reported to `onConnectionError`; listeners poll as well.
   */
  announce?(channel: string): void;
  /**
   * PostgreSQL only: a pool of one connection kept for the webhook intake's group commit (recordInboundEvent), so
   * an acknowledgement never waits for a pooled connection behind the dispatcher's queries.
   */
  intakeDb?: Kysely<Database>;
}

/** Options of `openStore`. */
export interface OpenStoreOptions {
  /**
   * PostgreSQL pool size per instance (default 10). Each instance also holds one connection for the webhook
   * intake, one for LISTEN and one for leadership: (pool size + 3) × instances must fit max_connections.
   */
  poolMax?: number;
  /**
   * PostgreSQL: longest a statement may run (ms, default 30 000; 0 = no limit) and longest a session may sit
   * idle inside a transaction (default 60 000). A stuck statement otherwise holds a pool connection forever,
   * and a starved pool stops lease renewal, so other instances run the same jobs.
   */
  statementTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
  /** PostgreSQL: give up connecting after this long (ms, default 10 000) instead of waiting on a dead host. */
  connectTimeoutMs?: number;
  /** An idle pooled connection failed (failover, pg_terminate_backend): reported here; the pool replaces it. */
  onConnectionError?: (e: Error) => void;
  /** PostgreSQL: a NOTIFY sent after a commit (`Store.announce`) failed: idle workers elsewhere wake at their next poll. */
  onAnnounceFailed?: (e: Error) => void;
  /**
   * SQLite: run the WAL checkpointer on this connection (default true). The intake thread's second
   * connection to the file leaves it to the main thread's.
   */
  checkpoint?: boolean;
}

/**
 * Least time between two announcements of one channel by one instance (`coalescedAnnouncer`): at most 50 NOTIFY
 * round trips a second however many commits queue jobs; an idle instance elsewhere hears of new jobs up to 20 ms
 * later under that load, and at once after a quiet spell.
 */
const ANNOUNCE_MIN_INTERVAL_MS = 20;

const storesByDb = new WeakMap<object, Store>();

/** The store a Kysely instance belongs to (ops that take only `db` use it to find the fast path). */
export function storeOf(db: object): Store | undefined {
  return storesByDb.get(db);
}

/**
 * PostgreSQL: NOTIFY `channel` once what `db` wrote is committed: inside a transaction, after its COMMIT; on a
 * store's Kysely (each statement its own commit), now, after the statement. Never inside the commit: see
 * pgAnnounce.ts for why. Coalesced, and off the caller's path. Nothing on SQLite (one process) or on a Kysely
 * `openStore` did not make (its listeners find the rows at their next poll).
 */
export async function announceAfterCommit(
  db: Kysely<Database> | Transaction<Database>,
  channel: string,
): Promise<void> {
  if (db.isTransaction) await noteForCommit(db as Transaction<Database>, channel);
  else storeOf(db)?.announce?.(channel);
}

const MIGRATIONS: Record<string, { up: (db: Kysely<unknown>, d: Dialect) => Promise<void> }> = {
  '001_initial': m001,
  '002_console': m002,
  '003_flow_records': m003,
  '005_sla': m005,
  '006_mailbox': m006,
  '007_secrets': m007,
  '008_clickup_budget': m008,
  '009_links_seen': m009,
  '013_partner_channel': m013,
  '014_job_crashes': m014,
  '016_partner_guard': m016,
  '017_partner_page_hits': m017,
  '018_edi_outbound': m018,
  '019_retention_indexes': m019,
  '020_as2_send': m020,
  '021_job_failing_since': m021,
  '022_sent_partner_key': m022,
  '023_job_waiting_on': m023,
  '024_job_claims': m024,
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

/** Open the store named by `url` (`sqlite:PATH`, `sqlite::memory:` or `postgres://…`). Does not migrate. */
export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
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
    // Statements are prepared once and cached; hot ops also use the raw connection (sqliteDriver.ts).
    const { dialect, access } = fastSqliteDialect(database);
    const db = new Kysely<Database>({ dialect });
    const checkpointer = file === ':memory:' || opts.checkpoint === false ? null : startCheckpointer(database, file);
    const close = async () => {
      await checkpointer?.close();
      await db.destroy();
    };
    const store: Store = { db, dialect: 'sqlite', location: file, close, sqlite: access };
    storesByDb.set(db, store);
    return store;
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pg = await import('pg');
    const Pool = pg.default.Pool;
    // int8 columns hold ms epochs and ids: well inside Number's exact range.
    pg.default.types.setTypeParser(20, (v: string) => Number(v));
    // plan_cache_mode = force_custom_plan on every connection: a prepared claim query must never switch to a
    // generic plan built while the jobs table was empty (a sequential scan that drained a backlog ~7x
    // slower in BENCHMARKS.md). Kysely's pg driver sends unnamed statements today, which are planned per
    // execution anyway; the setting keeps that true if named statements are ever used.
    const settings = [
      '-c plan_cache_mode=force_custom_plan',
      `-c statement_timeout=${opts.statementTimeoutMs ?? 30_000}`,
      `-c idle_in_transaction_session_timeout=${opts.idleInTransactionTimeoutMs ?? 60_000}`,
    ].join(' ');
    const pool = new Pool({
      connectionString: url,
      max: opts.poolMax ?? 10,
      options: settings,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
      keepAlive: true,
    });
    // Without a listener an idle client's error (its backend terminated by a failover or an operator) is
    // an uncaught 'error' event: it would crash every instance at once. The pool drops that client itself.
    pool.on('error', (e) => opts.onConnectionError?.(e));
    // The pool listens only while a client is idle; a checked-out one (a transaction between two
    // statements) would emit the same error unheard. Its pending query fails; the pool discards it on release.
    pool.on('connect', (client) => client.on('error', (e) => opts.onConnectionError?.(e)));
    // Transactions NOTIFY the channels noted in them (noteForCommit) after their commit, through `announce`.
    const announceLater = (channel: string) => store.announce?.(channel);
    const db = new Kysely<Database>({ dialect: new AnnouncingPostgresDialect({ pool }, announceLater) });
    const intakePool = new Pool({
      connectionString: url,
      max: 1,
      options: settings,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
      keepAlive: true,
    });
    intakePool.on('error', (e) => opts.onConnectionError?.(e));
    intakePool.on('connect', (client) => client.on('error', (e) => opts.onConnectionError?.(e)));
    const intakeDb = new Kysely<Database>({
      dialect: new AnnouncingPostgresDialect({ pool: intakePool }, announceLater),
    });
    const announcers = new Map<string, () => void>();
    let closed = false;
    const subscriptions = new Set<() => Promise<void>>();
    const leaderships = new Set<Leadership>();
    const store: Store = {
      db,
      dialect: 'postgres',
      location: redactUrl(url),
      close: async () => {
        closed = true;
        await Promise.allSettled([...subscriptions].map((u) => u()));
        await Promise.allSettled([...leaderships].map((l) => l.stop()));
        await Promise.all([db.destroy(), intakeDb.destroy()]);
      },
      intakeDb,
      announce: (channel) => {
        if (closed) return;
        let a = announcers.get(channel);
        if (!a) {
          a = coalescedAnnouncer(
            () => pool.query('SELECT pg_notify($1, $2)', [channel, '']),
            (e) => {
              if (!closed) opts.onAnnounceFailed?.(e as Error);
            },
            ANNOUNCE_MIN_INTERVAL_MS,
          );
          announcers.set(channel, a);
        }
        a();
      },
      subscribe: async (channel, onNotify) => {
        const unsubscribe = await subscribePg(pg.default.Client, url, channel, onNotify);
        const u = async () => {
          subscriptions.delete(u);
          await unsubscribe();
        };
        subscriptions.add(u);
        return u;
      },
      lead: async (events, leadOpts) => {
        const l = await holdLeadership(pg.default.Client, url, events, leadOpts);
        leaderships.add(l);
        return {
          isLeader: l.isLeader,
          stop: async () => {
            leaderships.delete(l);
            await l.stop();
          },
        };
      },
    };
    storesByDb.set(db, store);
    return store;
  }
  throw new Error(`store.url must start with sqlite: or postgres:// (got ${JSON.stringify(url)})`);
}

/** Apply pending migrations (up to and with `upTo`, for tests of one migration); throws with the failing migration's name. */
export async function migrate(store: Store, upTo?: string): Promise<string[]> {
  // Migrations are written in parallel branches and each stands alone: one merged later with a lower number
  // than one a database already ran must still run, not stop the bridge.
  const migrator = new Migrator({
    db: store.db,
    provider: new InCodeMigrations(store.dialect),
    allowUnorderedMigrations: true,
  });
  const { error, results } = await (upTo === undefined ? migrator.migrateToLatest() : migrator.migrateTo(upTo));
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(
      `migration ${failed?.migrationName ?? '?'} failed on ${store.location}: ${(error as Error).message}`,
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function openMigratedStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  if (!url.startsWith('sqlite:') && (opts.statementTimeoutMs ?? 30_000) > 0) {
    // Migrations may build indexes on large tables: they run on a pool without the statement timeout.
    const migrating = await openStore(url, { ...opts, statementTimeoutMs: 0, poolMax: 1 });
    try {
      await migrate(migrating);
    } finally {
      await migrating.close();
    }
    return openStore(url, opts);
  }
  const store = await openStore(url, opts);
  await migrate(store);
  return store;
}
