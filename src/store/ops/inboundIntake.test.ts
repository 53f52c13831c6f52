import type { Kysely } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import { anyJob } from '../../../test/helpers/anyJob.ts';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { boundedKey } from '../../core/boundedKey.ts';
import type { Database } from '../schema.ts';
import type { Store } from '../db.ts';
import { JOBS_CHANNEL } from './enqueueJobs.ts';
import { recordInboundEvent, recordInboundEventsInOrder, type InboundEvent } from './recordInboundEvent.ts';
import { canonicalJson, compareInboundEvent } from './compareInboundEvent.ts';
import { hasInboundEvent } from './hasInboundEvent.ts';

// Exactly-once intake: what recording an inbound event leaves in the store (the event, its job, nothing for a
// repeat), how concurrent calls share one write (the group commit) and what happens when that write fails, the
// in-order batch of a catch-up, and the comparison of a repeat's content. `npm run mutate storeIntake` measures
// recordInboundEvent.ts, compareInboundEvent.ts and hasInboundEvent.ts with this file and parity.test.ts.
const { describeStores, make } = await storesUnderTest('src/store/ops/inboundIntake.test.ts');

const T = 1_700_000_000_000;
const LONG = `evt-${'7'.repeat(300)}`;
const ev = (id: string, payload: unknown = { id }): InboundEvent => ({
  source: 'tg',
  eventId: id,
  type: 'case.opened',
  payload,
});
const jobOf = (id: string, over: { queueKey?: string; payload?: unknown } = {}) =>
  anyJob({
    kind: 'k',
    key: `ev:${id}`,
    payload: over.payload ?? { id },
    ...(over.queueKey ? { queueKey: over.queueKey } : {}),
  });
/** A payload JSON cannot write: the write of any batch holding it fails. */
const UNWRITABLE = { n: 10n };

async function events(db: Kysely<Database>) {
  return (
    await db
      .selectFrom('inbound_events')
      .select(['source', 'event_id', 'type', 'payload'])
      .orderBy('event_id')
      .execute()
  ).map((e) => [e.source, e.event_id, e.type, e.payload]);
}
async function jobs(db: Kysely<Database>) {
  return (await db.selectFrom('jobs').select(['key', 'queue_key', 'payload']).orderBy('id').execute()).map((j) => [
    j.key,
    j.queue_key,
    j.payload,
  ]);
}
/** How many times the intake took SQLite's raw connection (one per group commit); null on PostgreSQL. */
function writes(store: Store): { count: () => number | null } {
  if (!store.sqlite) return { count: () => null };
  const spy = vi.spyOn(store.sqlite, 'exclusive');
  return { count: () => spy.mock.calls.length };
}

describeStores('inbound intake on %s', (kind) => {
  it('long event ids, job keys and queue keys are stored bounded; the payloads keep the originals; no queue key stays null', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(
      await recordInboundEvent(
        db,
        ev(LONG, { big: LONG }),
        anyJob({ kind: 'k', key: LONG, queueKey: LONG, payload: { LONG } }),
        T,
      ),
    ).toEqual({ duplicate: false });
    expect(await events(db)).toEqual([['tg', boundedKey(LONG), 'case.opened', JSON.stringify({ big: LONG })]]);
    expect(await jobs(db)).toEqual([[boundedKey(LONG), boundedKey(LONG), JSON.stringify({ LONG })]]);
    // The same long id again is the same event.
    expect(await recordInboundEvent(db, ev(LONG), jobOf('other'), T)).toEqual({ duplicate: true });
    expect(await hasInboundEvent(db, 'tg', LONG)).toBe(true);
    expect(await compareInboundEvent(db, 'tg', LONG, { big: LONG })).toBe('same');
    // In order, in a transaction, and on the one-event path: bounded alike.
    const L2 = `${LONG}-2`;
    const L3 = `${LONG}-3`;
    expect(
      await recordInboundEventsInOrder(
        db,
        [{ event: ev(L2), job: anyJob({ kind: 'k', key: L2, queueKey: L2, payload: {} }) }],
        T,
      ),
    ).toEqual([{ duplicate: false }]);
    expect(
      await db
        .transaction()
        .execute((trx) =>
          recordInboundEvent(trx, ev(L3), anyJob({ kind: 'k', key: L3, queueKey: L3, payload: {} }), T),
        ),
    ).toEqual({ duplicate: false });
    await recordInboundEvent(db, ev('short'), jobOf('short'), T);
    expect((await jobs(db)).slice(1)).toEqual([
      [boundedKey(L2), boundedKey(L2), '{}'],
      [boundedKey(L3), boundedKey(L3), '{}'],
      ['ev:short', null, '{"id":"short"}'],
    ]);
    expect((await events(db)).map((e) => e[1])).toEqual(
      [boundedKey(LONG), boundedKey(L2), boundedKey(L3), 'short'].sort(),
    );
  });

  it("each path stores the event and its job whole (their times, the job's run_at and attempts or their defaults); on PostgreSQL a webhook's write takes the intake's connection, a catch-up's the pool", async () => {
    const { store } = await make(kind);
    const db = store.db;
    const stored = async () => ({
      events: (
        await db.selectFrom('inbound_events').select(['event_id', 'received_at']).orderBy('event_id').execute()
      ).map((e) => [e.event_id, Number(e.received_at)]),
      jobs: (
        await db
          .selectFrom('jobs')
          .select([
            'key',
            'queue_key',
            'payload',
            'state',
            'run_at',
            'attempts',
            'max_attempts',
            'created_at',
            'updated_at',
          ])
          .orderBy('id')
          .execute()
      ).map((j) => [
        j.key,
        j.queue_key,
        j.payload,
        j.state,
        Number(j.run_at),
        Number(j.attempts),
        Number(j.max_attempts),
        Number(j.created_at),
        Number(j.updated_at),
      ]),
    });
    // One group commit of events handed in at different times.
    expect(
      await Promise.all([
        recordInboundEvent(
          db,
          ev('a'),
          anyJob({ kind: 'k', key: 'ev:a', queueKey: 'case:1', payload: { x: 1 }, runAt: T + 500, maxAttempts: 3 }),
          T,
        ),
        recordInboundEvent(db, ev('b'), jobOf('b'), T + 20),
        recordInboundEvent(db, ev('c'), jobOf('c', { queueKey: 'case:1' }), T + 10),
      ]),
    ).toEqual([{ duplicate: false }, { duplicate: false }, { duplicate: false }]);
    // PostgreSQL writes a batch in one statement: its jobs are stamped with the batch's latest time; SQLite writes
    // each with its own.
    const at = (own: number) => (kind === 'postgres' ? T + 20 : own);
    expect(await stored()).toEqual({
      events: [
        ['a', T],
        ['b', T + 20],
        ['c', T + 10],
      ],
      jobs: [
        ['ev:a', 'case:1', '{"x":1}', 'ready', T + 500, 0, 3, at(T), at(T)],
        ['ev:b', null, '{"id":"b"}', 'ready', T + 20, 0, 10, T + 20, T + 20],
        ['ev:c', 'case:1', '{"id":"c"}', 'ready', T + 10, 0, 10, at(T + 10), at(T + 10)],
      ],
    });
    // The one-event path (a transaction) and a catch-up's batch, each with a job of its own time and attempts.
    await db
      .transaction()
      .execute((trx) =>
        recordInboundEvent(
          trx,
          ev('t'),
          anyJob({ kind: 'k', key: 'ev:t', queueKey: 'case:2', payload: {}, runAt: T + 900, maxAttempts: 2 }),
          T + 30,
        ),
      );
    await recordInboundEventsInOrder(
      db,
      [{ event: ev('u'), job: anyJob({ kind: 'k', key: 'ev:u', queueKey: 'case:2', payload: {}, maxAttempts: 4 }) }],
      T + 40,
    );
    expect((await stored()).jobs.slice(3)).toEqual([
      ['ev:t', 'case:2', '{}', 'ready', T + 900, 0, 2, T + 30, T + 30],
      ['ev:u', 'case:2', '{}', 'ready', T + 40, 0, 4, T + 40, T + 40],
    ]);
    expect((await stored()).events.slice(3)).toEqual([
      ['t', T + 30],
      ['u', T + 40],
    ]);
    if (!store.intakeDb) return;
    // A webhook's write does not queue behind a catch-up's or the workers' statements on the pool.
    const intake = vi.spyOn(store.intakeDb, 'getExecutor');
    const pool = vi.spyOn(db, 'getExecutor');
    expect(await recordInboundEvent(db, ev('w'), jobOf('w'), T)).toEqual({ duplicate: false });
    const webhook = [intake.mock.calls.length, pool.mock.calls.length];
    expect(webhook[0]).toBeGreaterThan(0);
    expect(webhook[1]).toBe(0);
    expect(await recordInboundEventsInOrder(db, [{ event: ev('x'), job: jobOf('x') }], T)).toEqual([
      { duplicate: false },
    ]);
    expect(intake.mock.calls.length).toBe(webhook[0]);
    expect(pool.mock.calls.length).toBeGreaterThan(0);
  });

  it('has: an event recorded under a long id is found by that id (the lookup bounds it like the write)', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await recordInboundEvent(db, ev(LONG), jobOf('long'), T);
    expect(await hasInboundEvent(db, 'tg', LONG)).toBe(true);
    expect(await hasInboundEvent(db, 'tg', `${LONG}-other`)).toBe(false);
    expect(await hasInboundEvent(db, 'clickup', LONG)).toBe(false);
  });

  it('calls in one turn share one write and are answered in their order, a repeat within the batch flagged', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const w = writes(store);
    const answers = await Promise.all([
      recordInboundEvent(db, ev('a'), jobOf('a'), T),
      recordInboundEvent(db, ev('b'), jobOf('b'), T),
      recordInboundEvent(db, ev('a'), jobOf('a-again'), T),
      recordInboundEvent(db, ev('c'), jobOf('c'), T),
    ]);
    expect(answers).toEqual([{ duplicate: false }, { duplicate: false }, { duplicate: true }, { duplicate: false }]);
    expect(w.count()).toBe(kind === 'sqlite' ? 1 : null);
    // The next turn: a write of its own.
    expect(await recordInboundEvent(db, ev('d'), jobOf('d'), T)).toEqual({ duplicate: false });
    expect(await recordInboundEvent(db, ev('b'), jobOf('b-again'), T)).toEqual({ duplicate: true });
    expect(w.count()).toBe(kind === 'sqlite' ? 3 : null);
    expect((await jobs(db)).map((j) => j[0])).toEqual(['ev:a', 'ev:b', 'ev:c', 'ev:d']);
  });

  it('a batch is written at 256 events without waiting for the turn to end; the rest in the next write', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const w = writes(store);
    const ids = Array.from({ length: 257 }, (_, i) => `e${String(i).padStart(3, '0')}`);
    const answers = await Promise.all(ids.map((id) => recordInboundEvent(db, ev(id), jobOf(id), T)));
    expect(answers.every((a) => a.duplicate === false)).toBe(true);
    expect(w.count()).toBe(kind === 'sqlite' ? 2 : null);
    expect((await jobs(db)).map((j) => j[0])).toEqual(ids.map((id) => `ev:${id}`));
  });

  it('events handed in while a write is in flight wait for it and are written together by the next one, in order', async () => {
    const { store } = await make(kind);
    const db = store.db;
    if (!store.sqlite) return; // PostgreSQL: the same batcher, but no raw connection for the test to hold
    const access = store.sqlite;
    const real = access.exclusive.bind(access);
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let entered!: () => void;
    const inFlight = new Promise<void>((r) => (entered = r));
    const spy = vi.spyOn(access, 'exclusive').mockImplementationOnce(async (fn: Parameters<typeof real>[0]) => {
      entered();
      await gate;
      return real(fn);
    });
    const item = (id: string) => recordInboundEvent(db, ev(id), jobOf(id, { queueKey: 'case:1' }), T);
    const a = item('a');
    await inFlight;
    // Two more events, each in a turn of its own, while the first write is held.
    const b = item('b');
    await new Promise((r) => setImmediate(r));
    const c = item('c');
    await new Promise((r) => setImmediate(r));
    expect(spy).toHaveBeenCalledTimes(1);
    open();
    expect(await Promise.all([a, b, c])).toEqual([{ duplicate: false }, { duplicate: false }, { duplicate: false }]);
    expect(spy).toHaveBeenCalledTimes(2);
    expect((await jobs(db)).map((j) => j[0])).toEqual(['ev:a', 'ev:b', 'ev:c']);
  });

  it("SQLite: a webhook's write goes ahead of the statements jobs queued before it, after the transaction holding the connection; a catch-up's waits its turn", async () => {
    const { store } = await make(kind);
    const db = store.db;
    if (!store.sqlite) return; // PostgreSQL: the intake writes on a connection of its own
    const count = async () =>
      Number(
        (
          await db
            .selectFrom('inbound_events')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    let release!: () => void;
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    // A job's transaction holds the connection across an await.
    const txn = db.transaction().execute(async (trx) => {
      await trx.selectFrom('jobs').select('id').execute();
      holding();
      await new Promise<void>((r) => (release = r));
      return Number(
        (
          await trx
            .selectFrom('inbound_events')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    });
    await held;
    // Queued behind it: two jobs' reads, then a webhook, then a catch-up's event.
    const before = [count(), count()];
    const webhook = recordInboundEvent(db, ev('w'), jobOf('w'), T);
    await new Promise((r) => setImmediate(r)); // the group commit starts on the next turn
    const catchUp = recordInboundEventsInOrder(db, [{ event: ev('c'), job: jobOf('c') }], T);
    await new Promise((r) => setImmediate(r));
    release();
    expect(await txn).toBe(0);
    expect(await webhook).toEqual({ duplicate: false });
    // The reads queued before the webhook already see its event; the catch-up's came after them.
    expect(await Promise.all(before)).toEqual([1, 1]);
    expect(await catchUp).toEqual([{ duplicate: false }]);
    expect(await count()).toBe(2);
  });

  it('a batch whose write fails is written event by event: the others recorded, only the bad one refused', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const w = writes(store);
    const results = await Promise.allSettled([
      recordInboundEvent(db, ev('good1'), jobOf('good1'), T),
      recordInboundEvent(db, ev('bad', UNWRITABLE), jobOf('bad'), T),
      recordInboundEvent(db, ev('good1'), jobOf('good1-again'), T),
      recordInboundEvent(db, ev('good2'), jobOf('good2', { payload: { ok: 1 } }), T),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'refused'))).toEqual([
      { duplicate: false },
      'refused',
      { duplicate: true },
      { duplicate: false },
    ]);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(TypeError);
    // One failed write, then one per event.
    expect(w.count()).toBe(kind === 'sqlite' ? 5 : null);
    expect((await events(db)).map((e) => e[1])).toEqual(['good1', 'good2']);
    expect(await jobs(db)).toEqual([
      ['ev:good1', null, '{"id":"good1"}'],
      ['ev:good2', null, '{"ok":1}'],
    ]);
    // A job that cannot be written takes its event back with it.
    await expect(recordInboundEvent(db, ev('half'), jobOf('half', { payload: UNWRITABLE }), T)).rejects.toThrow(
      TypeError,
    );
    expect(await hasInboundEvent(db, 'tg', 'half')).toBe(false);
  });

  it('in a transaction, or on a Kysely instance the store did not open, one event at a time: event and job together or neither', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const foreign = db.withoutPlugins();
    const w = writes(store);
    expect(await recordInboundEvent(foreign, ev('f1'), jobOf('f1', { queueKey: 'case:1' }), T)).toEqual({
      duplicate: false,
    });
    expect(await recordInboundEvent(foreign, ev('f1'), jobOf('f1-again'), T)).toEqual({ duplicate: true });
    await expect(recordInboundEvent(foreign, ev('f2'), jobOf('f2', { payload: UNWRITABLE }), T)).rejects.toThrow(
      TypeError,
    );
    expect(await hasInboundEvent(db, 'tg', 'f2')).toBe(false);
    // A transaction that rolls back takes its events with it.
    await expect(
      db.transaction().execute(async (trx) => {
        expect(await recordInboundEvent(trx, ev('t1'), jobOf('t1'), T)).toEqual({ duplicate: false });
        expect(await recordInboundEvent(trx, ev('t1'), jobOf('t1-again'), T)).toEqual({ duplicate: true });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await hasInboundEvent(db, 'tg', 't1')).toBe(false);
    expect(
      await recordInboundEventsInOrder(
        foreign,
        [
          { event: ev('f3'), job: jobOf('f3') },
          { event: ev('f1'), job: jobOf('x') },
        ],
        T,
      ),
    ).toEqual([{ duplicate: false }, { duplicate: true }]);
    expect(
      await db.transaction().execute((trx) =>
        recordInboundEventsInOrder(
          trx,
          [
            { event: ev('t2'), job: jobOf('t2') },
            { event: ev('t2'), job: jobOf('y') },
          ],
          T,
        ),
      ),
    ).toEqual([{ duplicate: false }, { duplicate: true }]);
    // None of these took the group commit's raw connection.
    expect(w.count()).toBe(kind === 'sqlite' ? 0 : null);
    expect(await jobs(db)).toEqual([
      ['ev:f1', 'case:1', '{"id":"f1"}'],
      ['ev:f3', null, '{"id":"f3"}'],
      ['ev:t2', null, '{"id":"t2"}'],
    ]);
  });

  it("a catch-up's batch: one write for all; none for no events; when it fails, event by event in order up to the bad one", async () => {
    const { store } = await make(kind);
    const db = store.db;
    const w = writes(store);
    const item = (id: string, payload: unknown = { id }) => ({ event: ev(id, payload), job: jobOf(id) });
    expect(await recordInboundEventsInOrder(db, [], T)).toEqual([]);
    expect(w.count()).toBe(kind === 'sqlite' ? 0 : null);
    expect(await recordInboundEventsInOrder(db, [item('z'), item('y'), item('z')], T)).toEqual([
      { duplicate: false },
      { duplicate: false },
      { duplicate: true },
    ]);
    expect(w.count()).toBe(kind === 'sqlite' ? 1 : null);
    await expect(
      recordInboundEventsInOrder(db, [item('x'), item('y'), item('bad', UNWRITABLE), item('w')], T),
    ).rejects.toThrow(TypeError);
    expect((await jobs(db)).map((j) => j[0])).toEqual(['ev:z', 'ev:y', 'ev:x']);
    expect(await hasInboundEvent(db, 'tg', 'w')).toBe(false);
    // The failed batch, then x, y (a repeat) and the bad one alone.
    expect(w.count()).toBe(kind === 'sqlite' ? 5 : null);
  });

  it("a catch-up's batch whose write fails once (SQLite busy) is recorded event by event, each answered", async () => {
    const { store } = await make(kind);
    const db = store.db;
    if (!store.sqlite) return; // PostgreSQL: one statement, no raw connection to fail once
    vi.spyOn(store.sqlite, 'exclusive').mockRejectedValueOnce(new Error('SQLITE_BUSY'));
    const item = (id: string) => ({ event: ev(id), job: jobOf(id) });
    expect(await recordInboundEventsInOrder(db, [item('p'), item('q'), item('p')], T)).toEqual([
      { duplicate: false },
      { duplicate: false },
      { duplicate: true },
    ]);
    expect((await jobs(db)).map((j) => j[0])).toEqual(['ev:p', 'ev:q']);
  });

  it('announces new jobs after the commit, once per write that queued one; never for repeats alone', async () => {
    const { store } = await make(kind);
    const db = store.db;
    // SQLite has no announcer (one process, no other instance to wake): one stands in for PostgreSQL's so the
    // batcher's decision, which is the same on both stores, is seen; on PostgreSQL the real one is watched.
    if (!store.announce) store.announce = () => {};
    const announced = vi.spyOn(store as Required<Pick<Store, 'announce'>>, 'announce');
    // A repeat alone answers only after every earlier write's announcement was decided (one write in flight).
    const settled = async () => {
      expect(await recordInboundEvent(db, ev('a'), jobOf('a-again'), T)).toEqual({ duplicate: true });
      return announced.mock.calls.length;
    };
    expect(await recordInboundEvent(db, ev('a'), jobOf('a'), T)).toEqual({ duplicate: false });
    expect(await settled()).toBe(1);
    expect(announced).toHaveBeenLastCalledWith(JOBS_CHANNEL);
    // One write, one new event among repeats: announced once.
    expect(
      await Promise.all([
        recordInboundEvent(db, ev('a'), jobOf('a-again'), T),
        recordInboundEvent(db, ev('b'), jobOf('b'), T),
        recordInboundEvent(db, ev('b'), jobOf('b-again'), T),
      ]),
    ).toEqual([{ duplicate: true }, { duplicate: false }, { duplicate: true }]);
    expect(await settled()).toBe(2);
    // Repeats alone: nothing to announce.
    await Promise.all([recordInboundEvent(db, ev('a'), jobOf('x'), T), recordInboundEvent(db, ev('b'), jobOf('y'), T)]);
    expect(await settled()).toBe(2);
    // A failed write taken event by event: announced when one of them was new, not when all were repeats.
    const outcomes = async (...ids: string[]) =>
      (
        await Promise.allSettled(
          ids.map((id) => recordInboundEvent(db, ev(id, id === 'bad' ? UNWRITABLE : { id }), jobOf(id), T)),
        )
      ).map((r) => (r.status === 'fulfilled' ? r.value.duplicate : 'refused'));
    expect(await outcomes('bad', 'a', 'b')).toEqual(['refused', true, true]);
    expect(await settled()).toBe(2);
    expect(await outcomes('a', 'bad', 'c')).toEqual([true, 'refused', false]);
    expect(await settled()).toBe(3);
    expect(announced).toHaveBeenLastCalledWith(JOBS_CHANNEL);
    // The one-event path (a transaction): on PostgreSQL announced once the transaction has committed (its driver
    // hands the noted channel to the store's announcer); SQLite's transactions have nothing to wake.
    let inTransaction = -1;
    await db.transaction().execute(async (trx) => {
      await recordInboundEvent(trx, ev('t'), jobOf('t'), T);
      inTransaction = announced.mock.calls.length;
    });
    expect(inTransaction).toBe(3);
    const afterTransaction = kind === 'postgres' ? 4 : 3;
    expect(await settled()).toBe(afterTransaction);
    // A repeat in a transaction: nothing to announce after its commit.
    expect(await db.transaction().execute((trx) => recordInboundEvent(trx, ev('t'), jobOf('t-again'), T))).toEqual({
      duplicate: true,
    });
    expect(announced).toHaveBeenCalledTimes(afterTransaction);
    // A catch-up's batch: announced when it queued a job, also when a later event of it failed; not for repeats alone.
    const item = (id: string) => ({ event: ev(id, id === 'bad' ? UNWRITABLE : { id }), job: jobOf(id) });
    expect(await recordInboundEventsInOrder(db, [item('a'), item('b')], T)).toEqual([
      { duplicate: true },
      { duplicate: true },
    ]);
    expect(announced).toHaveBeenCalledTimes(afterTransaction);
    expect(await recordInboundEventsInOrder(db, [item('a'), item('d')], T)).toEqual([
      { duplicate: true },
      { duplicate: false },
    ]);
    expect(announced).toHaveBeenCalledTimes(afterTransaction + 1);
    await expect(recordInboundEventsInOrder(db, [item('e'), item('bad')], T)).rejects.toThrow(TypeError);
    expect(announced).toHaveBeenCalledTimes(afterTransaction + 2);
    await expect(recordInboundEventsInOrder(db, [item('e'), item('bad')], T)).rejects.toThrow(TypeError);
    expect(announced).toHaveBeenCalledTimes(afterTransaction + 2);
    expect(announced.mock.calls.every((c) => c.length === 1 && c[0] === JOBS_CHANNEL)).toBe(true);
  });

  it('compare: same content whatever the key order, undefined fields and values JSON would change; different content, or a stored body that is no JSON', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await recordInboundEvent(
      db,
      ev('c1', { b: [1, 'x', null], a: { d: '2026-12-07T00:00:00.000Z', c: true } }),
      jobOf('c1'),
      T,
    );
    const same = { a: { c: true, d: new Date('2026-12-07T00:00:00.000Z'), gone: undefined }, b: [1, 'x', null] };
    expect(await compareInboundEvent(db, 'tg', 'c1', same)).toBe('same');
    expect(await compareInboundEvent(db, 'tg', 'c1', { ...same, b: [1, 'x'] })).toBe('different');
    expect(await compareInboundEvent(db, 'tg', 'c1', { ...same, extra: 0 })).toBe('different');
    expect(await compareInboundEvent(db, 'other', 'c1', same)).toBe('missing');
    expect(await compareInboundEvent(db, 'tg', 'c2', same)).toBe('missing');
    await db
      .insertInto('inbound_events')
      .values({ source: 'tg', event_id: 'broken', type: 't', payload: '{not json', received_at: T })
      .execute();
    expect(await compareInboundEvent(db, 'tg', 'broken', '{not json')).toBe('different');
    // A body that is no JSON is not read as nothing: it differs from a null payload too.
    expect(await compareInboundEvent(db, 'tg', 'broken', null)).toBe('different');
    expect(await hasInboundEvent(db, 'tg', 'broken')).toBe(true);
    expect(await hasInboundEvent(db, 'tg', 'c2')).toBe(false);
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth, drops undefined fields, keeps arrays in order (undefined items as null)', () => {
    expect(canonicalJson({ b: 1, a: [2, 'x', null, undefined, { d: undefined, c: true, B: 0 }], A: {} })).toBe(
      '{"A":{},"a":[2,"x",null,null,{"B":0,"c":true}],"b":1}',
    );
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson('s"q')).toBe('"s\\"q"');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({ 'k"': 1 })).toBe('{"k\\"":1}');
    expect(canonicalJson({ z: 1, y: 2, x: 3 })).toBe(canonicalJson({ x: 3, z: 1, y: 2 }));
  });
});
