import { ok, type Result } from '../../core/result.ts';
import type { ClickUpClient } from '../../connectors/clickup/client.ts';
import type { ClickUpTask } from '../../connectors/clickup/types.ts';
import { hasFieldValue } from '../../connectors/clickup/tasks.ts';

/**
 * The saved-task look-ups of retried creates, read together. After an outage every create that failed first
 * looks for a task its lost attempt may have saved (saved.ts); one exact look-up per job spent half of the
 * budget of the drain that followed. Here a look-up is answered by a read of the tasks created in its list
 * since its job was queued (`GET /v2/list/{id}/task?date_created_gt=…`, closed tasks and subtasks included,
 * paged), each job's task found in it by the exact value of its field (ClickUp's `=` custom-field filter is
 * fuzzy; this compares the value itself).
 *
 * Which look-ups a read answers: those asked before it was sent (their jobs were running, so every earlier
 * run of them, on any instance, had ended, its create sent), and, later, those of the jobs that were ready,
 * having run before, when the read was about to be sent (listed from the store just before: every run of
 * them had ended, so a task they saved is in the read too) and have been claimed once since, by the run now
 * asking (`jobs.claims`, raised by every claim and never refunded, one more than when listed). A job claimed
 * in between (its run may have sent a create after the read) or whose worker died or stalled is not answered
 * from it: the next read is made. Either way the answer is what an exact look-up made when the read was sent
 * would have found, after every create of that job had been sent. The read of each list is kept (in memory,
 * one per instance: a restart starts with none) until a look-up it cannot answer makes the next one, which
 * is kept in its place for its own listed jobs and for the older read's. The
 * window starts `CREATED_SKEW_MS` before the job was queued, for the difference between our clock and
 * ClickUp's; a job queued before a kept read's window is not answered from it.
 *
 * Cost: a look-up with no other job to answer (none asking, none ready after a run) is the exact look-up, one
 * call, as before. Otherwise a read of at most half as many pages as the look-ups it may answer (asking, and
 * ready after a run); a window with more pages than that is not read further: those look-ups are made one by
 * one, and the list's look-ups stay exact for `TOO_BIG_MS` so the waste is not repeated.
 */
export const CREATED_SKEW_MS = 10 * 60_000;
export const TOO_BIG_MS = 60_000;
/** Jobs a kept read is kept for at most (answered ones leave it): past this a newer read starts a new list. */
const MAX_KEPT_JOBS = 100_000;

/** The job whose run asks: its id, kind, claims so far (this one included) and crashes, as claimed. */
export interface AskingJob {
  id: number;
  kind: string;
  claims?: number;
  crashes?: number;
}

/** Jobs of these kinds that are ready after having run, and never lost a worker: id → claims (listReadyRetries). */
export type ReadyRetries = (kinds: string[]) => Promise<Map<number, number>>;

interface Ask {
  fieldId: string;
  value: string;
  queuedAt: number;
  job: AskingJob | undefined;
  resolve: (r: Result<ClickUpTask[]>) => void;
}

/** A read kept for later look-ups: its window, its tasks, and the jobs it may answer (id → claims then). */
interface KeptRead {
  from: number;
  tasks: ClickUpTask[];
  ready: Map<number, number>;
}

interface ListState {
  pending: Ask[];
  reading: boolean;
  exactUntil: number;
  kept: KeptRead | null;
}

export interface SavedTaskReadCounts {
  /** Look-ups answered by a read as it was made / by a read kept from before / by an exact look-up. */
  shared: number;
  kept: number;
  exact: number;
  /** Reads made (each one or more pages) and pages read by them. */
  reads: number;
  pages: number;
}

export class SavedTaskReads {
  private readonly lists = new Map<string, ListState>();
  readonly counts: SavedTaskReadCounts = { shared: 0, kept: 0, exact: 0, reads: 0, pages: 0 };

  constructor(
    private readonly cu: Pick<ClickUpClient, 'listTasks' | 'findTasksByCustomField'>,
    private readonly now: () => number,
    private readonly readyRetries: ReadyRetries = async () => new Map(),
  ) {}

  /**
   * The tasks of `listId` whose text field `fieldId` is exactly `value`; `queuedAt`: when the job was queued;
   * `job`: the asking job as claimed (without it, no kept read answers).
   */
  find(
    listId: string,
    fieldId: string,
    value: string,
    queuedAt: number,
    job?: AskingJob,
  ): Promise<Result<ClickUpTask[]>> {
    let l = this.lists.get(listId);
    if (!l) this.lists.set(listId, (l = { pending: [], reading: false, exactUntil: -Infinity, kept: null }));
    const kept = l.kept && job ? answerable(l.kept, queuedAt, job) : null;
    if (kept) {
      this.counts.kept++;
      return Promise.resolve(ok(kept.tasks.filter((t) => hasFieldValue(t, fieldId, value))));
    }
    const state = l;
    return new Promise((resolve) => {
      state.pending.push({ fieldId, value, queuedAt, job, resolve });
      if (!state.reading) void this.drain(listId, state);
    });
  }

  private async drain(listId: string, l: ListState): Promise<void> {
    l.reading = true;
    try {
      while (l.pending.length > 0) {
        // Look-ups asked in the same turn (a claimed batch starting) join this read.
        await new Promise<void>((r) => setImmediate(r));
        const batch = l.pending.splice(0);
        try {
          await this.answer(listId, l, batch);
        } catch (e) {
          const error = { code: 'clickup:lookup_failed', retryable: true, detail: String((e as Error)?.message ?? e) };
          for (const a of batch) a.resolve({ ok: false, error });
        }
      }
    } finally {
      l.reading = false;
    }
  }

  private async exact(listId: string, asks: Ask[]): Promise<void> {
    this.counts.exact += asks.length;
    await Promise.all(
      asks.map(async (a) => a.resolve(await this.cu.findTasksByCustomField(listId, a.fieldId, a.value))),
    );
  }

  /** Jobs ready after a run, listed before the read is sent (a failure to list them only keeps the read from being kept). */
  private async ready(batch: Ask[]): Promise<Map<number, number>> {
    const kinds = [...new Set(batch.flatMap((a) => (a.job ? [a.job.kind] : [])))];
    if (kinds.length === 0) return new Map();
    try {
      return await this.readyRetries(kinds);
    } catch {
      return new Map();
    }
  }

  private async answer(listId: string, l: ListState, batch: Ask[]): Promise<void> {
    if (this.now() < l.exactUntil) return this.exact(listId, batch);
    const ready = await this.ready(batch);
    const candidates = batch.length + ready.size;
    if (candidates < 2) return this.exact(listId, batch);
    const maxPages = Math.max(1, Math.floor(candidates / 2));
    const from = Math.max(0, Math.floor(Math.min(...batch.map((a) => a.queuedAt)) - CREATED_SKEW_MS));
    this.counts.reads++;
    const r = await this.cu.listTasks(
      listId,
      { date_created_gt: from, include_closed: true, subtasks: true },
      maxPages,
    );
    if (!r.ok && r.error.code === 'clickup:too_many_pages') {
      this.counts.pages += maxPages;
      l.exactUntil = this.now() + TOO_BIG_MS;
      l.kept = null;
      return this.exact(listId, batch);
    }
    if (!r.ok) {
      for (const a of batch) a.resolve(r);
      return;
    }
    this.counts.pages += Math.max(1, Math.ceil(r.value.length / 100));
    this.counts.shared += batch.length;
    l.kept = keep(l.kept, { from, tasks: r.value, ready });
    for (const a of batch) a.resolve(ok(r.value.filter((t) => hasFieldValue(t, a.fieldId, a.value))));
  }
}

/**
 * The read to keep after `next`: the jobs the read it replaces was kept for stay on its list, unless listed
 * again (the newer claims count). One of them claimed once since the older read is claimed once since the newer
 * one was listed too, or not listed there at all (running): every create it sent left before the older read,
 * so before the newer. Without this, the jobs claimed between two reads would each make a third.
 */
function keep(prev: KeptRead | null, next: KeptRead): KeptRead | null {
  if (prev && prev.ready.size + next.ready.size <= MAX_KEPT_JOBS)
    next = { ...next, ready: new Map([...prev.ready, ...next.ready]) };
  return next.ready.size > 0 ? next : null;
}

/**
 * The kept read, when it answers this look-up: the job was listed ready when the read was about to be sent,
 * has been claimed exactly once since (this run), never lost a worker, and was queued inside the read's window.
 * A job is answered from a kept read once.
 */
function answerable(kept: KeptRead, queuedAt: number, job: AskingJob): KeptRead | null {
  const then = kept.ready.get(job.id);
  if (then === undefined || job.claims === undefined || job.claims !== then + 1) return null;
  if ((job.crashes ?? 0) !== 0 || Math.max(0, Math.floor(queuedAt - CREATED_SKEW_MS)) < kept.from) return null;
  kept.ready.delete(job.id);
  return kept;
}

const readsByClient = new WeakMap<object, SavedTaskReads>();

/** The one SavedTaskReads of a ClickUp client (one per bridge instance). */
export function savedTaskReadsFor(
  cu: Pick<ClickUpClient, 'listTasks' | 'findTasksByCustomField'>,
  now: () => number,
  readyRetries?: ReadyRetries,
): SavedTaskReads {
  let r = readsByClient.get(cu);
  if (!r) readsByClient.set(cu, (r = new SavedTaskReads(cu, now, readyRetries)));
  return r;
}
