import type { SyncContext } from './context.ts';
import type { JobHandler } from './dispatcher.ts';
import { recordInboundEventsInOrder } from '../store/ops/recordInboundEvent.ts';
import { initCursor, readCursor, saveCursorOver } from '../store/ops/cursors.ts';
import { outcomeFromRemote } from './outcome.ts';
import { tgQueueKey } from './tgQueueKey.ts';
import { engineJobs, newEngineJob, parsePayload } from './engineJobs.ts';

const CURSOR = 'tradinggrid.poll';
/** Events of a poll recorded together (within one group commit of the inbox). */
const POLL_RECORD_CHUNK = 200;

/**
 * Start the poll cursor at the bridge's first start, so a webhook dropped between start-up and the first
 * poll is still recovered (history before the first start is `gridbridge backfill`'s job). No-op later.
 */
export async function initPollCursor(db: SyncContext['store']['db'], now: number): Promise<void> {
  await initCursor(db, CURSOR, new Date(now).toISOString(), now);
}

/**
 * `tradinggrid.poll` (scheduled): webhooks can be missed, so changes since the stored cursor are read
 * by polling and fed through the same inbox as webhook events. Repeats dedupe by event id and by the
 * flows' own idempotency; the cursor moves only after the events are stored.
 *
 * Two runs can overlap: a run whose lease was lost is stopped by the dispatcher only at its next remote write
 * or lease beat, and the poll writes nothing remote, so it can still save after the new holder (or the next
 * slot's run) saved. Every saved cursor has had the changes up to it stored, so neither save skips a change,
 * but a blind one put an older cursor over a newer one and the next poll read the window between them again
 * (repeats dedupe; a long window is what ran polls past their deadline). The save is guarded (saveCursorOver):
 * only over the cursor this run read; when another run saved meanwhile, theirs stands.
 */
export function tradingGridPollHandler(ctx: SyncContext): JobHandler {
  return async (job) => {
    // Set by the bridge, not a module: the payload is parsed here, like every job's at claim.
    const parsed = parsePayload('tradinggrid.poll', engineJobs['tradinggrid.poll'], job.payload);
    if (!parsed.ok) return parsed.refused;
    const db = ctx.store.db;
    const cursor = await readCursor(db, CURSOR);
    const now = ctx.now();
    // First run: start from now; older history is `gridbridge backfill`'s job, not a poll's. Created only if
    // absent: a cursor another run saved meanwhile has its changes stored, and now may be past some of theirs.
    if (cursor === null) {
      await initCursor(db, CURSOR, new Date(now).toISOString(), ctx.now());
      return { status: 'done' };
    }
    if (!ctx.tg.pollChanges) return { status: 'done' };
    const r = await ctx.tg.pollChanges({ since: cursor });
    if (!r.ok) return outcomeFromRemote(r.error, 'polling Trading Grid for missed changes');
    let fresh = 0;
    // Recorded a chunk at a time, each chunk in one write with its jobs queued in the events' order (a case's
    // events still run oldest first). One by one, a window of thousands of changes took thousands of round
    // trips on a loaded machine, and the poll ran past its lease and deadline without saving its cursor.
    const events = r.value.events;
    for (let i = 0; i < events.length; i += POLL_RECORD_CHUNK) {
      const recorded = await recordInboundEventsInOrder(
        db,
        events.slice(i, i + POLL_RECORD_CHUNK).map((ev) => ({
          event: { source: 'tradinggrid', eventId: ev.id, type: ev.type, payload: ev },
          job: newEngineJob('tg.event', ev, { key: `tg.event:${ev.id}`, queueKey: tgQueueKey(ev) }),
        })),
        ctx.now(),
      );
      fresh += recorded.filter((x) => !x.duplicate).length;
    }
    // Guarded: saved over the cursor this run read; when another run saved meanwhile, theirs stands (the cursor
    // is the driver's, opaque here, so which of two is later cannot be told; theirs is as safe as ours).
    await saveCursorOver(db, CURSOR, cursor, r.value.cursor, () => null, ctx.now());
    if (fresh > 0) {
      ctx.logger.info({ fresh, seen: r.value.events.length }, 'Trading Grid poll found changes no webhook brought');
      ctx.wake();
    }
    return { status: 'done' };
  };
}
