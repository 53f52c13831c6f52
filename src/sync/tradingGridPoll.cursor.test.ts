import { expect, it } from 'vitest';
import pino from 'pino';
import { storesUnderTest } from '../../test/helpers/pgStore.ts';
import { ok, type Result } from '../core/result.ts';
import type { ChangeBatch } from '../connectors/tradinggrid/port.ts';
import type { Store } from '../store/db.ts';
import type { JobRow } from '../store/ops/claimJobs.ts';
import { readCursor, writeCursor } from '../store/ops/cursors.ts';
import type { SyncContext } from './context.ts';
import type { JobContext } from './dispatcher.ts';
import { tradingGridPollHandler } from './tradingGridPoll.ts';

const { describeStores, make } = await storesUnderTest('src/sync/tradingGridPoll.cursor.test.ts');

/** Poll runs on `store`; each run's Trading Grid answer is the next of `answers`, and `asked` says which were asked. */
function pollOn(store: Store, answers: Array<Promise<Result<ChangeBatch>>>) {
  const since: string[] = [];
  const waiters: Array<() => void> = [];
  const ctx = {
    store,
    tg: {
      pollChanges: (o: { since?: string } = {}) => {
        since.push(o.since ?? '');
        waiters.shift()?.();
        return answers.shift()!;
      },
    },
    now: () => Date.now(),
    logger: pino({ level: 'silent' }),
    wake: () => undefined,
  } as unknown as SyncContext;
  const handler = tradingGridPollHandler(ctx);
  const run = (slot: number) =>
    handler({
      job: { id: slot, kind: 'tradinggrid.poll' } as unknown as JobRow,
      payload: { slot },
      attempt: 1,
      now: () => Date.now(),
    } satisfies JobContext);
  /** Resolves when the next poll asks Trading Grid. */
  const nextAsk = () => new Promise<void>((r) => waiters.push(r));
  return { run, since, nextAsk };
}

describeStores('Trading Grid poll cursor on %s', (kind) => {
  it('a poll that read the cursor before another run saved a later one does not put its older cursor back', async () => {
    const { store } = await make(kind);
    await writeCursor(store.db, 'tradinggrid.poll', '2026-12-07T09:00:00.000Z', 1);
    let answerSlow!: (r: Result<ChangeBatch>) => void;
    const { run, since, nextAsk } = pollOn(store, [
      new Promise<Result<ChangeBatch>>((r) => (answerSlow = r)),
      Promise.resolve(ok({ events: [], cursor: '2026-12-07T09:10:00.000Z' })),
    ]);
    // A run whose lease was lost is still reading when the new holder (or the next slot's run) polls and saves.
    const asked = nextAsk();
    const slow = run(1);
    await asked;
    expect(await run(2)).toEqual({ status: 'done' });
    expect(await readCursor(store.db, 'tradinggrid.poll')).toBe('2026-12-07T09:10:00.000Z');
    answerSlow(ok({ events: [], cursor: '2026-12-07T09:05:00.000Z' }));
    expect(await slow).toEqual({ status: 'done' });
    // Both read from the same cursor; the slow run's older one is not saved over the newer one.
    expect(since).toEqual(['2026-12-07T09:00:00.000Z', '2026-12-07T09:00:00.000Z']);
    expect(await readCursor(store.db, 'tradinggrid.poll')).toBe('2026-12-07T09:10:00.000Z');
  });
});
