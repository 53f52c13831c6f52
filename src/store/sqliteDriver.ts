import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect as KyselyDialect,
  type Driver,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';

/**
 * Direct access to the one SQLite connection, for the few hot statements that run thousands of times
 * a second (webhook intake, job claim and completion). `exclusive` takes the same connection lock as
 * Kysely, so raw statements never land inside someone else's open transaction.
 */
export interface SqliteAccess {
  readonly raw: BetterSqlite3.Database;
  /** A prepared statement, cached by its SQL text. */
  prepare(sqlText: string): BetterSqlite3.Statement;
  /**
   * Run `fn` alone on the connection (synchronously: never hold the lock across I/O). `first`: ahead of every
   * waiter that is not `first` itself (the webhook intake: its caller is waiting for an answer, while the
   * statements queued by jobs in flight are not; it still waits for the transaction holding the connection).
   */
  exclusive<T>(fn: (raw: BetterSqlite3.Database) => T, opts?: { first?: boolean }): Promise<T>;
}

/**
 * FIFO lock. Kysely's own SQLite mutex wakes every waiter on each release (they all re-check and all
 * but one go back to sleep): with ~100 waiters (webhooks + jobs in flight) that was O(n) microtask hops
 * per query. Here a release hands the connection to exactly the next waiter: the next of the `first` lane
 * if any (in their order), else the next of the others.
 */
class FifoLock {
  private locked = false;
  private readonly waiters: Array<() => void> = [];
  private readonly firstWaiters: Array<() => void> = [];
  lock(first = false): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => (first ? this.firstWaiters : this.waiters).push(resolve));
  }
  unlock(): void {
    const next = this.firstWaiters.shift() ?? this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}

class StatementCache {
  private readonly cache = new Map<string, BetterSqlite3.Statement>();
  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly max = 500,
  ) {}
  get(sqlText: string): BetterSqlite3.Statement {
    let st = this.cache.get(sqlText);
    if (!st) {
      st = this.db.prepare(sqlText);
      if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(sqlText, st);
    }
    return st;
  }
}

class FastSqliteConnection implements DatabaseConnection {
  constructor(private readonly statements: StatementCache) {}
  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const st = this.statements.get(compiled.sql);
    const params = compiled.parameters as unknown[];
    if (st.reader) return Promise.resolve({ rows: st.all(params) as R[] });
    const { changes, lastInsertRowid } = st.run(params);
    return Promise.resolve({
      numAffectedRows: changes !== undefined && changes !== null ? BigInt(changes) : undefined,
      insertId: lastInsertRowid !== undefined && lastInsertRowid !== null ? BigInt(lastInsertRowid) : undefined,
      rows: [],
    });
  }
  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const st = this.statements.get(compiled.sql);
    if (!SelectQueryNode.is(compiled.query)) throw new Error('SQLite streams select queries only');
    for (const row of st.iterate(compiled.parameters)) yield { rows: [row as R] };
  }
}

class FastSqliteDriver implements Driver {
  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly lock: FifoLock,
    private readonly connection: FastSqliteConnection,
  ) {}
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    await this.lock.lock();
    return this.connection;
  }
  async beginTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }
  async savepoint(c: DatabaseConnection, name: string): Promise<void> {
    await c.executeQuery(CompiledQuery.raw(`savepoint "${name}"`));
  }
  async rollbackToSavepoint(c: DatabaseConnection, name: string): Promise<void> {
    await c.executeQuery(CompiledQuery.raw(`rollback to "${name}"`));
  }
  async releaseSavepoint(c: DatabaseConnection, name: string): Promise<void> {
    await c.executeQuery(CompiledQuery.raw(`release "${name}"`));
  }
  async releaseConnection(): Promise<void> {
    this.lock.unlock();
  }
  async destroy(): Promise<void> {
    this.db.close();
  }
}

/** Kysely dialect over one better-sqlite3 connection: FIFO connection lock, cached statements, raw access. */
export function fastSqliteDialect(db: BetterSqlite3.Database): { dialect: KyselyDialect; access: SqliteAccess } {
  const lock = new FifoLock();
  const statements = new StatementCache(db);
  const connection = new FastSqliteConnection(statements);
  const access: SqliteAccess = {
    raw: db,
    prepare: (sqlText) => statements.get(sqlText),
    exclusive: async (fn, opts) => {
      await lock.lock(opts?.first === true);
      try {
        return fn(db);
      } finally {
        lock.unlock();
      }
    },
  };
  const dialect: KyselyDialect = {
    createDriver: () => new FastSqliteDriver(db, lock, connection),
    createQueryCompiler: (): QueryCompiler => new SqliteQueryCompiler(),
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (k) => new SqliteIntrospector(k),
  };
  return { dialect, access };
}
