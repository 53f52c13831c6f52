import { describe, expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { anyJob } from '../../../test/helpers/anyJob.ts';
import { until } from '../../../test/helpers/until.ts';
import { MINIMAL_CONFIG_YAML } from '../../config/minimalConfig.fixture.ts';
import { parseConfigText } from '../../config/load.ts';
import type { CaseRecord } from '../../core/case.ts';
import { saveCase } from '../../store/ops/cases.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { Dispatcher, type JobHandler, type JobOutcome } from '../../sync/dispatcher.ts';
import type { SyncContext } from '../../sync/context.ts';
import { reintakeHandler } from '../01-case-intake/intakeHandler.ts';
import { noTaskYet } from './noTaskYet.ts';

// A held case's job parked ('wait': the dispatcher's transaction that locks the case's row, asks again whether
// the case is held, and parks the job) at the very moment the case is taken up now that its partner is mapped
// (the re-intake's completion: the case's row written, then its waiting jobs taken out and queued behind the
// task's create), by two instances with their own connections, many times. The case's queue key keeps the two
// apart within one queue; the re-intake here is queued without it, so they meet, as they may when a worker
// stalls past its lease: what the row lock guarantees then is that the job is either parked before the take-up
// and taken by it, or told the case moved on and retried; never parked after the take-up (waiting forever on a
// case that has its task), never lost, and no deadlock.

const { pgUp, make } = await storesUnderTest('src/flows/shared/noTaskYet.concurrent.test.ts');
const ROUNDS = 40;

const parsed = parseConfigText(
  `${MINIMAL_CONFIG_YAML}partners:\n  require_mapping: true\n  map:\n    P-MAPPED: { name: Mapped Co, list_id: "11" }\n`,
);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const config = parsed.config;

function heldCase(id: string): CaseRecord {
  return {
    id,
    source: 'mailbox',
    partnerId: 'P-MAPPED',
    partnerName: null,
    partnerTier: null,
    kind: 'dispute',
    title: 'A case',
    description: '',
    transactionRef: null,
    value: null,
    partnerStatus: 'received',
    state: 'needs_mapping',
    holdReason: 'partner P-MAPPED is not in partners.map',
    slaDueAt: null,
    openedAt: 1,
    resolvedAt: null,
    updatedAt: 1,
  };
}

/** A few turns of the event loop, so either side may reach the case's row first. */
async function jitter(): Promise<void> {
  for (let n = Math.floor(Math.random() * 4); n > 0; n--) await new Promise<void>((r) => setImmediate(r));
}

describe.skipIf(!pgUp)('parking a held case’s job while the case is taken up (PostgreSQL, two instances)', () => {
  it(`${ROUNDS} rounds at the same moment: the job ends queued again every time, none waits on a case taken up, no deadlock`, async () => {
    const { store: parker } = await make('postgres');
    const { store: taker } = await make('postgres');
    const now = () => Date.now();
    const errors: unknown[] = [];
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: (o: unknown) => errors.push(o),
    };
    const settled: Record<string, string[]> = {};
    const dispatcher = (store: typeof parker, kind: string, handler: JobHandler) =>
      new Dispatcher(store, new Map([[kind, handler]]), {
        concurrency: 1,
        leaseMs: 30_000,
        pollMs: 10,
        backoffBaseMs: 60_000,
        backoffMaxMs: 60_000,
        logger: logger as never,
        // A failure to record the outcome (a deadlock, say) is kept with its error.
        onSettled: (job, outcome, _ms, error) =>
          (settled[job.kind] ??= []).push(error?.startsWith('could not record') ? `${outcome}: ${error}` : outcome),
      });
    // Each instance's handler has its answer, then both hand it back at the same moment.
    const ready: Array<() => void> = [];
    let go: Promise<void> = Promise.resolve();
    const atTheSameMoment = async (o: JobOutcome): Promise<JobOutcome> => {
      ready.shift()!();
      await go;
      await jitter();
      return o;
    };
    // The parking instance: its job finds no task on the held case (noTaskYet).
    const parking = dispatcher(parker, 'clickup.set_status', async ({ job, payload }) =>
      atTheSameMoment(
        await noTaskYet({ store: parker, now } as unknown as SyncContext, (payload as { caseId: string }).caseId, job),
      ),
    );
    // The taking-up instance: the re-intake of the case, decided while the case was still held.
    const reintake = reintakeHandler({
      store: taker,
      config,
      now,
      logger,
      partners: { get: async (id: string) => ({ ok: true, value: { id, name: 'Mapped Co', tier: null } }) },
    } as unknown as SyncContext);
    const takingUp = dispatcher(taker, 'case.reintake', async (c) =>
      atTheSameMoment(await reintake(c as Parameters<typeof reintake>[0])),
    );

    const outcomes = { parkedThenTaken: 0, retried: 0 };
    // At least ROUNDS rounds, and on until both orders have happened (at most three times as many).
    for (let i = 0; i < ROUNDS || (Math.min(outcomes.parkedThenTaken, outcomes.retried) === 0 && i < 3 * ROUNDS); i++) {
      const caseId = `C-${i}`;
      await saveCase(parker.db, heldCase(caseId));
      for (const k of Object.keys(settled)) delete settled[k];
      const both = [0, 1].map(() => new Promise<void>((r) => ready.push(r)));
      let open!: () => void;
      go = new Promise<void>((r) => (open = r));
      // The re-intake first (each instance claims only its own job), then the job of the case's queue.
      await enqueueJobs(
        taker.db,
        [anyJob({ kind: 'case.reintake', key: `r:${caseId}`, payload: { caseId, source: 'mailbox' } })],
        now(),
      );
      const taken = takingUp.runUntilIdle(1);
      await until('the re-intake claimed, with its answer', () => ready.length === 1);
      await enqueueJobs(
        parker.db,
        [anyJob({ kind: 'clickup.set_status', key: `s:${caseId}`, queueKey: `case:${caseId}`, payload: { caseId } })],
        now(),
      );
      const parked = parking.runUntilIdle(1);
      await Promise.all(both);
      open();
      await Promise.all([taken, parked]);
      const jobs = await parker.db
        .selectFrom('jobs')
        .select(['key', 'state', 'attempts'])
        .where('queue_key', '=', `case:${caseId}`)
        .orderBy('id')
        .execute();
      const job = jobs.find((j) => j.key === `s:${caseId}`);
      // Parked then taken up (queued again behind the task's create), or retried (the case had moved on): ready.
      expect({ round: i, settled, waiting: jobs.filter((j) => j.state === 'waiting'), job }).toEqual({
        round: i,
        settled: { 'case.reintake': ['done'], 'clickup.set_status': [expect.stringMatching(/^(wait|retry)$/)] },
        waiting: [],
        job: { key: `s:${caseId}`, state: 'ready', attempts: 0 },
      });
      if (settled['clickup.set_status']![0] === 'wait') {
        // Taken up behind the create: a later id than the task's first job.
        expect(jobs.map((j) => j.key).at(-1)).toBe(`s:${caseId}`);
        outcomes.parkedThenTaken++;
      } else outcomes.retried++;
      // The next round's jobs are the only ones to claim.
      await parker.db.deleteFrom('jobs').execute();
    }
    expect(errors).toEqual([]);
    // Both orders happened: the job parked first and taken up, and the take-up first and the job retried.
    expect(Math.min(outcomes.parkedThenTaken, outcomes.retried), JSON.stringify(outcomes)).toBeGreaterThan(0);
  }, 120_000);
});
