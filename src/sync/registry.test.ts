import { afterAll, describe, expect, it } from 'vitest';
import { anyJob } from '../../test/helpers/anyJob.ts';
import { z } from 'zod';
import { tempSqliteStore } from '../../test/helpers/tempStore.ts';
import { buildRegistry, checkModules, flowModules, RegistryError } from './registry.ts';
import type { FlowModule } from './flowModule.ts';
import type { SyncContext } from './context.ts';
import { Dispatcher } from './dispatcher.ts';
import { Scheduler } from './scheduler.ts';
import { enqueueJobs } from '../store/ops/enqueueJobs.ts';
import { listDeadLetters } from '../store/ops/replayDeadLetter.ts';
import { jobSchemas, newJob } from '../flows/catalogue.ts';

const t = await tempSqliteStore();
afterAll(() => t.cleanup());
const config = {
  clickup: { list_id: 'L-CASES' },
  partners: { map: {} },
  flows: {},
  dispatcher: { max_attempts: 10 },
  mapping: { users: { overrides: {} } },
};
const ctx = { store: t.store, config, logger: { debug: () => undefined } } as unknown as SyncContext;

const flow = (id: string, over: Partial<FlowModule> = {}): FlowModule => ({
  id,
  title: id,
  enabled: () => true,
  jobs: {},
  ...over,
});
const done = () => async () => ({ status: 'done' as const });

describe('the registry of flow modules', () => {
  it('the modules of the bridge fit together: every catalogue kind has a handler, no kind is claimed twice', () => {
    expect(() => checkModules(flowModules)).not.toThrow();
    const kinds = flowModules.flatMap((m) => Object.keys(m.jobs));
    for (const kind of Object.keys(jobSchemas)) expect(kinds).toContain(kind);
  });

  it('Trading Grid events go to approvals, onboarding and rollouts before the case flows, as they did before the modules', () => {
    const r = buildRegistry(ctx);
    expect(r.tgRoutes.map((x) => `${x.module}:${x.name}`)).toEqual([
      '06-approvals:approvals',
      '04-onboarding:onboarding',
      '08-rollouts:rollouts',
      '01-case-intake:case.opened',
      '02-status-sync:case.updated',
      '02-status-sync:case.comment_added',
      '03-documents:document.added',
    ]);
    expect(r.cuEntities).toEqual({
      case: '02-status-sync',
      onboarding: '04-onboarding',
      approval: '06-approvals',
      rollout: '08-rollouts',
    });
    expect(r.handlers.has('tg.event') && r.handlers.has('cu.event')).toBe(true);
  });

  it('refuses to start when two modules claim one job kind, naming both', () => {
    const a = flow('0a-one', { jobs: { 'x.do': { schema: z.unknown(), handler: done } } });
    const b = flow('0b-two', { jobs: { 'x.do': { schema: z.unknown(), handler: done } } });
    expect(() => buildRegistry(ctx, [a, b], [])).toThrow(RegistryError);
    expect(() => buildRegistry(ctx, [a, b], [])).toThrow(
      /job kind 'x\.do' is claimed by two flow modules: '0a-one' and '0b-two'/,
    );
  });

  it('refuses a catalogue kind without a handler, a flow claiming an engine kind, and one entity routed by two flows', () => {
    expect(() => checkModules([flow('0a')], ['x.orphan'])).toThrow(
      /'x\.orphan' is in the job catalogue but no flow module has a handler/,
    );
    expect(() =>
      checkModules([flow('0a', { jobs: { 'tg.event': { schema: z.unknown(), handler: done } } })], []),
    ).toThrow(/'tg\.event' belongs to the engine, but flow module '0a'/);
    const route = async () => ({ status: 'done' as const });
    expect(() =>
      checkModules([flow('0a', { cuRoutes: { case: route } }), flow('0b', { cuRoutes: { case: route } })], []),
    ).toThrow(/'case' tasks are claimed by two flow modules: '0a' and '0b'/);
  });

  it('a disabled flow keeps its job handlers (stored jobs drain) but not its routes or schedules', () => {
    const off = flow('0a-off', {
      enabled: () => false,
      jobs: { 'x.do': { schema: z.unknown(), handler: done } },
      tgRoutes: [{ name: 'x', order: 1, route: () => null }],
      cuRoutes: { thing: async () => ({ status: 'done' }) },
      schedules: (s) => s.add({ kind: 'rollouts.scan', cron: '* * * * *' }),
    });
    const r = buildRegistry(ctx, [off], []);
    expect(r.handlers.has('x.do')).toBe(true);
    expect(r.tgRoutes).toEqual([]);
    expect(r.cuEntities).toEqual({});
    const scheduler = new Scheduler(t.store, () => undefined);
    r.registerSchedules(scheduler);
    expect(scheduler.scheduledKinds()).toEqual([]);
    scheduler.stop();
  });

  it("a payload is parsed with its kind's schema when claimed: the handler gets the parsed value, a bad one is a dead letter naming the kind and the issue", async () => {
    const seen: unknown[] = [];
    const typed = flow('0a-typed', {
      jobs: {
        'x.typed': {
          schema: z.object({ caseId: z.string(), n: z.number().default(1) }),
          handler:
            () =>
            async ({ payload }) => (seen.push(payload), { status: 'done' }),
        },
      },
    });
    const r = buildRegistry(ctx, [typed], []);
    const d = new Dispatcher(t.store, r.handlers, {
      concurrency: 2,
      leaseMs: 10_000,
      pollMs: 10,
      backoffBaseMs: 10,
      backoffMaxMs: 100,
    });
    await enqueueJobs(
      t.store.db,
      [
        anyJob({ kind: 'x.typed', key: 'good', payload: { caseId: 'C-1' } }),
        anyJob({ kind: 'x.typed', key: 'bad', payload: { caseId: 42 } }),
      ],
      Date.now(),
    );
    await d.runUntilIdle();
    expect(seen).toEqual([{ caseId: 'C-1', n: 1 }]);
    const dead = (await listDeadLetters(t.store.db)).filter((x) => x.key === 'bad');
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attempts).toBe(1);
    expect(dead[0]!.error).toMatch(
      /^payload of job kind 'x\.typed' does not match its schema: caseId: .*expected string/i,
    );
    const jobs = await t.store.db
      .selectFrom('jobs')
      .select(['key', 'state'])
      .where('kind', '=', 'x.typed')
      .orderBy('key')
      .execute();
    expect(jobs).toEqual([
      { key: 'bad', state: 'dead' },
      { key: 'good', state: 'done' },
    ]);
  });

  it('the engine parses its event jobs at claim too: a stored tg.event or cu.event that does not parse is a dead letter saying why', async () => {
    const seen: string[] = [];
    const routed = flow('0b-routed', {
      tgRoutes: [
        { name: 'all', order: 1, route: (_c, ev) => (seen.push(ev.data.id), Promise.resolve({ status: 'done' })) },
      ],
    });
    const r = buildRegistry(ctx, [routed], []);
    const d = new Dispatcher(t.store, r.handlers, {
      concurrency: 1,
      leaseMs: 10_000,
      pollMs: 10,
      backoffBaseMs: 10,
      backoffMaxMs: 100,
    });
    const ev = { id: 'e1', type: 'case.opened', occurred_at: '2026-12-06T21:00:00Z', data: { id: 'C-7' } };
    await enqueueJobs(
      t.store.db,
      [
        anyJob({ kind: 'tg.event', key: 'tg-good', payload: ev }),
        anyJob({ kind: 'tg.event', key: 'tg-bad', payload: { ...ev, data: {} } }),
        anyJob({ kind: 'cu.event', key: 'cu-bad', payload: { event: 'taskUpdated', history_items: 'x' } }),
      ],
      Date.now(),
    );
    await d.runUntilIdle();
    expect(seen).toEqual(['C-7']);
    const dead = new Map((await listDeadLetters(t.store.db)).map((x) => [x.key, x.error]));
    expect(dead.get('tg-bad')).toMatch(/^payload of job kind 'tg\.event' does not match its schema: .*data\.id/);
    expect(dead.get('cu-bad')).toMatch(/^payload of job kind 'cu\.event' does not match its schema: history_items/);
  });

  it('newJob builds the row a caller queues (kind, payload, key and options as given)', () => {
    expect(newJob('metrics.push', { slot: 1 }, { key: 'k', queueKey: 'q', runAt: 5, maxAttempts: 2 })).toEqual({
      kind: 'metrics.push',
      payload: { slot: 1 },
      key: 'k',
      queueKey: 'q',
      runAt: 5,
      maxAttempts: 2,
    });
  });
});
