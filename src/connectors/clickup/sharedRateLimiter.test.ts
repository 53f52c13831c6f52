import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { pgOrWarn, storeMakers, type StoreKind } from '../../../test/helpers/pgStore.ts';
import { SharedBudgetRateLimiter } from './sharedRateLimiter.ts';
import { clickUpBudgetFor } from '../../store/ops/takeClickUpBudget.ts';
import { openMigratedStore } from '../../store/db.ts';

const makers = storeMakers();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(async () => {
  await makers.postgres.dispose();
});
const pgUp = await pgOrWarn('src/connectors/clickup/sharedRateLimiter.test.ts');
const dialects: StoreKind[] = pgUp ? ['sqlite', 'postgres'] : ['sqlite'];

describe.each(dialects)('ClickUp budget shared by instances (%s store)', (kind) => {
  it('three instances on one token together never exceed the limit in a window', async () => {
    const t = await makers[kind].make();
    cleanups.push(t.cleanup);
    // Three instances: separate connections to the same store, one limiter each.
    const stores = [t.store];
    for (let i = 0; i < 2; i++) {
      const s = await openMigratedStore(t.url);
      cleanups.push(() => s.close());
      stores.push(s);
    }
    const windowMs = 600;
    const limit = 15;
    const headers = { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '1000000', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) };
    const limiters = stores.map((s) => new SharedBudgetRateLimiter(clickUpBudgetFor(s.db, 'pk_token'), { windowMs }));
    // Each has seen one answer: the plan is known (the header's remaining is generous: only the shared budget binds).
    for (const l of limiters) {
      await l.acquire();
      l.done(headers);
    }
    const issued: number[] = [];
    const t0 = Date.now();
    await Promise.all(limiters.map(async (l) => {
      while (Date.now() - t0 < 2000) {
        await l.acquire();
        issued.push(Date.now());
        l.done(headers);
      }
    }));
    // The store's windows start at the first call; count calls per window from the budget's own start.
    const start = Math.min(...issued);
    const perWindow = new Map<number, number>();
    for (const at of issued) perWindow.set(Math.floor((at - start) / windowMs), (perWindow.get(Math.floor((at - start) / windowMs)) ?? 0) + 1);
    expect(Math.max(...perWindow.values())).toBeLessThanOrEqual(limit);
    // The budget was used, not starved: at least two full windows' worth went out.
    expect(issued.length).toBeGreaterThanOrEqual(2 * limit);
  }, 20_000);

  it('a remote without rate-limit headers is not metered through the store', async () => {
    const t = await makers[kind].make();
    cleanups.push(t.cleanup);
    let takes = 0;
    const l = new SharedBudgetRateLimiter({ take: async () => { takes++; return 0; } });
    await l.acquire();
    l.done({});
    for (let i = 0; i < 20; i++) {
      await l.acquire();
      l.done({});
    }
    expect(takes).toBe(0);
  });
});
