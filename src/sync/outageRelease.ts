import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { makeDueAfterOutage } from '../store/ops/makeDueAfterOutage.ts';

export interface OutageReleaseOptions {
  db: Kysely<Database>;
  /** The remote's name as jobs.waiting_on holds it (e.g. 'clickup'). */
  remote: string;
  /** Subscribes to "the remote answers again after an outage"; returns the unsubscribe. */
  onRecovered: (fn: () => void) => () => void;
  /** The dispatcher's clock (run_at is on it). */
  now: () => number;
  /**
   * Least time between two releases: a remote that flaps (answers, fails, answers) gets the jobs waiting on it
   * retried at most once per this, not after each of its answers.
   */
  minIntervalMs: number;
  /** Tells this instance's dispatcher that jobs are due (others hear the NOTIFY on PostgreSQL). */
  wake: () => void;
  logger?: Logger;
}

/**
 * When a remote answers again after an outage, the jobs waiting it out are made due at once. Without this
 * they slept out their outage backoff (half of how long they had been failing, up to `backoff_max_ms`: 5
 * minutes by default) after the remote was back, so a backlog on a 1,000/min plan drained at a fraction of
 * the budget. One release at a time; a recovery within `minIntervalMs` of the last release is released when
 * that interval ends. Returns the stop function.
 */
export function releaseOnRecovery(o: OutageReleaseOptions): () => void {
  let last = -Infinity;
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const release = async () => {
    timer = null;
    if (stopped) return;
    if (running) {
      // A recovery seen while a release runs is covered by it only if it came first: release once more later.
      timer ??= setTimeout(() => void release(), o.minIntervalMs);
      return;
    }
    const wait = last + o.minIntervalMs - o.now();
    if (wait > 0) {
      timer ??= setTimeout(() => void release(), wait);
      return;
    }
    running = true;
    last = o.now();
    try {
      const n = await makeDueAfterOutage(o.db, o.remote, o.now());
      if (n > 0) {
        o.logger?.info(
          { remote: o.remote, jobs: n },
          'remote answers again: the jobs waiting out its outage are due now',
        );
        o.wake();
      }
    } catch (e) {
      o.logger?.warn(
        { err: e, remote: o.remote },
        'could not make the jobs waiting out an outage due; they wait out their backoff',
      );
    } finally {
      running = false;
    }
  };
  const unsubscribe = o.onRecovered(() => {
    if (!timer) void release();
  });
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    unsubscribe();
  };
}
