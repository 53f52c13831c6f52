import type { Logger } from 'pino';
import type { JobRow } from '../../store/ops/claimJobs.ts';
import type { Store } from '../../store/db.ts';
import { recordTimeline, type TimelineEntry } from '../../store/ops/timeline.ts';
import { stringField } from '../../core/payloadField.ts';

type Settled = 'done' | 'retry' | 'fail' | 'lease_lost' | 'wait';

const LABELS: Record<string, string> = {
  'tg.event': 'Trading Grid event processed',
  'cu.event': 'ClickUp change processed',
  'case.reintake': 'case decided again',
  'clickup.create_task': 'ClickUp: create task',
  'clickup.upload_document': 'ClickUp: upload attachment',
};

/** The case a job works on: its queue key (`case:ID`), else a `caseId` in its payload. */
export function caseIdOfJob(job: Pick<JobRow, 'queue_key'>, payload: unknown): string | null {
  if (job.queue_key?.startsWith('case:')) return job.queue_key.slice(5);
  return stringField(payload, 'caseId');
}

/** Timeline entries for one settled job run (pure): the event it carried on the first run, then the run itself. */
export function timelineEntriesFor(
  job: JobRow,
  outcome: Settled,
  ms: number,
  error: string | undefined,
  endedAt: number,
): TimelineEntry[] {
  // What the timeline shows of a payload: an event's type and id (tg.event / cu.event), else nothing.
  type PayloadHead = { type?: string; event?: string; id?: string } | null;
  const isEvent = job.kind === 'tg.event' || job.kind === 'cu.event';
  const firstEventRun = isEvent && job.attempts <= 1;
  let payload: PayloadHead = null;
  // Parsed only when read (an event's first run, or a job without a case queue key): this runs for every job
  // settled, and the handler had parsed the same text already.
  if (firstEventRun || !job.queue_key?.startsWith('case:'))
    try {
      payload = JSON.parse(job.payload) as PayloadHead;
    } catch {
      /* kept null */
    }
  const caseId = caseIdOfJob(job, payload);
  const out: TimelineEntry[] = [];
  if (firstEventRun) {
    const type = payload?.type ?? payload?.event ?? 'event';
    const side = job.kind === 'tg.event' ? 'Trading Grid' : 'ClickUp';
    out.push({
      caseId,
      at: job.created_at,
      kind: 'event',
      detail: `received ${side} ${type}${payload?.id ? ` (${payload.id})` : ''}`,
      status: 'info',
      jobId: job.id,
    });
  }
  const label = LABELS[job.kind] ?? job.kind;
  const isCall = !isEvent && job.kind !== 'case.reintake';
  const kind: TimelineEntry['kind'] =
    outcome === 'retry' ? 'retry' : outcome === 'fail' ? 'error' : isCall && outcome !== 'wait' ? 'call' : 'decision';
  const firstLine = error?.split('\n')[0];
  const detail = `${label} — attempt ${job.attempts}/${job.max_attempts}${outcome === 'lease_lost' ? ' — lease lost, another worker redoes it' : outcome === 'wait' ? ' — parked until its case can take it' : ''}${firstLine ? `: ${firstLine}` : ''}`;
  out.push({ caseId, at: endedAt, kind, detail, status: outcome, durationMs: ms, jobId: job.id });
  return out;
}

/**
 * Dispatcher `onSettled` hook: buffers entries and writes them in one insert every `flushMs`, so the
 * timeline costs one statement per batch of jobs, not one per job. Losing the last few on a crash only
 * loses history, never work.
 */
export class TimelineRecorder {
  private buffer: TimelineEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
    private readonly logger?: Logger,
    private readonly flushMs = 200,
  ) {}

  readonly onSettled = (job: JobRow, outcome: Settled, ms: number, error?: string): void => {
    this.buffer.push(...timelineEntriesFor(job, outcome, ms, error, this.now()));
    if (this.buffer.length >= 500) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  };

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing
      .then(() => recordTimeline(this.store.db, batch))
      .catch((e) => this.logger?.warn({ err: e, entries: batch.length }, 'could not record timeline entries'));
    return this.flushing;
  }
}
