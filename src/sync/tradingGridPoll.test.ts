import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, settle, type World } from '../../test/helpers/world.ts';
import { getLink } from '../store/ops/links.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';
import { anyJob } from '../../test/helpers/anyJob.ts';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

describe('Trading Grid catch-up poll', () => {
  it('a case whose webhook never arrived is picked up by the next poll, once', async () => {
    world = await createWorld({ tg: { faults: { webhookDropRate: 1 } } });
    const w = world;
    const b = await w.startBridge();
    // The cursor starts when the bridge first starts (history before that is backfill's job).
    expect(
      await b.store.db.selectFrom('cursors').select('value').where('name', '=', 'tradinggrid.poll').executeTakeFirst(),
    ).toBeDefined();
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Dropped webhook' });
    await w.tg.idle();
    expect(await getLink(b.store.db, 'case', c.id)).toBeNull();
    await b.scheduler.enqueueSlot({ kind: 'tradinggrid.poll', cron: '' }, 2_000);
    await eventually('the task from the poll', () => getLink(b.store.db, 'case', c.id));
    await b.scheduler.enqueueSlot({ kind: 'tradinggrid.poll', cron: '' }, 3_000);
    b.dispatcher.wake();
    // The second poll has run and everything it caused has settled: only then is "still one task" an answer.
    await eventually(
      'the second poll to run',
      async () =>
        (
          await b.store.db
            .selectFrom('jobs')
            .select('state')
            .where('key', '=', 'sched:tradinggrid.poll:3000')
            .executeTakeFirst()
        )?.state === 'done',
    );
    await settle(w);
    expect(
      w.cu.tasks().filter((t) => ((t as any).custom_fields ?? []).some((f: any) => f.value === c.id)),
    ).toHaveLength(1);
  });

  it('a poll whose window holds many changed cases ends within its deadline and brings a file whose webhook was lost, once', async () => {
    // Every Trading Grid answer takes 100 ms. The window below holds 151 changed cases, two reads each: one
    // after the other that is over 30 s, past the poll's 12 s deadline, so every run was stopped before it
    // saved its cursor or recorded anything, and the file never came (the chaos run's lost partner files).
    world = await createWorld({ tg: { faults: { latencyMs: 100 } } });
    const w = world;
    w.config.dispatcher = { ...w.config.dispatcher, job_deadlines: { 'tradinggrid.poll': 12_000 } };
    const b = await w.startBridge();
    const c = await w.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Has its task' });
    const link = await eventually('the task of the case', () => getLink(b.store.db, 'case', c.id), 60_000);
    await settle(w);
    w.tg.setFaults({ webhookDropRate: 1 });
    // Cases of a partner without a mapping: held by the intake, so the poll's finds cost no ClickUp call.
    for (let i = 0; i < 150; i++)
      await w.tg.raiseCase({ partnerId: 'P-UMBRELLA', kind: 'dispute', title: `Backlog ${i}` });
    await w.tg.uploadDocument(c.id, {
      name: 'late-proof.pdf',
      kind: 'proof_of_delivery',
      contentType: 'application/pdf',
      content: Buffer.from('%PDF late proof'),
    });
    await b.scheduler.enqueueSlot({ kind: 'tradinggrid.poll', cron: '' }, 2_000);
    b.dispatcher.wake();
    const task = () => w.cu.state.tasks.get(link.cuTaskId);
    await eventually('the file on the task', () => (task()?.attachments.length ?? 0) > 0, 60_000);
    await settle(w);
    expect(task()!.attachments.map((a) => a.title)).toEqual(['proof of delivery - late-proof.pdf']);
  }, 120_000);

  it('a stored poll job whose payload its schema refuses is a dead letter naming the kind and the field', async () => {
    world = await createWorld({});
    const b = await world.startBridge();
    await enqueueJobs(
      b.store.db,
      [anyJob({ kind: 'tradinggrid.poll', key: 'bad-poll', payload: { slot: 'noon' } })],
      Date.now(),
    );
    b.dispatcher.wake();
    const dead = await eventually('the bad poll job to be a dead letter', async () =>
      b.store.db
        .selectFrom('jobs')
        .select(['state', 'last_error'])
        .where('key', '=', 'bad-poll')
        .where('state', '=', 'dead')
        .executeTakeFirst(),
    );
    expect(dead.last_error).toMatch(/payload of job kind 'tradinggrid.poll' does not match its schema: slot: /);
  });
  it('a stored ClickUp health job whose payload its schema refuses is a dead letter too, with webhook registration off', async () => {
    world = await createWorld({});
    world.config.clickup.webhook.register = false;
    const b = await world.startBridge();
    await enqueueJobs(
      b.store.db,
      [anyJob({ kind: 'clickup.webhook_health', key: 'bad-health', payload: { slot: 'noon' } })],
      Date.now(),
    );
    b.dispatcher.wake();
    const dead = await eventually('the bad health job to be a dead letter', async () =>
      b.store.db
        .selectFrom('jobs')
        .select(['state', 'last_error'])
        .where('key', '=', 'bad-health')
        .where('state', '=', 'dead')
        .executeTakeFirst(),
    );
    expect(dead.last_error).toMatch(/payload of job kind 'clickup.webhook_health' does not match its schema: slot: /);
  });
});
