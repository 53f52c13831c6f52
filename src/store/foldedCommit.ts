import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Driver,
  type Transaction,
} from 'kysely';
import type { Database } from './schema.ts';
import { PG_FOLDED_COMPLETE_JOBS } from './fastPath/statements.ts';

/**
 * A job's completion on PostgreSQL in one statement: the writes of the job's `commit` and the guarded
 * "done" update, as data-modifying CTEs of one autocommit statement, instead of BEGIN, one round trip per
 * write, the update and COMMIT. One statement is atomic on its own, so the guarantees stay: the writes
 * apply together with the completion or not at all, and a lost lease (the guarded update matched no row)
 * aborts the statement (a division by zero on purpose), so nothing of a job that is no longer ours is written.
 *
 * Only writes whose result the commit does not read can be folded: the store ops that qualify (audit rows,
 * field memory, case saves, status history, new jobs, a new link) ask `foldSink(db)` and, inside a folded
 * commit, hand their statement over instead of running it. Anything else the commit runs (a read, a write
 * whose answer it uses) makes the commit unfoldable: it is then run the ordinary way, in a transaction
 * (the dispatcher re-runs it; commits are re-runnable since a group commit may run them twice already).
 *
 * The CTEs of one statement see the same snapshot and not each other's rows, so a commit is folded only
 * when its folded writes do not depend on each other: the ops that fold are single-row appends and upserts
 * of distinct rows; two upserts of the same row in one statement are refused by PostgreSQL, and any error
 * of the folded statement sends the job down the ordinary path, which then decides.
 */
export interface FoldSink {
  writes: CompiledQuery[];
  /** Whether the commit queues jobs: they are announced (NOTIFY) after the folded statement, not inside it. */
  queuesJobs: boolean;
  /** Set when the commit ran a statement that cannot be folded (its result was needed). */
  unfoldable: boolean;
  /** The rows written so far (table and key): a second write of one row needs the first one's effect. */
  rows: Set<string>;
}

class NeedsTransaction extends Error {
  constructor() {
    super('this statement cannot be folded into the completion: it runs in a transaction');
  }
}

const sinks = new WeakMap<object, FoldSink>();

/** Inside a folded commit: where its writes go instead of the database. Undefined otherwise. */
export function foldSink(db: object): FoldSink | undefined {
  return sinks.get(db);
}

/**
 * Hands `query` to `sink`. `row` names the row it writes (table and key) when it reads or updates one
 * that an earlier write of the same commit may have written: a second write of a row makes the commit
 * unfoldable (in one statement it would not see the first), so the ordinary path runs it.
 */
export function fold(sink: FoldSink, query: CompiledQuery, row?: string): number {
  if (row !== undefined) {
    if (sink.rows.has(row)) sink.unfoldable = true;
    sink.rows.add(row);
  }
  return sink.writes.push(query) - 1;
}

/** Runs `query` now, or hands it to the folded commit `db` belongs to (`row`: see `fold`). */
export async function writeOrFold(
  db: Kysely<Database> | Transaction<Database>,
  query: { compile(): CompiledQuery; execute(): Promise<unknown> },
  row?: string,
): Promise<void> {
  const sink = foldSink(db);
  if (sink) fold(sink, query.compile(), row);
  else await query.execute();
}

/** `writeOrFold` for a statement already compiled for `db`'s dialect (a fixedStatement). */
export async function writeOrFoldCompiled(
  db: Kysely<Database> | Transaction<Database>,
  query: CompiledQuery,
  row?: string,
): Promise<void> {
  const sink = foldSink(db);
  if (sink) fold(sink, query, row);
  else await db.executeQuery(query);
}

/** A Kysely that compiles for PostgreSQL and refuses to run anything (a folded commit's statements are collected). */
function recorder(sink: FoldSink): Kysely<Database> {
  const refuse = (): never => {
    sink.unfoldable = true;
    throw new NeedsTransaction();
  };
  const connection: DatabaseConnection = {
    executeQuery: async () => refuse(),
    streamQuery: async function* () {
      refuse();
    },
  };
  const driver: Driver = {
    init: async () => undefined,
    acquireConnection: async () => connection,
    beginTransaction: async () => undefined,
    commitTransaction: async () => undefined,
    rollbackTransaction: async () => undefined,
    releaseConnection: async () => undefined,
    destroy: async () => undefined,
  };
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

/**
 * Runs `commit` against a recorder and returns the writes it made, or null when it cannot be folded (it ran
 * a statement whose result it needed, or it threw: the ordinary path runs it again and reports the error).
 */
export async function collectFoldable(
  commit: ((trx: Transaction<Database>) => Promise<void>) | undefined,
): Promise<FoldSink | null> {
  const sink: FoldSink = { writes: [], queuesJobs: false, unfoldable: false, rows: new Set() };
  if (!commit) return sink;
  const rec = recorder(sink);
  try {
    await rec.transaction().execute(async (trx) => {
      sinks.set(trx, sink);
      await commit(trx);
    });
  } catch {
    return null;
  }
  return sink.unfoldable ? null : sink;
}

/**
 * Whether the commits collected in `sinks` may share one statement: no row is written by two of them (in
 * one statement the second would not see the first's write).
 */
export function disjoint(sinks: readonly FoldSink[]): boolean {
  const seen = new Set<string>();
  for (const s of sinks)
    for (const r of s.rows) {
      if (seen.has(r)) return false;
      seen.add(r);
    }
  return true;
}

/**
 * The folded completion of jobs `ids`: the writes of their `sinks` and one guarded "done" update of them
 * all, as one statement. Raises SQLSTATE 22012 (and so writes nothing) unless `workerId` still holds
 * every one of them.
 */
export function foldedCompletion(
  sinks: readonly FoldSink[],
  ids: readonly number[],
  workerId: string,
  now: number,
): CompiledQuery {
  const parameters: unknown[] = [now, ids, workerId, ids.length];
  const ctes = [`done AS (${PG_FOLDED_COMPLETE_JOBS})`];
  sinks
    .flatMap((s) => s.writes)
    .forEach((w, i) => {
      const offset = parameters.length;
      // Kysely compiles every value as a $n parameter: renumbered after the ones before it.
      ctes.push(`w${i} AS (${w.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`);
      parameters.push(...w.parameters);
    });
  // The divisor depends on the row count, so the planner cannot fold it: the error is raised only when run.
  return CompiledQuery.raw(
    `WITH ${ctes.join(', ')} SELECT 1 / (CASE WHEN count(*) = $4 THEN 1 ELSE 0 END) AS held FROM done`,
    parameters,
  );
}
