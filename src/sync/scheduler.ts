import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Store } from '../store/db.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';
import { newScheduledJob, type ScheduledFields, type ScheduledKind } from './engineJobs.ts';

export interface ScheduledTask<K extends ScheduledKind = ScheduledKind> {
  /** Job kind run at each tick (a handler for it must be registered): one whose payload takes the slot. */
  kind: K;
  /** Cron expression (croner syntax, seconds optional), e.g. `*\/5 * * * *`. */
  cron: string;
  /** Fields of every slot's payload besides `slot`, typed by the kind's schema. */
  payload?: ScheduledFields<K>;
  timezone?: string;
}

/**
 * Turns schedules into jobs. Each tick enqueues a job keyed by its slot (`sched:<kind>:<slot time>`):
 * however many instances tick at once, the unique key lets exactly one job exist per slot, and the
 * queue gives it the same retries, dead letters and crash safety as any other work.
 */
export class Scheduler {
  private readonly crons: Cron[] = [];
  private readonly kinds: string[] = [];

  constructor(
    private readonly store: Store,
    private readonly onEnqueued: () => void,
    private readonly logger?: Logger,
  ) {}

  add<K extends ScheduledKind>(task: ScheduledTask<K>): void {
    const cron = new Cron(task.cron, { timezone: task.timezone, protect: true, paused: true }, async (self: Cron) => {
      // croner's currentRun() is the wall time the tick fired at, late when the event loop was busy: the slot is
      // the pattern's latest time at or before it, so an instance firing a second late keys the same slot as one
      // on time (the unique key then lets only one of them enqueue).
      const fired = self.currentRun() ?? new Date();
      const slot = (self.previousRuns(1, new Date(fired.getTime() + 1))[0] ?? fired).getTime();
      try {
        await this.enqueueSlot(task, slot);
      } catch (e) {
        this.logger?.error({ err: e, kind: task.kind }, 'could not enqueue a scheduled job; the next tick tries again');
      }
    });
    this.crons.push(cron);
    this.kinds.push(task.kind);
  }

  /** The kinds that run on a schedule (what this deployment does periodically). */
  scheduledKinds(): readonly string[] {
    return this.kinds;
  }

  /** Enqueue the job of one slot (also used by `--once` runs and tests). */
  async enqueueSlot<K extends ScheduledKind>(task: ScheduledTask<K>, slotMs: number): Promise<boolean> {
    const slot = Math.floor(slotMs / 1000) * 1000;
    // One queue per schedule: a run that overruns its interval is not overlapped by the next slot's run
    // (that one waits; a job's deadline bounds how long).
    const queueKey = `sched:${task.kind}${task.payload === undefined ? '' : `:${JSON.stringify(task.payload)}`}`;
    const n = await enqueueJobs(
      this.store.db,
      [newScheduledJob(task.kind, task.payload, slot, { key: `sched:${task.kind}:${slot}`, queueKey })],
      Date.now(),
    );
    if (n > 0) this.onEnqueued();
    return n > 0;
  }

  /**
   * Enqueue a run of `task` now, out of schedule (a catch-up, an operator's or a test's "run it now"): the first
   * one-second slot from `fromMs` on that has no job yet. `enqueueSlot(task, now)` alone is a no-op when this
   * second's slot already has a job — the schedule's own tick at :00, or an earlier run now in the same second —
   * and if that job ran before the change it should see, nothing sees it until the next tick. Returns the slot
   * taken, or null if the next `maxSlots` slots all have one.
   */
  async runNow<K extends ScheduledKind>(
    task: ScheduledTask<K>,
    fromMs = Date.now(),
    maxSlots = 5,
  ): Promise<number | null> {
    for (let s = 0; s < maxSlots; s++) {
      const at = fromMs + s * 1000;
      if (await this.enqueueSlot(task, at)) return Math.floor(at / 1000) * 1000;
    }
    return null;
  }

  start(): void {
    for (const c of this.crons) c.resume();
  }

  /** Stop ticking until start() again (an instance that lost leadership). */
  pause(): void {
    for (const c of this.crons) c.pause();
  }

  stop(): void {
    for (const c of this.crons) c.stop();
  }
}
