import { ok, type Result } from '../../core/result.ts';
import type { ClickUpClient } from '../../connectors/clickup/client.ts';
import type { ClickUpTask } from '../../connectors/clickup/types.ts';
import { hasFieldValue } from '../../connectors/clickup/tasks.ts';

/**
 * The saved-task look-ups of retried creates, read together. After an outage every create that failed first
 * looks for a task its lost attempt may have saved (saved.ts); one exact look-up per job spent half of the
 * budget of the drain that followed. Here the look-ups of one list that are waiting at the same time are
 * answered by one read of the tasks created in that list since the oldest of their jobs was queued
 * (`GET /v2/list/{id}/task?date_created_gt=…`, closed tasks and subtasks included, paged), each job's task
 * found in it by the exact value of its field (ClickUp's `=` custom-field filter is fuzzy; this compares the
 * value itself).
 *
 * Why it is as sound as the exact look-up: a read answers only the look-ups asked before it was sent. A job
 * asks while it runs, after its claim, so every earlier attempt of it (on any instance) had ended, its create
 * sent, before the read left; a task that attempt saved is in the read, as it would be in an exact look-up
 * made at that moment. No answer is kept for later look-ups. The window starts `CREATED_SKEW_MS` before the
 * job was queued, for the difference between our clock and ClickUp's.
 *
 * Cost: a look-up alone (one job asking) is the exact look-up, one call, as before. Several at once are
 * read together, at most half as many pages as there are look-ups; a window with more pages than that is
 * not read further: those look-ups are made one by one, and the list's look-ups stay exact for
 * `TOO_BIG_MS` so the waste is not repeated.
 */
export const CREATED_SKEW_MS = 10 * 60_000;
export const TOO_BIG_MS = 60_000;

interface Ask {
  fieldId: string;
  value: string;
  queuedAt: number;
  resolve: (r: Result<ClickUpTask[]>) => void;
}

interface ListState {
  pending: Ask[];
  reading: boolean;
  exactUntil: number;
}

export interface SavedTaskReadCounts {
  /** Look-ups answered by a shared read / by an exact look-up. */
  shared: number;
  exact: number;
  /** Shared reads made (each one or more pages) and pages read by them. */
  reads: number;
  pages: number;
}

export class SavedTaskReads {
  private readonly lists = new Map<string, ListState>();
  readonly counts: SavedTaskReadCounts = { shared: 0, exact: 0, reads: 0, pages: 0 };

  constructor(
    private readonly cu: Pick<ClickUpClient, 'listTasks' | 'findTasksByCustomField'>,
    private readonly now: () => number,
  ) {}

  /** The tasks of `listId` whose text field `fieldId` is exactly `value`; `queuedAt`: when the job was queued. */
  find(listId: string, fieldId: string, value: string, queuedAt: number): Promise<Result<ClickUpTask[]>> {
    let l = this.lists.get(listId);
    if (!l) this.lists.set(listId, (l = { pending: [], reading: false, exactUntil: -Infinity }));
    const state = l;
    return new Promise((resolve) => {
      state.pending.push({ fieldId, value, queuedAt, resolve });
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

  private async answer(listId: string, l: ListState, batch: Ask[]): Promise<void> {
    if (batch.length < 2 || this.now() < l.exactUntil) return this.exact(listId, batch);
    const maxPages = Math.floor(batch.length / 2);
    const from = Math.min(...batch.map((a) => a.queuedAt)) - CREATED_SKEW_MS;
    this.counts.reads++;
    const r = await this.cu.listTasks(
      listId,
      { date_created_gt: Math.max(0, Math.floor(from)), include_closed: true, subtasks: true },
      maxPages,
    );
    if (!r.ok && r.error.code === 'clickup:too_many_pages') {
      this.counts.pages += maxPages;
      l.exactUntil = this.now() + TOO_BIG_MS;
      return this.exact(listId, batch);
    }
    if (!r.ok) {
      for (const a of batch) a.resolve(r);
      return;
    }
    this.counts.pages += Math.max(1, Math.ceil(r.value.length / 100));
    this.counts.shared += batch.length;
    for (const a of batch) a.resolve(ok(r.value.filter((t) => hasFieldValue(t, a.fieldId, a.value))));
  }
}

const readsByClient = new WeakMap<object, SavedTaskReads>();

/** The one SavedTaskReads of a ClickUp client (one per bridge instance). */
export function savedTaskReadsFor(
  cu: Pick<ClickUpClient, 'listTasks' | 'findTasksByCustomField'>,
  now: () => number,
): SavedTaskReads {
  let r = readsByClient.get(cu);
  if (!r) readsByClient.set(cu, (r = new SavedTaskReads(cu, now)));
  return r;
}
