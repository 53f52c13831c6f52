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
    // Record the budget's own clock for every call it lets through, to check the windows as the store keeps them.
    const granted: number[] = [];
    const limiters = stores.map((s) => {
      const budget = clickUpBudgetFor(s.db, 'pk_token', () => (lastNow = Date.now()));
      let lastNow = 0;
      return new SharedBudgetRateLimiter({ take: async (lim, w) => { const r = await budget.take(lim, w); if (r === 0) granted.push(lastNow); return r; } }, { windowMs });
    });
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
    // The store's windows tumble: one starts at the first call after the previous one ended. Rebuild them
    // from the granted calls' own times and count each (a fixed grid would straddle two store windows).
    granted.sort((a, b) => a - b);
    const counts: number[] = [];
    let end = -Infinity;
    for (const at of granted) {
      if (at >= end) {
        counts.push(0);
        end = at + windowMs;
      }
      counts[counts.length - 1]!++;
    }
    expect(Math.max(...counts)).toBeLessThanOrEqual(limit);
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
