import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { anyJob } from '../../../test/helpers/anyJob.ts';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { pgStatementsOf } from '../../../test/helpers/pgStatements.ts';
import { until } from '../../../test/helpers/until.ts';
import type { Store } from '../db.ts';
import { JOBS_CHANNEL } from './enqueueJobs.ts';
import { recordInboundEvent } from './recordInboundEvent.ts';

// The webhook intake's group commit (recordInboundEvent on a store's db): events handed in while a write is in
// flight are written together by the next one, and each caller is answered after the commit that holds its event.
// What must survive the batching, on both stores: a failed batch answers every member, duplicates of one delivery
// stay one event, and the jobs of one queue key are queued in the order the events were handed in.
const { describeStores, make } = await storesUnderTest('src/store/ops/recordInboundEvent.groupCommit.test.ts');

const T = 1_700_000_000_000;
const ev = (id: string) => ({ source: 'tradinggrid', eventId: id, type: 'case.opened', payload: { id } });
const job = (id: string, queueKey = 'case:C-1') => anyJob({ kind: 'k', key: `ev:${id}`, queueKey, payload: { id } });
const record = (store: Store, id: string, queueKey?: string) =>
  recordInboundEvent(store.db, ev(id), job(id, queueKey), T);
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

async function jobKeysInIdOrder(store: Store): Promise<string[]> {
  return (await store.db.selectFrom('jobs').select(['key']).orderBy('id').execute()).map((j) => j.key);
}

/** Inserts of an event whose id starts with "poison" fail (all of them with `everything`), on either store. */
async function poison(store: Store, kind: 'sqlite' | 'postgres', everything = false): Promise<() => Promise<void>> {
  if (kind === 'sqlite') {
    await sql
      .raw(
        `CREATE TRIGGER poison BEFORE INSERT ON inbound_events ${everything ? '' : "WHEN NEW.event_id LIKE 'poison%'"} BEGIN SELECT RAISE(ABORT, 'poisoned event'); END`,
      )
      .execute(store.db);
    return async () => void (await sql.raw('DROP TRIGGER poison').execute(store.db));
  }
  await sql
    .raw(
      `CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
         IF ${everything ? 'true' : "NEW.event_id LIKE 'poison%'"} THEN RAISE EXCEPTION 'poisoned event'; END IF;
         RETURN NEW; END $$`,
    )
    .execute(store.db);
  await sql
    .raw('CREATE TRIGGER poison BEFORE INSERT ON inbound_events FOR EACH ROW EXECUTE FUNCTION poison()')
    .execute(store.db);
  return async () => {
    await sql.raw('DROP TRIGGER poison ON inbound_events').execute(store.db);
    await sql.raw('DROP FUNCTION poison()').execute(store.db);
  };
}

const clients: pg.Client[] = [];
afterEach(async () => {
  while (clients.length)
    await clients
      .pop()!
      .end()
      .catch(() => undefined);
});

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  clients.push(c);
  await c.connect();
  return c;
}

describeStores('webhook intake group commit on %s', (kind) => {
  it('a batch that fails is written again event by event: the bad event alone is refused, the others are stored, and every caller is answered', async () => {
    const { store } = await make(kind);
    const heal = await poison(store, kind);
    // One turn: one batch of three, the middle one poisoned.
    const answers = await Promise.allSettled([record(store, 'e1'), record(store, 'poison-1'), record(store, 'e2')]);
    expect(answers[0]).toEqual({ status: 'fulfilled', value: { duplicate: false } });
    expect(answers[1]).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringMatching(/poisoned event/) },
    });
    expect(answers[2]).toEqual({ status: 'fulfilled', value: { duplicate: false } });
    expect(await jobKeysInIdOrder(store)).toEqual(['ev:e1', 'ev:e2']);
    await heal();
  });

  it('when every write fails every caller gets the error (the route answers 5xx), and the next events are written again', async () => {
    const { store } = await make(kind);
    const heal = await poison(store, kind, true);
    const failed = await Promise.allSettled(['a', 'b', 'c'].map((id) => record(store, id)));
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await jobKeysInIdOrder(store)).toEqual([]);
    await heal();
    // The intake is not left stuck behind the failed flight.
    expect(await Promise.all([record(store, 'a'), record(store, 'd')])).toEqual([
      { duplicate: false },
      { duplicate: false },
    ]);
    expect(await jobKeysInIdOrder(store)).toEqual(['ev:a', 'ev:d']);
  });

  it('repeats of one delivery, in one batch and in the batches after it, are one event and one job: only the first is new', async () => {
    const { store } = await make(kind);
    const answers: Array<Promise<{ duplicate: boolean }>> = [];
    for (let turn = 0; turn < 4; turn++) {
      answers.push(record(store, 'same'), record(store, 'same'));
      await nextTurn();
    }
    const got = await Promise.all(answers);
    expect(got.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(got[0]).toEqual({ duplicate: false });
    const events = await store.db.selectFrom('inbound_events').select(['event_id']).execute();
    expect(events).toEqual([{ event_id: 'same' }]);
    expect(await jobKeysInIdOrder(store)).toEqual(['ev:same']);
  });

  it("a case's events handed in one after another are queued in that order, even when the first one's write is held up", async () => {
    const { store, url } = await make(kind);
    const ids = Array.from({ length: 12 }, (_, i) => `o${String(i).padStart(2, '0')}`);
    // PostgreSQL: another session holds the first event's key (an uncommitted insert of it), so its write waits;
    // a write of the later events must not get ahead of it.
    let release = async () => undefined as unknown;
    if (kind === 'postgres') {
      const blocker = await client(url);
      await blocker.query('BEGIN');
      await blocker.query(
        `INSERT INTO inbound_events (source, event_id, type, payload, received_at) VALUES ('tradinggrid', $1, 'x', '{}', 0)`,
        [ids[0]],
      );
      release = () => blocker.query('ROLLBACK');
    }
    const answers: Array<Promise<{ duplicate: boolean }>> = [];
    for (const id of ids) {
      answers.push(record(store, id));
      await nextTurn();
    }
    if (kind === 'postgres') {
      const watcher = await client(url);
      await until(
        "the first event's write waiting for the other session",
        async () =>
          (
            await watcher.query(
              "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
          ).rowCount! > 0,
      );
      await release();
    }
    expect(await Promise.all(answers)).toEqual(ids.map(() => ({ duplicate: false })));
    expect(await jobKeysInIdOrder(store)).toEqual(ids.map((id) => `ev:${id}`));
  });

  if (kind === 'postgres')
    it('the commit carries no NOTIFY (notifying commits are serialised by PostgreSQL): the new jobs are announced after it, and a listener elsewhere hears it', async () => {
      const { store, url } = await make(kind);
      const listener = await client(url);
      let heard = 0;
      listener.on('notification', (m) => m.channel === JOBS_CHANNEL && heard++);
      await listener.query(`LISTEN ${JOBS_CHANNEL}`);
      // The statements of the two records and of what they leave running (the announcement), in order.
      const { statements } = await pgStatementsOf(async () => {
        expect(await Promise.all([record(store, 'n1'), record(store, 'n2')])).toEqual([
          { duplicate: false },
          { duplicate: false },
        ]);
        // Answered after the commit: another session sees both at once.
        const seen = await listener.query(
          "SELECT count(*)::int AS n FROM inbound_events WHERE event_id IN ('n1', 'n2')",
        );
        expect(seen.rows[0].n).toBe(2);
        await until('the announcement', () => heard > 0);
      });
      const texts = statements.inOrder.filter((s) => s.client !== listener).map((s) => s.text);
      const insert = texts.findIndex((t) => t.includes('INSERT INTO inbound_events'));
      expect(insert).toBeGreaterThanOrEqual(0);
      expect(texts[insert]).not.toMatch(/pg_notify/);
      expect(texts.slice(insert + 1).some((t) => /pg_notify/.test(t))).toBe(true);
    });
});
