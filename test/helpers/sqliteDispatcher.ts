import { afterEach } from 'vitest';
import { anyJob } from './anyJob.ts';
import { tempSqliteStore } from './tempStore.ts';
import { Dispatcher, type DispatcherOptions, type JobHandler } from '../../src/sync/dispatcher.ts';
import { enqueueJobs } from '../../src/store/ops/enqueueJobs.ts';
import type { Store } from '../../src/store/db.ts';
import type { Selectable } from 'kysely';
import type { Database } from '../../src/store/schema.ts';

export interface SettledJob {
  key: string;
  outcome: string;
  error?: string;
}

export interface SqliteDispatcher {
  store: Store;
  d: Dispatcher;
  /** Each job as `onSettled` reported it, in order (unless the test gives its own `onSettled`). */
  settled: SettledJob[];
  /** `settled` by job key. */
  bySettledKey: () => SettledJob[];
  /** Jobs of one kind with these keys (payload `{}`), due now. */
  enqueue: (kind: string, keys: string[], fields?: { queueKey?: string; maxAttempts?: number }) => Promise<unknown>;
  job: (key: string) => Promise<Selectable<Database['jobs']>>;
}

/**
 * The dispatcher's own tests, each on a SQLite file of its own: call at a test file's top level (it registers the
 * `afterEach` that stops every dispatcher made and deletes its store, then runs whatever the test added to
 * `cleanups`, last added first). `setup` makes a dispatcher that is not started: 8 slots, a 30 s lease, a 10 ms
 * poll, backoff 10-20 ms, 100 ms of shutdown grace, every settled job recorded; `opts` overrides any of them.
 */
export function sqliteDispatchers(): {
  setup: (handlers: Record<string, JobHandler>, opts?: Partial<DispatcherOptions>) => Promise<SqliteDispatcher>;
  cleanups: Array<() => Promise<void>>;
} {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const setup = async (
    handlers: Record<string, JobHandler>,
    opts: Partial<DispatcherOptions> = {},
  ): Promise<SqliteDispatcher> => {
    const tmp = await tempSqliteStore();
    cleanups.push(() => tmp.cleanup());
    const settled: SettledJob[] = [];
    const d = new Dispatcher(tmp.store, new Map(Object.entries(handlers)), {
      concurrency: 8,
      leaseMs: 30_000,
      pollMs: 10,
      backoffBaseMs: 10,
      backoffMaxMs: 20,
      shutdownDeadlineMs: 100,
      onSettled: (job, outcome, _ms, error) => settled.push({ key: job.key, outcome, ...(error ? { error } : {}) }),
      ...opts,
    });
    cleanups.push(() => d.stop());
    return {
      store: tmp.store,
      d,
      settled,
      bySettledKey: () => [...settled].sort((a, b) => a.key.localeCompare(b.key)),
      enqueue: (kind, keys, fields = {}) =>
        enqueueJobs(
          tmp.store.db,
          keys.map((key) => anyJob({ kind, key, payload: {}, ...fields })),
          Date.now(),
        ),
      job: (key) => tmp.store.db.selectFrom('jobs').selectAll().where('key', '=', key).executeTakeFirstOrThrow(),
    };
  };
  return { setup, cleanups };
}
