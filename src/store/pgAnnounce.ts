import {
  PostgresDialect,
  PostgresDriver,
  type DatabaseConnection,
  type Driver,
  type PostgresDialectConfig,
  type Transaction,
  type TransactionSettings,
} from 'kysely';
import type { Database } from './schema.ts';

/**
 * A NOTIFY sent after a commit instead of inside it, coalesced: one `send` in flight at a time, and the calls made
 * while it runs answered by one more send after it (a listener only needs to hear that something is new, and
 * PostgreSQL folds identical notifications of one transaction anyway). Sends start at least `minIntervalMs` apart:
 * a call after a quiet spell sends at once, but under a steady stream of commits (every job's completion queues
 * the next one) the instance sends at most 1000 / `minIntervalMs` a second instead of one round trip per commit;
 * a call is never dropped, only answered up to that much later.
 *
 * Why not inside the commit: PostgreSQL serialises the commits of transactions that NOTIFY (PreCommit_Notify takes
 * a database-wide lock and holds it until the commit's WAL flush is done), so notifying commits cannot share an
 * fsync: on a disk whose fsync takes 4-5 ms they top out near 200 a second, and webhooks arriving faster queue
 * behind each other's flushes. A transaction that only NOTIFYs writes no data, so its commit does not wait for a
 * flush and holds that lock only briefly.
 *
 * A lost announcement costs latency only: the dispatchers poll as well.
 */
export function coalescedAnnouncer(
  send: () => Promise<unknown>,
  onError: (e: unknown) => void,
  minIntervalMs = 0,
  now: () => number = Date.now,
): () => void {
  let busy = false;
  let again = false;
  let lastStart = -Infinity;
  const run = (): void => {
    busy = true;
    again = false;
    lastStart = now();
    send().then(
      () => after(),
      (e: unknown) => {
        onError(e);
        after();
      },
    );
  };
  const start = (): void => {
    const wait = lastStart + minIntervalMs - now();
    if (wait <= 0) return run();
    // Busy while waiting too: the calls made meanwhile are answered by this send.
    busy = true;
    setTimeout(run, wait).unref();
  };
  const after = (): void => {
    busy = false;
    if (again) start();
  };
  return () => {
    if (busy) again = true;
    else start();
  };
}

/** The transactions open on a store's connections: the channels to announce once each has committed. */
const atCommit = new WeakMap<DatabaseConnection, Set<string>>();

/**
 * PostgreSQL's Kysely driver, plus: the channels noted during a transaction (`noteForCommit`) are handed to
 * `announce` once its COMMIT has succeeded; a rollback forgets them.
 */
class AnnouncingPostgresDriver extends PostgresDriver {
  constructor(
    config: PostgresDialectConfig,
    private readonly announce: (channel: string) => void,
  ) {
    super(config);
  }

  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    atCommit.set(connection, new Set());
    await super.beginTransaction(connection, settings);
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const channels = atCommit.get(connection);
    atCommit.delete(connection);
    await super.commitTransaction(connection);
    for (const c of channels ?? []) this.announce(c);
  }

  override async rollbackTransaction(connection: Parameters<PostgresDriver['rollbackTransaction']>[0]): Promise<void> {
    atCommit.delete(connection);
    await super.rollbackTransaction(connection);
  }
}

/** Kysely's PostgreSQL dialect whose transactions announce after their commit (`noteForCommit`). */
export class AnnouncingPostgresDialect extends PostgresDialect {
  constructor(
    private readonly config: PostgresDialectConfig,
    private readonly announce: (channel: string) => void,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new AnnouncingPostgresDriver(this.config, this.announce);
  }
}

/**
 * Inside a transaction of an `AnnouncingPostgresDialect`: NOTIFY `channel` after the transaction commits (once,
 * however often it is noted). A transaction of any other Kysely announces nothing: the listeners find its
 * rows at their next poll.
 */
export async function noteForCommit(trx: Transaction<Database>, channel: string): Promise<void> {
  await trx.getExecutor().provideConnection(async (connection) => {
    atCommit.get(connection)?.add(channel);
  });
}
