import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';
import { storeOf, type Store } from '../db.ts';
import { enqueueJobs, type NewJob } from './enqueueJobs.ts';

export interface InboundEvent {
  source: string;
  eventId: string;
  type: string;
  payload: unknown;
}

export type InboundJob = Omit<NewJob, 'payload'> & { payload?: unknown };

interface Pending {
  ev: InboundEvent;
  job: InboundJob;
  now: number;
  resolve: (r: { duplicate: boolean }) => void;
  reject: (e: unknown) => void;
}

const MAX_BATCH = 256;

function jobPayload(ev: InboundEvent, job: InboundJob): string {
  return JSON.stringify(job.payload ?? { source: ev.source, eventId: ev.eventId, type: ev.type, event: ev.payload });
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
    void this.write(batch).then(
      (dups) => batch.forEach((p, i) => p.resolve({ duplicate: dups[i]! })),
      async () => {
        for (const p of batch) await this.write([p]).then((d) => p.resolve({ duplicate: d[0]! }), p.reject);
      },
    );
  }

  private write(batch: Pending[]): Promise<boolean[]> {
    const s = this.store;
    if (s.sqlite) {
      // Raw prepared statements on SQLite: this runs for every webhook, and going through Kysely
      // (compile + several promise hops per statement) cost several times the insert itself.
      // PostgreSQL keeps the Kysely path below (its cost is the round trip, not the compile).
      const access = s.sqlite;
      return access.exclusive((raw) => {
        const insEvent = access.prepare('INSERT INTO inbound_events (source, event_id, type, payload, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (source, event_id) DO NOTHING');
        const insJob = access.prepare(
          "INSERT INTO jobs (kind, key, queue_key, payload, state, run_at, attempts, max_attempts, created_at, updated_at) VALUES (?, ?, ?, ?, 'ready', ?, 0, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        );
        return raw.transaction(() =>
          batch.map(({ ev, job, now }) => {
            if (insEvent.run(ev.source, ev.eventId, ev.type, JSON.stringify(ev.payload), now).changes === 0) return true;
            insJob.run(job.kind, job.key, job.queueKey ?? null, jobPayload(ev, job), job.runAt ?? now, job.maxAttempts ?? 10, now, now);
            return false;
          }),
        )();
      });
    }
    return s.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('inbound_events')
        .values(batch.map(({ ev, now }) => ({ source: ev.source, event_id: ev.eventId, type: ev.type, payload: JSON.stringify(ev.payload), received_at: now })))
        .onConflict((oc) => oc.columns(['source', 'event_id']).doNothing())
        .returning(['source', 'event_id'])
        .execute();
      const fresh = new Set(inserted.map((r) => `${r.source}\u0000${r.event_id}`));
      // The same event twice in one batch: the first delivery is the new one, the next a duplicate.
      const dups = batch.map(({ ev }) => !fresh.delete(`${ev.source}\u0000${ev.eventId}`));
      const jobs = batch.filter((_, i) => !dups[i]);
      const payloadOf = (ev: InboundEvent, job: InboundJob) => job.payload ?? { source: ev.source, eventId: ev.eventId, type: ev.type, event: ev.payload };
      // enqueueJobs also NOTIFYs idle workers of other instances (delivered at commit).
      await enqueueJobs(trx, jobs.map(({ ev, job, now }) => ({ ...job, runAt: job.runAt ?? now, payload: payloadOf(ev, job) })), Math.max(...batch.map((p) => p.now)));
      return dups;
    });
  }
}

const batchers = new WeakMap<Store, InboundBatcher>();

/**
 * Durably accept an inbound event and the job that will process it, in one transaction, and resolve only
 * after the commit. A repeat of the same (source, event id) is a no-op: uniqueness lives in the primary
 * key. Calls on a store's `db` share group commits with concurrent callers; a `Transaction` or a foreign
 * Kysely instance takes the one-event path.
 */
export async function recordInboundEvent(db: Kysely<Database>, ev: InboundEvent, job: InboundJob, now: number): Promise<{ duplicate: boolean }> {
  const store = storeOf(db);
  if (store && !db.isTransaction) {
    let b = batchers.get(store);
    if (!b) batchers.set(store, (b = new InboundBatcher(store)));
    return b.submit(ev, job, now);
  }
  return db.transaction().execute(async (trx) => {
    const ins = await trx
      .insertInto('inbound_events')
      .values({ source: ev.source, event_id: ev.eventId, type: ev.type, payload: JSON.stringify(ev.payload), received_at: now })
      .onConflict((oc) => oc.columns(['source', 'event_id']).doNothing())
      .executeTakeFirst();
    if (Number(ins.numInsertedOrUpdatedRows ?? 0) === 0) return { duplicate: true };
    await enqueueJobs(trx, [{ ...job, payload: job.payload ?? { source: ev.source, eventId: ev.eventId, type: ev.type, event: ev.payload } }], now);
    return { duplicate: false };
  });
}
