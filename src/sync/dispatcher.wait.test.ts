import { describe, expect, it } from 'vitest';
import type { Logger } from 'pino';
import type { Transaction } from 'kysely';
import type { JobHandler } from './dispatcher.ts';
import type { Database } from '../store/schema.ts';
import { sqliteDispatchers } from '../../test/helpers/sqliteDispatcher.ts';
import { throughout, until } from '../../test/helpers/until.ts';

// The 'wait' outcome (a job that cannot run until something else happens): parked when its cause still holds in
// the parking transaction, retried without using an attempt when the cause ended meanwhile, left alone when its
// lease went to another worker. What each settles as, what is written, counted and logged.

const { setup } = sqliteDispatchers();

const REASON = 'case C-1 has no task yet';

/** A logger that keeps every line. */
function memoryLogger(): { logger: Logger; lines: Array<{ level: string; obj: unknown; msg: string }> } {
  const lines: Array<{ level: string; obj: unknown; msg: string }> = [];
  const at = (level: string) => (obj: unknown, msg: string) => lines.push({ level, obj, msg });
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger: logger as unknown as Logger, lines };
}

/** A handler that answers 'wait', asking `stillWaiting` in the parking transaction. */
function waits(stillWaiting: (trx: Transaction<Database>, key: string) => Promise<boolean>): JobHandler {
  return async ({ job }) => ({ status: 'wait', error: REASON, stillWaiting: (trx) => stillWaiting(trx, job.key) });
}

async function row(w: Awaited<ReturnType<typeof setup>>, key: string) {
  const j = await w.job(key);
  return {
    state: j.state,
    attempts: j.attempts,
    last_error: j.last_error,
    locked_by: j.locked_by,
    locked_until: j.locked_until,
  };
}

describe("a job that answers 'wait'", () => {
  it('is parked while its cause still holds: waiting, its attempt given back, its reason kept, never claimed again', async () => {
    const log = memoryLogger();
    const asked: Array<{ state: string; locked_by: string | null }> = [];
    const w = await setup(
      {
        k: waits(async (trx, key) => {
          // Asked inside the parking transaction, while the job is still this worker's and running.
          asked.push(
            await trx
              .selectFrom('jobs')
              .select(['state', 'locked_by'])
              .where('key', '=', key)
              .executeTakeFirstOrThrow(),
          );
          return true;
        }),
      },
      { logger: log.logger },
    );
    // One attempt: a wait that used it up would be a dead letter.
    await w.enqueue('k', ['j'], { maxAttempts: 1 });
    w.d.start();
    await until('the job to settle', () => w.settled.length === 1);
    expect(asked).toEqual([{ state: 'running', locked_by: w.d.workerId }]);
    expect(w.settled).toEqual([{ key: 'j', outcome: 'wait', error: REASON }]);
    expect(await row(w, 'j')).toEqual({
      state: 'waiting',
      attempts: 0,
      last_error: REASON,
      locked_by: null,
      locked_until: null,
    });
    expect(w.d.counters).toEqual({ done: 0, retried: 0, dead: 0, leaseLost: 0, parked: 1 });
    const id = (await w.job('j')).id;
    expect(log.lines).toEqual([{ level: 'debug', obj: { job: id, kind: 'k', reason: REASON }, msg: 'job parked' }]);
    await throughout('a parked job is not claimed', () => w.settled.length === 1, 300);
  });

  it('without a logger, is parked all the same, or retried when its cause ended', async () => {
    const runs = new Map<string, number>();
    const w = await setup(
      {
        k: async (ctx) => {
          const n = (runs.get(ctx.job.key) ?? 0) + 1;
          runs.set(ctx.job.key, n);
          if (n > 1) return { status: 'done' };
          return waits(async (_trx, key) => key === 'holds')(ctx);
        },
      },
      { logger: undefined },
    );
    await w.enqueue('k', ['holds', 'ended']);
    w.d.start();
    await until('both to settle, the retried one twice', () => w.settled.length === 3);
    expect(w.bySettledKey()).toEqual([
      { key: 'ended', outcome: 'retry', error: REASON },
      { key: 'ended', outcome: 'done' },
      { key: 'holds', outcome: 'wait', error: REASON },
    ]);
    expect([(await row(w, 'holds')).state, (await row(w, 'ended')).state]).toEqual(['waiting', 'done']);
    expect(w.d.counters).toEqual({ done: 1, retried: 1, dead: 0, leaseLost: 0, parked: 1 });
  });

  it('whose cause ended meanwhile is retried at once without using an attempt, not parked where nothing would take it out', async () => {
    const log = memoryLogger();
    let runs = 0;
    const w = await setup(
      {
        k: async (ctx) => {
          runs++;
          if (runs > 1) return { status: 'done' };
          return waits(async () => false)(ctx);
        },
      },
      // Backoff a minute away: only a retry that waits nothing runs again within the test.
      { logger: log.logger, backoffBaseMs: 60_000, backoffMaxMs: 60_000 },
    );
    await w.enqueue('k', ['j'], { maxAttempts: 1 });
    w.d.start();
    await until('the job to run again and finish', () => w.settled.length === 2, 5_000);
    expect(w.settled).toEqual([
      { key: 'j', outcome: 'retry', error: REASON },
      { key: 'j', outcome: 'done' },
    ]);
    const j = await w.job('j');
    expect([j.state, j.attempts]).toEqual(['done', 1]);
    expect(w.d.counters).toEqual({ done: 1, retried: 1, dead: 0, leaseLost: 0, parked: 0 });
    expect(log.lines).toEqual([
      {
        level: 'debug',
        obj: { job: j.id, kind: 'k', attempt: 1, waitMs: 0, error: REASON },
        msg: 'job will be retried',
      },
    ]);
  });

  it('whose lease went to another worker before the parking is left to that worker: nothing written, counted as a lost lease', async () => {
    const log = memoryLogger();
    const w = await setup(
      {
        k: waits(async (trx, key) => {
          await trx.updateTable('jobs').set({ locked_by: 'someone-else' }).where('key', '=', key).execute();
          return true;
        }),
      },
      { logger: log.logger },
    );
    await w.enqueue('k', ['j']);
    w.d.start();
    await until('the job to settle', () => w.settled.length === 1);
    expect(w.settled).toEqual([{ key: 'j', outcome: 'lease_lost', error: REASON }]);
    const r = await row(w, 'j');
    expect([r.state, r.attempts, r.last_error, r.locked_by]).toEqual(['running', 1, null, 'someone-else']);
    expect(w.d.counters).toEqual({ done: 0, retried: 0, dead: 0, leaseLost: 1, parked: 0 });
    expect(log.lines).toEqual([]);
  });
});
