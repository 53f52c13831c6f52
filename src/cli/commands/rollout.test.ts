import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../../../test/helpers/world.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { rolloutStartJob } from './rollout.ts';

let world: World | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

describe('gridbridge rollout start', () => {
  it('queues the same rollout.start job as a ClickUp marker task; twice starts one rollout', async () => {
    world = await createWorld();
    const w = world;
    const b = await w.startBridge();
    const input = {
      title: 'EDIFACT DESADV required from March',
      body: 'Send DESADV D.96A with every shipment.',
      audience: 'tier:strategic',
    };
    expect(await enqueueJobs(b.store.db, [rolloutStartJob(input)], Date.now())).toBe(1);
    expect(await enqueueJobs(b.store.db, [rolloutStartJob(input)], Date.now())).toBe(0);
    b.dispatcher.wake();
    const notice = await eventually(
      'the notice on Trading Grid',
      () => [...w.tg.state().notices.values()].find((n) => n.title === input.title),
      20_000,
    );
    expect(notice.audience).toMatchObject({ tiers: ['strategic'] });
    await eventually(
      'the rollout task in ClickUp',
      () =>
        w.cu
          .tasks()
          .some((t) => String((t as any).name).includes(input.title) && (t as any).list?.id === w.cu.lists.rollouts),
      20_000,
    );
    expect([...w.tg.state().notices.values()].filter((n) => n.title === input.title)).toHaveLength(1);
  });
});
