import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';

/**
 * A ClickUp outage ends: the jobs that failed during it run as soon as ClickUp answers again, not at the end of
 * their outage backoff (which grows to dispatcher.backoff_max_ms, 5 minutes by default, while the outage lasts).
 */
let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const createJobs = (w: World) =>
  w.bridge!.store.db.selectFrom('jobs').selectAll().where('kind', '=', 'clickup.create_task').execute();

describe('after a ClickUp outage', () => {
  it('a create that failed during the outage is due as soon as ClickUp answers again, not after its backoff', async () => {
    // A backoff of minutes: the job could only run this soon because the recovery made it due.
    world = await createWorld({ extra: { dispatcher: { backoff_base_ms: 120_000, backoff_max_ms: 600_000 } } });
    const w = world;
    const b = await w.startBridge({ manualDispatch: true });
    w.cu.setFaults({ errorRate: 1 });
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'During the outage' });
    await eventually('the create job queued and failed', async () => {
      await b.dispatcher.runUntilIdle();
      const jobs = await createJobs(w);
      return jobs.length === 1 && jobs[0]!.state === 'ready' && jobs[0]!.attempts >= 1;
    });
    const [failed] = await createJobs(w);
    // Waiting out its backoff: a minute or more ahead.
    expect(Number(failed!.run_at)).toBeGreaterThan(Date.now() + 30_000);
    // A job waiting for another reason (a 4xx's backoff, a wait ClickUp asked for) keeps its wait.
    const t = Date.now();
    await b.store.db
      .insertInto('jobs')
      .values({
        kind: 'clickup.create_task',
        key: 'another-reason',
        queue_key: null,
        payload: failed!.payload,
        state: 'ready',
        run_at: t + 300_000,
        attempts: 1,
        max_attempts: 10,
        last_error: 'creating the ClickUp task: 400 [http_400]',
        created_at: t,
        updated_at: t,
      })
      .execute();

    // ClickUp is back; any call of the bridge's client that gets an answer tells it (here one read).
    w.cu.setFaults({ errorRate: 0 });
    const probe = await b.clickup.getList(w.config.clickup.list_id);
    expect(probe.ok).toBe(true);
    await eventually(
      'the create job due again',
      async () => Number((await createJobs(w)).find((j) => j.id === failed!.id)!.run_at) <= Date.now(),
      5_000,
    );
    const other = (await createJobs(w)).find((j) => j.key === 'another-reason')!;
    expect(Number(other.run_at)).toBeGreaterThan(Date.now() + 200_000);
    await b.store.db.deleteFrom('jobs').where('id', '=', other.id).execute();
    await b.dispatcher.runUntilIdle();
    await eventually('the case linked', async () => {
      const link = await b.store.db.selectFrom('links').selectAll().where('entity_id', '=', c.id).executeTakeFirst();
      return link?.cu_task_id;
    });
    const tasks = w.cu.tasks().filter((t) => JSON.stringify(t).includes(c.id));
    expect(tasks).toHaveLength(1);
  }, 90_000);
});
