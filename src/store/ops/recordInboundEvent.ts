import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { storeOf, type Store } from '../db.ts';
import { announceNewJobs } from './enqueueJobs.ts';
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

/** Most events in one statement (PostgreSQL takes at most 65,535 parameters; each event has 11). */
const MAX_BATCH = 256;

/**
 * The job's payload as stored. A webhook's job usually carries the event itself (the same object): its text, once
 * written for the event, is reused instead of serialising the body a second time.
 */
function jobPayload(job: InboundJob, ev: InboundEvent, eventJson: string): string {
  return job.payload === ev.payload ? eventJson : JSON.stringify(job.payload);
}

/**
 * Group commit for webhook intake: one write in flight per store at a time; the events that arrive while it runs
 * (or in the same turn of the event loop) are written together by the next one, in one transaction (SQLite) or one
 * statement (PostgreSQL, on the store's intake connection): one WAL append / one commit and its fsync for all of
 * them instead of one each. Each caller is answered only after the commit that holds its event. A batch that
 * fails is written again event by event, in order, inside the same flight, so one bad event cannot fail the
 * others and every caller is answered (its own error or its result).
 *
 * One flight at a time also keeps the order: events are committed in the order they were handed in, so the jobs
 * of one queue key get ids in that order (two batches in flight at once on two connections could commit the
 * later one first).
 */
class InboundBatcher {
  private queue: Pending[] = [];
  private flying = false;
  private scheduled = false;
  constructor(private readonly store: Store) {}

  submit(ev: InboundEvent, job: InboundJob, now: number): Promise<{ duplicate: boolean }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ev, job, now, resolve, reject });
      // The rest of this turn's events join it; while a write is in flight they wait for the next one.
      if (!this.flying && !this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.fly();
        });
      }
    });
  }

  private async fly(): Promise<void> {
    if (this.flying) return;
    this.flying = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        // An async wrapper: a write that throws before its first await still rejects (and is answered).
        const write = async (b: Pending[]) => writeEvents(this.store, b);
        const announce = await write(batch).then(
          (dups) => {
            batch.forEach((p, i) => p.resolve({ duplicate: dups[i]! }));
            return dups.some((d) => !d);
          },
          async () => {
            let fresh = false;
            for (const p of batch)
              await write([p]).then((d) => {
                fresh ||= !d[0];
                p.resolve({ duplicate: d[0]! });
              }, p.reject);
            return fresh;
          },
        );
        if (announce) void announceNewJobs(this.store.db);
      }
    } finally {
      this.flying = false;
    }
  }
}

/** Events and the jobs of the new ones in one transaction, the jobs queued in the batch's order; whether each was a duplicate. */
function writeEvents(
  s: Store,
  batch: ReadonlyArray<Omit<Pending, 'resolve' | 'reject'>>,
  lane: 'intake' | 'pool' = 'intake',
): Promise<boolean[]> {
  if (s.sqlite) {
    // Raw prepared statements on SQLite: this runs for every webhook, and going through Kysely
    // (compile + several promise hops per statement) cost several times the insert itself.
    const access = s.sqlite;
    // A webhook's sender is waiting: its write goes ahead of the statements queued by jobs in flight (up to 64
    // of them, each a transaction of its own), after the one holding the connection. A catch-up's does not.
    return access.exclusive(
      (raw) => {
        const insEvent = access.prepare(SQLITE_INSERT_EVENT);
        const insJob = access.prepare(SQLITE_INSERT_EVENT_JOB);
        return raw.transaction(() =>
          batch.map(({ ev, job, now }) => {
            const eventJson = JSON.stringify(ev.payload);
            if (insEvent.run(...eventParams(ev, now, eventJson)).changes === 0) return true;
            insJob.run(...jobParams(ev, job, now, eventJson));
            return false;
          }),
        )();
      },
      { first: lane === 'intake' },
    );
  }
  return pgRecord((lane === 'intake' && s.intakeDb) || s.db, batch);
}

function eventParams(ev: InboundEvent, now: number, eventJson: string): unknown[] {
  return [ev.source, ev.eventId, ev.type, eventJson, now];
}

function jobParams(ev: InboundEvent, job: InboundJob, now: number, eventJson: string): unknown[] {
  const payload = jobPayload(job, ev, eventJson);
  return [job.kind, job.key, job.queueKey ?? null, payload, job.runAt ?? now, job.maxAttempts ?? 10, now, now];
}

/**
 * PostgreSQL: the events and the jobs of the new ones in one statement: atomic on its own, so one round trip per
 * batch instead of four (BEGIN, two inserts, COMMIT); each round trip costs both this process and the server more
 * than the rows. The caller announces the new jobs after the commit (`announceNewJobs`). Resolves, for each event,
 * whether it was a duplicate.
 */
async function pgRecord(db: Kysely<Database>, batch: ReadonlyArray<Omit<Pending, 'resolve' | 'reject'>>) {
  const now = Math.max(...batch.map((p) => p.now));
  const params = batch.flatMap(({ ev, job, now: at }) => {
    const eventJson = JSON.stringify(ev.payload);
    return [
      ev.source,
      ev.eventId,
      ev.type,
      eventJson,
      at,
      job.kind,
      job.key,
      job.queueKey ?? null,
      jobPayload(job, ev, eventJson),
      job.runAt ?? at,
      job.maxAttempts ?? 10,
    ];
  });
  const r = await bound<{ source: string; event_id: string }>(pgRecordInboundEvents(batch.length), [
    ...params,
    now,
    now,
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
  if (dialectOf(db) === 'postgres') {
    const duplicate = (await pgRecord(db, [{ ev, job, now }]))[0]!;
    if (!duplicate) await announceNewJobs(db);
    return { duplicate };
  }
  const write = async (trx: Kysely<Database>): Promise<{ duplicate: boolean }> => {
    const eventJson = JSON.stringify(ev.payload);
    const ins = await bound(SQLITE_INSERT_EVENT, eventParams(ev, now, eventJson)).execute(trx);
    if (Number(ins.numAffectedRows ?? 0) === 0) return { duplicate: true };
    await bound(SQLITE_INSERT_EVENT_JOB, jobParams(ev, job, now, eventJson)).execute(trx);
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
  // On the pool, not the intake's connection: a catch-up's many events do not hold up a webhook's answer.
  const dups: boolean[] = [];
  try {
    try {
      dups.push(...(await writeEvents(store, batch, 'pool')));
    } catch {
      for (const p of batch) dups.push((await writeEvents(store, [p], 'pool'))[0]!);
    }
  } finally {
    if (dups.some((d) => !d)) void announceNewJobs(store.db);
  }
  return dups.map((duplicate) => ({ duplicate }));
}
