import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Transaction } from 'kysely';
import type { Store } from '../store/db.ts';
import type { Database } from '../store/schema.ts';
import { claimJobs, type JobRow } from '../store/ops/claimJobs.ts';
import { completeJob, completeJobs, jobSavepoint } from '../store/ops/completeJob.ts';
import { collectFoldable, disjoint, foldedCompletion, type FoldSink } from '../store/foldedCommit.ts';
import { retryJob } from '../store/ops/retryJob.ts';
import { deadLetterJob } from '../store/ops/deadLetterJob.ts';
import { parkJob } from '../store/ops/parkJob.ts';
import { extendLeases } from '../store/ops/extendLeases.ts';
import { holdsLease } from '../store/ops/holdsLease.ts';
import { reclaimExpiredLeases } from '../store/ops/reclaimExpiredLeases.ts';
import type { LeaseClock } from '../store/dbClock.ts';
import { decideRetry } from './retryDecision.ts';
import { announceNewJobs, JOBS_CHANNEL } from '../store/ops/enqueueJobs.ts';
import { runWithJobSignal, unlessAborted } from '../core/jobSignal.ts';

export interface JobContext {
  job: JobRow;
  /** As stored; flow handlers get it parsed with their kind's schema (sync/registry.ts). */
  payload: unknown;
  /** 1 on the first run; above 1 after a retry or a crash while the job was running. */
  attempt: number;
  now: () => number;
  /**
   * Aborted when the job must stop: its deadline passed, its lease went to another worker, or the process
   * is shutting down. Remote calls made through the connectors see it without being passed it (jobSignal.ts).
   */
  signal?: AbortSignal;
}

export type JobOutcome =
  /** Done; `commit` runs in the same transaction as marking the job done (state change + follow-up jobs). */
  | { status: 'done'; commit?: (trx: Transaction<Database>) => Promise<void> }
  | {
      status: 'retry';
      error: string;
      retryAfterMs?: number;
      refundAttempt?: boolean;
      /** A remote's 429: refunded only for a while (RATE_LIMIT_PATIENCE_MS). */ rateLimited?: boolean;
      /**
       * The remote is unavailable (5xx, 408, connection refused or reset, timeout): the attempt is refunded
       * for `outagePatienceMs` from the job's first failure (retryDecision.ts).
       */
      unavailable?: boolean;
      /**
       * Which remote was unavailable (e.g. 'clickup'): the job is made due as soon as that remote answers again
       * (jobs.waiting_on, makeDueAfterOutage) instead of sleeping out its outage backoff.
       */
      remote?: string;
    }
  | { status: 'fail'; error: string }
  | {
      /**
       * Not runnable until something else happens (a held case's job until the case gets its task): the job is
       * parked (state `waiting`, parkJob.ts; its attempt given back) and whatever it waits for queues it again
       * (takeWaitingJobs). `stillWaiting` is asked in the parking transaction: false, and the job is retried as
       * usual instead (what it waited for happened meanwhile). `error`: why, kept as its last error.
       */
      status: 'wait';
      error: string;
      stillWaiting: (trx: Transaction<Database>) => Promise<boolean>;
    };

export type JobHandler = (ctx: JobContext) => Promise<JobOutcome>;

export interface DispatcherOptions {
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  now?: () => number;
  logger?: Logger;
  workerId?: string;
  /** Crashes after which a job is dead-lettered when its lease is reclaimed (default 3). */
  maxCrashes?: number;
  /** Longest a handler of `kind` may run before it is stopped and retried (default 15 minutes). */
  deadlineMs?: (kind: string) => number;
  /** Longest `stop()` waits for handlers in flight before stopping them and handing their jobs back (default 10 s). */
  shutdownDeadlineMs?: number;
  /**
   * Clock the leases run on: 'database' (default: claim, renewal and reclaim compare with the database's
   * clock, so a worker whose clock is skewed neither reclaims live leases nor takes leases that are already
   * over) or 'worker' (`now`; tests that drive lease expiry with a fake clock).
   */
  leaseClock?: 'database' | 'worker';
  /**
   * PostgreSQL: complete a job whose commit only appends and upserts rows in one statement (config
   * `dispatcher.fold_completions`; default false: every completion in a transaction, as before).
   */
  foldCompletions?: boolean;
  /**
   * Start claimed jobs one event-loop turn apart (default false: a claimed batch starts in one turn), so a
   * webhook acknowledgement waits behind at most one handler's synchronous start, not a batch's.
   */
  yieldBetweenJobs?: boolean;
  /**
   * How long (ms since a job's first failure) a remote that is unavailable keeps its attempts (config
   * `dispatcher.outage_patience_minutes`; default 0: it uses attempts like any failure).
   */
  outagePatienceMs?: number;
  /** Called after each job settles (for metrics and the console timeline). */
  onSettled?: (job: JobRow, outcome: JobOutcome['status'] | 'lease_lost', ms: number, error?: string) => void;
}

class LeaseLost extends Error {}
class ShutdownStop extends Error {}
class DeadlinePassed extends Error {}

const DEFAULT_DEADLINE_MS = 15 * 60_000;
export { MAX_REMOTE_WAIT_MS, RATE_LIMIT_PATIENCE_MS } from './retryDecision.ts';

/** A done job waiting for the next group commit. */
interface PendingCompletion {
  job: JobRow;
  commit?: (trx: Transaction<Database>) => Promise<void>;
  now: number;
  resolve: (r: 'done' | 'lease_lost') => void;
  reject: (e: unknown) => void;
}

/** Most done jobs committed in one transaction. */
const MAX_COMPLETION_BATCH = 128;

/**
 * Runs outbox jobs: claims due jobs under a lease, runs their handler, and commits the outcome with a
 * guarded statement. Retries use exponential backoff with jitter; a permanent failure or the last attempt
 * goes to the dead letters with its error. `stop()` stops claiming and waits for jobs in flight.
 */
export class Dispatcher {
  readonly workerId: string;
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly controllers = new Map<number, AbortController>();
  private running = false;
  private loopDone: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  /** Resolved by `stop()`: a loop waiting for a job to finish stops waiting. */
  private stopping: Promise<void> = Promise.resolve();
  private halt: (() => void) | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;
  private unlisten: Promise<(() => Promise<void>) | null> | null = null;
  private completions: PendingCompletion[] = [];
  private completing = false;
  private readonly now: () => number;
  readonly counters = { done: 0, retried: 0, dead: 0, leaseLost: 0, parked: 0 };

  constructor(
    private readonly store: Store,
    private readonly handlers: ReadonlyMap<string, JobHandler>,
    private readonly opts: DispatcherOptions,
  ) {
    this.workerId = opts.workerId ?? `w-${randomUUID().slice(0, 8)}`;
    this.now = opts.now ?? Date.now;
  }

  /** The clock the leases are set and compared with (see `leaseClock`). */
  private leaseFrom(): LeaseClock {
    return this.opts.leaseClock === 'worker' ? this.now() : 'db';
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new Promise<void>((r) => (this.halt = r));
    this.loopDone = this.loop();
    // PostgreSQL: other instances announce new jobs with NOTIFY; an idle worker wakes at once instead of at its next poll.
    if (this.store.subscribe) {
      this.unlisten = this.store
        .subscribe(JOBS_CHANNEL, () => this.wake())
        .catch((e) => {
          this.opts.logger?.warn({ err: e }, 'LISTEN for new jobs failed; idle workers fall back to polling');
          return null;
        });
    }
    this.leaseTimer = setInterval(
      () => {
        const ids = [...this.inFlight.keys()];
        void extendLeases(this.store.db, ids, this.workerId, this.opts.leaseMs, this.leaseFrom())
          .then((renewed) => {
            // A lease not renewed went to another worker (ours expired while we were stalled): stop that handler
            // before it writes anything more, since the new holder runs the same job.
            for (const id of ids) {
              if (renewed.has(id) || !this.inFlight.has(id)) continue;
              this.controllers.get(id)?.abort(new LeaseLost(`job ${id}: its lease was lost to another worker`));
            }
          })
          .then(() => reclaimExpiredLeases(this.store.db, this.now(), this.opts.maxCrashes, this.leaseFrom()))
          .then((n) => {
            if (n > 0) {
              this.opts.logger?.warn(
                { reclaimed: n },
                'jobs whose worker stopped renewing its lease were made ready again',
              );
              this.wake();
            }
          })
          .catch((e) => this.opts.logger?.warn({ err: e }, 'lease upkeep failed'));
      },
      Math.max(1000, Math.floor(this.opts.leaseMs / 3)),
    );
    this.leaseTimer.unref();
  }

  /** New work was enqueued: claim now instead of waiting for the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.halt?.();
    this.wake();
    await this.loopDone;
    // Handlers get a grace period; past it they are stopped and their jobs handed back (ready, attempt
    // refunded): a remote that never answers, or a retry sleeping on a rate limit, must not hold a shutdown.
    const grace = this.opts.shutdownDeadlineMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.all(this.inFlight.values());
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), grace))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.opts.logger?.warn(
        { inFlight: this.inFlight.size, graceMs: grace },
        'jobs still running at shutdown are stopped and handed back',
      );
      for (const c of this.controllers.values()) c.abort(new ShutdownStop('the bridge is shutting down'));
      await all;
    }
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    const unlisten = await this.unlisten;
    this.unlisten = null;
    await unlisten?.();
  }

  /** Run due jobs until none is due (jobs scheduled later are left). For tests and `--once`. */
  async runUntilIdle(maxRounds = 10_000): Promise<number> {
    let total = 0;
    for (let round = 0; round < maxRounds; round++) {
      await reclaimExpiredLeases(this.store.db, this.now(), this.opts.maxCrashes, this.leaseFrom());
      const jobs = await claimJobs(
        this.store.db,
        this.store.dialect,
        this.workerId,
        this.opts.concurrency,
        this.opts.leaseMs,
        this.now(),
        this.leaseFrom(),
      );
      if (jobs.length === 0 && this.inFlight.size === 0) return total;
      total += jobs.length;
      for (const j of jobs) this.launch(j);
      if (this.inFlight.size > 0) await Promise.race(this.inFlight.values());
    }
    return total;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const free = this.opts.concurrency - this.inFlight.size;
      let claimed: JobRow[] = [];
      // Claim in batches: one claim statement per few finished jobs, not one per job.
      const batch = Math.max(1, Math.floor(this.opts.concurrency / 4));
      if (free > 0 && (free >= batch || this.inFlight.size === 0 || this.woken)) {
        this.woken = false;
        try {
          claimed = await claimJobs(
            this.store.db,
            this.store.dialect,
            this.workerId,
            free,
            this.opts.leaseMs,
            this.now(),
            this.leaseFrom(),
          );
        } catch (e) {
          this.opts.logger?.error({ err: e }, 'claiming jobs failed; retrying after the poll interval');
        }
        for (const [i, j] of claimed.entries()) {
          // Each handler runs synchronously up to its first await: with yieldBetweenJobs, webhook requests
          // and other I/O waiting on the loop get a turn between two of them instead of after the batch.
          if (i > 0 && this.opts.yieldBetweenJobs) await new Promise<void>((r) => setImmediate(r));
          this.launch(j);
        }
      }
      if (claimed.length > 0 && claimed.length === free) {
        // Full: wait until a job finishes (or stop(): a handler that never ends must not hold the shutdown).
        await Promise.race([...this.inFlight.values(), this.stopping]);
        continue;
      }
      if (claimed.length > 0) continue;
      if (this.woken) continue;
      // Idle, or too few free slots to be worth a claim: wait for the poll, a wake-up (new work is claimed into
      // the free slots at once) or a job finishing (the poll then claims nothing until a batch is free).
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.opts.pollMs);
        this.wakeUp = () => {
          clearTimeout(t);
          resolve();
        };
        // A finishing job may unblock the next one of its queue key.
        if (this.inFlight.size > 0) void Promise.race(this.inFlight.values()).then(() => this.wakeUp?.());
      });
      this.wakeUp = null;
    }
  }

  private launch(job: JobRow): void {
    const p = this.execute(job).finally(() => {
      this.inFlight.delete(job.id);
    });
    this.inFlight.set(job.id, p);
  }

  private async execute(job: JobRow): Promise<void> {
    const started = this.now();
    const handler = this.handlers.get(job.kind);
    const controller = new AbortController();
    // Each remote call in flight listens on the job's signal: a job reading several things at once (the Trading
    // Grid poll reads eight cases at a time) goes past Node's default of 10 without leaking anything.
    setMaxListeners(64, controller.signal);
    this.controllers.set(job.id, controller);
    let outcome: JobOutcome;
    let stoppedBy: Error | null = null;
    if (!handler) {
      outcome = {
        status: 'fail',
        error: `no handler for job kind '${job.kind}' (a newer version may have enqueued it)`,
      };
    } else {
      const deadline = this.opts.deadlineMs?.(job.kind) ?? DEFAULT_DEADLINE_MS;
      const timer = setTimeout(
        () =>
          controller.abort(new DeadlinePassed(`job ${job.id} (${job.kind}) ran past its deadline of ${deadline} ms`)),
        deadline,
      );
      timer.unref();
      // Before each external write the handler makes, the lease is read from the database: one that went to
      // another worker stops this handler there (the renewal beat would notice only up to leaseMs/3 later).
      const checkLease = async (): Promise<string | null> => {
        let held: boolean;
        try {
          held = await holdsLease(this.store.db, job.id, this.workerId, this.leaseFrom());
        } catch (e) {
          return `could not read the lease, so the write is not sent: ${(e as Error).message}`;
        }
        if (held) return null;
        const why = `job ${job.id}: its lease was lost to another worker`;
        controller.abort(new LeaseLost(why));
        return why;
      };
      const run = runWithJobSignal(
        controller.signal,
        () =>
          handler({
            job,
            payload: JSON.parse(job.payload),
            attempt: job.attempts,
            now: this.now,
            signal: controller.signal,
          }),
        checkLease,
      ).then(
        (o) => o,
        // A throw is a bug or an unexpected state: retry it like a transient failure, with the stack for the dead letter.
        (e): JobOutcome => ({
          status: 'retry',
          error: `unexpected error in ${job.kind}: ${(e as Error).stack ?? String(e)}`,
        }),
      );
      // The handler cannot be killed, but it is no longer waited for: whatever it still tries to send is refused (jobSignal).
      const r = await unlessAborted(run, controller.signal, null);
      clearTimeout(timer);
      if (r === null) {
        stoppedBy = controller.signal.reason as Error;
        void run.then(() => undefined);
        outcome = { status: 'retry', error: stoppedBy.message };
      } else outcome = r;
    }
    this.controllers.delete(job.id);
    let settled: JobOutcome['status'] | 'lease_lost' = outcome.status;
    let error: string | undefined;
    try {
      if (stoppedBy && !(stoppedBy instanceof DeadlinePassed) && !(stoppedBy instanceof ShutdownStop)) {
        // Lease lost: the job is another worker's now; nothing of ours is recorded.
        settled = 'lease_lost';
        this.counters.leaseLost++;
        this.opts.logger?.warn(
          { job: job.id, kind: job.kind },
          'lease lost while running; the handler was stopped and the new holder runs the job',
        );
      } else if (stoppedBy instanceof ShutdownStop) {
        await retryJob(
          this.store.db,
          job.id,
          this.workerId,
          this.now(),
          `stopped by shutdown: ${stoppedBy.message}`,
          this.now(),
          { refundAttempt: true, failure: false },
        );
        settled = 'retry';
        error = stoppedBy.message;
      } else {
        settled = await this.settle(job, outcome);
        if (outcome.status !== 'done') error = outcome.error;
      }
    } catch (e) {
      settled = 'retry';
      error = `could not record the outcome: ${(e as Error).message}`;
      this.opts.logger?.error(
        { err: e, job: job.id },
        'recording a job outcome failed; its lease will expire and it will run again',
      );
    }
    this.opts.onSettled?.(job, settled, this.now() - started, error);
  }

  private async settle(job: JobRow, outcome: JobOutcome): Promise<JobOutcome['status'] | 'lease_lost'> {
    const now = this.now();
    const db = this.store.db;
    if (outcome.status === 'done') {
      const r = await new Promise<'done' | 'lease_lost'>((resolve, reject) => {
        this.completions.push({ job, commit: outcome.commit, now, resolve, reject });
        this.kickCompletions();
      });
      if (r === 'done') {
        this.counters.done++;
        return 'done';
      }
      this.counters.leaseLost++;
      this.opts.logger?.warn(
        { job: job.id, kind: job.kind },
        'lease lost before completion; the new holder will redo the job',
      );
      return 'lease_lost';
    }
    if (outcome.status === 'wait') {
      const wait = outcome;
      const parked = await db.transaction().execute(async (trx) => {
        if (!(await wait.stillWaiting(trx))) return 'no';
        return (await parkJob(trx, job.id, this.workerId, wait.error, now)) ? 'yes' : 'lease_lost';
      });
      if (parked === 'lease_lost') {
        this.counters.leaseLost++;
        return 'lease_lost';
      }
      if (parked === 'yes') {
        this.counters.parked++;
        this.opts.logger?.debug({ job: job.id, kind: job.kind, reason: wait.error }, 'job parked');
        return 'wait';
      }
    }
    // A wait whose cause ended meanwhile runs again soon, as a retry that uses no attempt.
    const failed =
      outcome.status === 'wait' ? { status: 'retry' as const, error: outcome.error, refundAttempt: true } : outcome;
    const decision =
      failed.status === 'retry'
        ? decideRetry({
            outcome: failed,
            attempts: job.attempts,
            maxAttempts: job.max_attempts,
            // Counted from the job's first failure (retryJob sets failing_since), not from its creation.
            failingMs: job.failing_since == null ? 0 : Math.max(0, now - Number(job.failing_since)),
            backoffBaseMs: this.opts.backoffBaseMs,
            backoffMaxMs: this.opts.backoffMaxMs,
            outagePatienceMs: this.opts.outagePatienceMs ?? 0,
          })
        : ({ action: 'dead', reason: failed.error } as const);
    if (decision.action === 'retry') {
      const wait = decision.waitMs;
      await retryJob(db, job.id, this.workerId, now + wait, failed.error, now, {
        refundAttempt: decision.refundAttempt,
        waitingOn: failed.status === 'retry' && failed.unavailable ? (failed.remote ?? null) : null,
      });
      this.counters.retried++;
      this.opts.logger?.debug(
        { job: job.id, kind: job.kind, attempt: job.attempts, waitMs: wait, error: failed.error },
        'job will be retried',
      );
      return 'retry';
    }
    const reason = decision.reason;
    await deadLetterJob(db, job.id, this.workerId, reason, now);
    this.counters.dead++;
    this.opts.logger?.warn({ job: job.id, kind: job.kind, error: reason }, 'job moved to the dead letters');
    return 'fail';
  }

  /**
   * Group commit of done jobs: the jobs that finish while a commit is running (or in the same turn of the
   * event loop) are completed together in the next transaction. Each keeps its own guarantees: its
   * `commit` and its guarded completion apply together or not at all, and a lost lease or a failing
   * `commit` undoes only that job (SQLite: a savepoint per job; PostgreSQL: the batch is retried job by
   * job when any of them fails, since savepoints there cost round trips).
   */
  private kickCompletions(): void {
    if (this.completing) return;
    this.completing = true;
    setImmediate(() => {
      void (async () => {
        try {
          while (this.completions.length > 0)
            await this.flushCompletions(this.completions.splice(0, MAX_COMPLETION_BATCH));
        } finally {
          this.completing = false;
          if (this.completions.length > 0) this.kickCompletions();
        }
      })();
    });
  }

  /**
   * PostgreSQL: the jobs' commits and their guarded completion as one statement, without BEGIN and COMMIT.
   * False when the statement failed (nothing of it applied): each job's commit is then run again, and the
   * caller decides (a lost lease, an error of the commit).
   */
  private async completeFolded(sinks: FoldSink[], ps: PendingCompletion[]): Promise<boolean> {
    try {
      await this.store.db.executeQuery(
        foldedCompletion(
          sinks,
          ps.map((p) => p.job.id),
          this.workerId,
          Math.max(...ps.map((p) => p.now)),
        ),
      );
    } catch {
      return false;
    }
    // After the statement's commit, not inside it (pgAnnounce.ts).
    if (sinks.some((s) => s.queuesJobs)) await announceNewJobs(this.store.db);
    return true;
  }

  private async flushCompletions(all: PendingCompletion[]): Promise<void> {
    let batch = all;
    if (this.store.dialect === 'postgres' && this.opts.foldCompletions) {
      // The jobs whose commits only append and upsert rows complete in one statement (foldedCommit.ts):
      // all of them together when no row is written twice; if that fails (a lease lost, a conflict), each
      // on its own, one after the other (one pool connection, as the group commit takes). The others,
      // and any whose folded statement failed, take the transaction below.
      const folded: Array<{ p: PendingCompletion; sink: FoldSink }> = [];
      const rest: PendingCompletion[] = [];
      for (const p of batch) {
        const sink = await collectFoldable(p.commit);
        if (sink) folded.push({ p, sink });
        else rest.push(p);
      }
      const together =
        folded.length > 1 &&
        disjoint(folded.map((f) => f.sink)) &&
        (await this.completeFolded(
          folded.map((f) => f.sink),
          folded.map((f) => f.p),
        ));
      if (together) for (const f of folded) f.p.resolve('done');
      else
        for (const f of folded) {
          if (await this.completeFolded([f.sink], [f.p])) f.p.resolve('done');
          else rest.push(f.p);
        }
      if (rest.length === 0) return;
      batch = rest;
    }
    if (batch.length > 1 && !this.store.sqlite) {
      // PostgreSQL: a savepoint costs three round trips per job. Try the batch without them, completing
      // every job in one guarded statement; if any job lost its lease or its commit threw, roll the whole
      // batch back and settle each job on its own.
      const optimistic = await this.store.db
        .transaction()
        .execute(async (trx) => {
          for (const p of batch) if (p.commit) await p.commit(trx);
          const held = await completeJobs(
            trx,
            batch.map((p) => p.job.id),
            this.workerId,
            Math.max(...batch.map((p) => p.now)),
          );
          if (held.size !== batch.length) throw new LeaseLost();
        })
        .then(
          () => true,
          () => false,
        );
      if (optimistic) {
        for (const p of batch) p.resolve('done');
        return;
      }
      for (const p of batch) await this.flushCompletions([p]);
      return;
    }
    const results: Array<{ ok: true; r: 'done' | 'lease_lost' } | { ok: false; e: unknown }> = [];
    const sqlite = this.store.sqlite;
    try {
      await this.store.db.transaction().execute(async (trx) => {
        if (batch.length === 1) {
          // One job: the whole transaction is its own; a lost lease (LeaseLost, answered below) or its commit's
          // error rolls it back.
          const p = batch[0]!;
          if (p.commit) await p.commit(trx);
          if (!(await completeJob(trx, p.job.id, this.workerId, p.now, sqlite))) throw new LeaseLost();
          results.push({ ok: true, r: 'done' });
          return;
        }
        const savepoint = (cmd: 'SAVEPOINT' | 'ROLLBACK TO' | 'RELEASE') => jobSavepoint(trx, cmd, sqlite);
        for (const p of batch) {
          if (!p.commit) {
            // Nothing to undo: the guarded statement alone decides.
            results.push({
              ok: true,
              r: (await completeJob(trx, p.job.id, this.workerId, p.now, sqlite)) ? 'done' : 'lease_lost',
            });
            continue;
          }
          await savepoint('SAVEPOINT');
          try {
            await p.commit(trx);
            const ok = await completeJob(trx, p.job.id, this.workerId, p.now, sqlite);
            if (!ok) await savepoint('ROLLBACK TO');
            results.push({ ok: true, r: ok ? 'done' : 'lease_lost' });
          } catch (e) {
            await savepoint('ROLLBACK TO');
            results.push({ ok: false, e });
          }
          await savepoint('RELEASE');
        }
      });
    } catch (e) {
      // Only the one-job transaction throws LeaseLost.
      if (e instanceof LeaseLost) {
        batch[0]!.resolve('lease_lost');
        return;
      }
      // The commit itself failed: nothing of the batch was recorded; each job's lease will expire and it runs again.
      for (const p of batch) p.reject(e);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i]!;
      if (r.ok) p.resolve(r.r);
      else p.reject(r.e);
    });
  }
}
