import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { storeOf, type Store } from '../db.ts';
import { JOBS_CHANNEL } from './enqueueJobs.ts';
import type { CheckedJob } from '../../core/checkedJob.ts';
import { dialectOf } from '../dbClock.ts';
import { bound, pgRecordInboundEvents, SQLITE_INSERT_EVENT, SQLITE_INSERT_EVENT_JOB } from '../fastPath/statements.ts';
import { boundedKey } from '../../core/boundedKey.ts';

export interface InboundEvent {
  source: string;
  eventId: string;
  type: string;
  payload: unknown;
}

/** The job that processes an inbound event: checked against its kind's schema like every queued job. */
export type InboundJob = CheckedJob;

interface Pending {
  ev: InboundEvent;
  job: InboundJob;
  now: number;
  resolve: (r: { duplicate: boolean }) => void;
  reject: (e: unknown) => void;
}

const MAX_BATCH = 256;

function jobPayload(job: InboundJob): string {
  return JSON.stringify(job.payload);
}

/**
 * Group commit for webhook intake: events arriving in the same turn of the event loop are written in one
 * transaction (one WAL append / one PostgreSQL commit instead of one each), and each caller is answered
 * only after that commit. A batch that fails is retried event by event, so one bad event cannot fail the
 * others.
 */
class InboundBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  constructor(private readonly store: Store) {}

  submit(ev: InboundEvent, job: InboundJob, now: number): Promise<{ duplicate: boolean }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ev, job, now, resolve, reject });
      if (this.queue.length >= MAX_BATCH) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    void writeEvents(this.store, batch).then(
      (dups) => batch.forEach((p, i) => p.resolve({ duplicate: dups[i]! })),
      async () => {
        for (const p of batch)
          await writeEvents(this.store, [p]).then((d) => p.resolve({ duplicate: d[0]! }), p.reject);
      },
    );
  }
}

/** Events and the jobs of the new ones in one transaction, the jobs queued in the batch's order; whether each was a duplicate. */
function writeEvents(s: Store, batch: ReadonlyArray<Omit<Pending, 'resolve' | 'reject'>>): Promise<boolean[]> {
  if (s.sqlite) {
    // Raw prepared statements on SQLite: this runs for every webhook, and going through Kysely
    // (compile + several promise hops per statement) cost several times the insert itself.
    const access = s.sqlite;
    return access.exclusive((raw) => {
      const insEvent = access.prepare(SQLITE_INSERT_EVENT);
      const insJob = access.prepare(SQLITE_INSERT_EVENT_JOB);
      return raw.transaction(() =>
        batch.map(({ ev, job, now }) => {
          if (insEvent.run(...eventParams(ev, now)).changes === 0) return true;
          insJob.run(...jobParams(ev, job, now));
          return false;
        }),
      )();
    });
  }
  return pgRecord(s.db, batch);
}

function eventParams(ev: InboundEvent, now: number): unknown[] {
  return [ev.source, ev.eventId, ev.type, JSON.stringify(ev.payload), now];
}

function jobParams(ev: InboundEvent, job: InboundJob, now: number): unknown[] {
  return [job.kind, job.key, job.queueKey ?? null, jobPayload(job), job.runAt ?? now, job.maxAttempts ?? 10, now, now];
}

/**
 * PostgreSQL: the events, the jobs of the new ones and the NOTIFY that wakes idle workers of every instance, in
 * one statement: atomic on its own, so one round trip per batch instead of four (BEGIN, two inserts, COMMIT); each
 * round trip costs both this process and the server more than the rows. Inside a transaction the NOTIFY is
 * delivered at commit. Resolves, for each event, whether it was a duplicate.
 */
async function pgRecord(db: Kysely<Database>, batch: ReadonlyArray<Omit<Pending, 'resolve' | 'reject'>>) {
  const now = Math.max(...batch.map((p) => p.now));
  const params = batch.flatMap(({ ev, job, now: at }) => [
    ev.source,
    ev.eventId,
    ev.type,
    JSON.stringify(ev.payload),
    at,
    job.kind,
    job.key,
    job.queueKey ?? null,
    jobPayload(job),
    job.runAt ?? at,
    job.maxAttempts ?? 10,
  ]);
  const r = await bound<{ source: string; event_id: string }>(pgRecordInboundEvents(batch.length), [
    ...params,
    now,
    now,
    JOBS_CHANNEL,
  ]).execute(db);
  const fresh = new Set(r.rows.map((x) => `${x.source}\u0000${x.event_id}`));
  // The same event twice in one batch: the first delivery is the new one, the next a duplicate.
  return batch.map(({ ev }) => !fresh.delete(`${ev.source}\u0000${ev.eventId}`));
}

const batchers = new WeakMap<Store, InboundBatcher>();

/** Ids come from outside (a ClickUp event id joins every history item id): indexed columns get bounded keys; the payload keeps the original. */
function withBoundedKeys(event: InboundEvent, job: InboundJob): { ev: InboundEvent; job: InboundJob } {
  return {
    ev: { ...event, eventId: boundedKey(event.eventId) },
    job: { ...job, key: boundedKey(job.key), queueKey: job.queueKey == null ? job.queueKey : boundedKey(job.queueKey) },
  };
}

/**
 * Durably accept an inbound event and the job that will process it, in one transaction, and resolve only
 * after the commit. A repeat of the same (source, event id) is a no-op: uniqueness lives in the primary
 * key. Calls on a store's `db` share group commits with concurrent callers; a `Transaction` or a foreign
 * Kysely instance takes the one-event path.
 */
export async function recordInboundEvent(
  db: Kysely<Database>,
  event: InboundEvent,
  inboundJob: InboundJob,
  now: number,
): Promise<{ duplicate: boolean }> {
  const { ev, job } = withBoundedKeys(event, inboundJob);
  const store = storeOf(db);
  if (store && !db.isTransaction) {
    let b = batchers.get(store);
    if (!b) batchers.set(store, (b = new InboundBatcher(store)));
    return b.submit(ev, job, now);
  }
  // The one-event path runs the same statements through Kysely.
  if (dialectOf(db) === 'postgres') return { duplicate: (await pgRecord(db, [{ ev, job, now }]))[0]! };
  const write = async (trx: Kysely<Database>): Promise<{ duplicate: boolean }> => {
    const ins = await bound(SQLITE_INSERT_EVENT, eventParams(ev, now)).execute(trx);
    if (Number(ins.numAffectedRows ?? 0) === 0) return { duplicate: true };
    await bound(SQLITE_INSERT_EVENT_JOB, jobParams(ev, job, now)).execute(trx);
    return { duplicate: false };
  };
  return db.isTransaction ? write(db) : db.transaction().execute(write);
}

/**
 * Durably accept several events (a catch-up's finds), in the order given: each call is one transaction (SQLite)
 * or one statement (PostgreSQL) for all of them, and their jobs are queued in that order, so the events of one
 * queue key run oldest first. If that write fails, the events are recorded one by one, in order. Resolves,
 * for each event, whether it was a duplicate.
 */
export async function recordInboundEventsInOrder(
  db: Kysely<Database>,
  items: ReadonlyArray<{ event: InboundEvent; job: InboundJob }>,
  now: number,
): Promise<Array<{ duplicate: boolean }>> {
  if (items.length === 0) return [];
  const store = storeOf(db);
  if (!store || db.isTransaction) {
    const out: Array<{ duplicate: boolean }> = [];
    for (const { event, job } of items) out.push(await recordInboundEvent(db, event, job, now));
    return out;
  }
  const batch = items.map(({ event, job }) => ({ ...withBoundedKeys(event, job), now }));
  try {
    return (await writeEvents(store, batch)).map((duplicate) => ({ duplicate }));
  } catch {
    const out: Array<{ duplicate: boolean }> = [];
    for (const p of batch) out.push({ duplicate: (await writeEvents(store, [p]))[0]! });
    return out;
  }
}
