import type { SyncContext } from './context.ts';
import type { JobHandler } from './dispatcher.ts';
import { recordInboundEvent } from '../store/ops/recordInboundEvent.ts';
import { initCursor, readCursor, writeCursor } from '../store/ops/cursors.ts';
import { outcomeFromRemote } from './outcome.ts';
import { tgQueueKey } from './tgQueueKey.ts';
import { engineJobs, newEngineJob, parsePayload } from './engineJobs.ts';

const CURSOR = 'tradinggrid.poll';

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
 */
export function tradingGridPollHandler(ctx: SyncContext): JobHandler {
  return async (job) => {
    // Set by the bridge, not a module: the payload is parsed here, like every job's at claim.
    const parsed = parsePayload('tradinggrid.poll', engineJobs['tradinggrid.poll'], job.payload);
    if (!parsed.ok) return parsed.refused;
    const db = ctx.store.db;
    const cursor = await readCursor(db, CURSOR);
    const now = ctx.now();
    const save = (value: string) => writeCursor(db, CURSOR, value, ctx.now());
    // First run: start from now; older history is `gridbridge backfill`'s job, not a poll's.
    if (cursor === null) {
      await save(new Date(now).toISOString());
      return { status: 'done' };
    }
    if (!ctx.tg.pollChanges) return { status: 'done' };
    const r = await ctx.tg.pollChanges({ since: cursor });
    if (!r.ok) return outcomeFromRemote(r.error, 'polling Trading Grid for missed changes');
    let fresh = 0;
    for (const ev of r.value.events) {
      const { duplicate } = await recordInboundEvent(
        db,
        { source: 'tradinggrid', eventId: ev.id, type: ev.type, payload: ev },
        newEngineJob('tg.event', ev, { key: `tg.event:${ev.id}`, queueKey: tgQueueKey(ev) }),
        ctx.now(),
      );
      if (!duplicate) fresh++;
    }
    await save(r.value.cursor);
    if (fresh > 0) {
      ctx.logger.info({ fresh, seen: r.value.events.length }, 'Trading Grid poll found changes no webhook brought');
      ctx.wake();
    }
    return { status: 'done' };
  };
}
