import { describe, expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { leaseUnits, SharedBudgetRateLimiter } from './sharedRateLimiter.ts';
import { clickUpBudgetFor } from '../../store/ops/takeClickUpBudget.ts';
import { openMigratedStore } from '../../store/db.ts';

const { describeStores, cleanups, make } = await storesUnderTest('src/connectors/clickup/sharedRateLimiter.test.ts');

describe('leaseUnits: shared-budget units taken per round trip', () => {
  it.each([
    [1, 1],
    [100, 1],
    [199, 1],
    [1_000, 10],
    [3_200, 32],
    [10_000, 32],
    [1_000_000, 32],
  ])('limit %i per window → %i', (limit, units) => {
    expect(leaseUnits(limit)).toBe(units);
  });
});

describeStores('ClickUp budget shared by instances (%s store)', (kind) => {
  it.each([
    { lease: 'one unit per call (limit 15: leaseUnits gives 1)', units: undefined },
    { lease: 'four units per lease', units: 4 },
  ])(
    'three instances on one token together never exceed the limit in a window ($lease)',
    async ({ units }) => {
      const t = await make(kind);
      // Three instances: separate connections to the same store, one limiter each.
      const stores = [t.store];
      for (let i = 0; i < 2; i++) {
        const s = await openMigratedStore(t.url);
        cleanups.push(() => s.close());
        stores.push(s);
      }
      const windowMs = 600;
      const limit = 15;
      const headers = {
        'x-ratelimit-limit': String(limit),
        'x-ratelimit-remaining': '1000000',
        'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      };
      // Every grant the store makes, with the end of the window it belongs to.
      const grants: Array<{ until: number; units: number }> = [];
      const limiters = stores.map((s) => {
        const budget = clickUpBudgetFor(s.db, 'pk_token');
        return new SharedBudgetRateLimiter(
          {
            take: async (lim, w, n) => {
              const r = await budget.take(lim, w, n);
              if ('until' in r) grants.push({ until: r.until, units: n });
              return r;
            },
          },
          { windowMs, leaseUnits: units },
        );
      });
      // Each has seen one answer: the plan is known (the header's remaining is generous: only the shared budget binds).
      for (const l of limiters) {
        await l.acquire();
        l.done(headers);
      }
      const issued: number[] = [];
      const t0 = Date.now();
      // A fixed amount of work (four windows' worth), not a fixed time: a loaded machine makes it slower, not different.
      const total = 4 * limit;
      let started = 0;
      await Promise.all(
        limiters.map(async (l) => {
          while (started < total) {
            started++;
            await l.acquire();
            issued.push(Date.now());
            l.done(headers);
          }
        }),
      );
      // The store's windows tumble: one starts at the first take after the previous one ended, and a grant
      // names the end of its window. No window granted more than the limit...
      const byWindow = new Map<number, number>();
      for (const g of grants) byWindow.set(g.until, (byWindow.get(g.until) ?? 0) + g.units);
      expect(Math.max(...byWindow.values())).toBeLessThanOrEqual(limit);
      // ...and the calls actually sent fit in them: each inside a window, at most the limit in each.
      const windows = [...byWindow.keys()].sort((a, b) => a - b);
      const sent = new Map<number, number>();
      for (const at of issued.filter((x) => x >= t0)) {
        const w = windows.find((end) => at < end && at >= end - windowMs);
        expect(w, `a call at ${at} fell outside every window the store granted`).toBeDefined();
        sent.set(w!, (sent.get(w!) ?? 0) + 1);
      }
      expect(Math.max(...sent.values())).toBeLessThanOrEqual(limit);
      expect(issued).toHaveLength(total);
      // The budget was used, not starved: the work took few windows beyond the four it needs at the limit
      // (units leased but not used before a window ends are lost, so a little slack).
      expect(sent.size).toBeLessThanOrEqual(6);
    },
    20_000,
  );

  it('takes units all or none, and a new window starts full', async () => {
    const t = await make(kind);
    let now = 1_000_000;
    const budget = clickUpBudgetFor(t.store.db, 'pk_all_or_none', () => now);
    expect(await budget.take(10, 1000, 8)).toEqual({ until: 1_001_000 });
    expect(await budget.take(10, 1000, 4)).toEqual({ wait: 1000 });
    now += 400;
    expect(await budget.take(10, 1000, 2)).toEqual({ until: 1_001_000 });
    expect(await budget.take(10, 1000, 1)).toEqual({ wait: 600 });
    now = 1_001_000;
    expect(await budget.take(10, 1000, 10)).toEqual({ until: 1_002_000 });
  });

  it("a new window ends with the remote's own window when that is within one window from now", async () => {
    const t = await make(kind);
    let now = 1_000_000;
    const budget = clickUpBudgetFor(t.store.db, 'pk_aligned', () => now);
    // ClickUp's window ends in 250 ms: the shared one started now ends then too, not a whole window later.
    expect(await budget.take(10, 1000, 8, 1_000_250)).toEqual({ until: 1_000_250 });
    // A running window keeps its end whatever the remote says.
    expect(await budget.take(10, 1000, 2, 1_000_900)).toEqual({ until: 1_000_250 });
    expect(await budget.take(10, 1000, 1, 1_000_900)).toEqual({ wait: 250 });
    // It has ended: the next window ends with the remote's next one, and starts full.
    now = 1_000_250;
    expect(await budget.take(10, 1000, 10, 1_001_250)).toEqual({ until: 1_001_250 });
    // A remote end further than a window ahead, already past, or unknown: a whole window from now.
    now = 1_001_250;
    expect(await budget.take(10, 1000, 1, 1_002_251)).toEqual({ until: 1_002_250 });
    now = 1_002_250;
    expect(await budget.take(10, 1000, 1, 1_002_000)).toEqual({ until: 1_003_250 });
    now = 1_003_250;
    expect(await budget.take(10, 1000, 1)).toEqual({ until: 1_004_250 });
  });

  it('one lease serves several calls: the store is asked once per lease, not per call', async () => {
    const t = await make(kind);
    const budget = clickUpBudgetFor(t.store.db, 'pk_lease');
    let takes = 0;
    const l = new SharedBudgetRateLimiter(
      {
        take: (lim, w, n) => {
          takes++;
          return budget.take(lim, w, n);
        },
      },
      { windowMs: 60_000 },
    );
    const headers = {
      'x-ratelimit-limit': '1000',
      'x-ratelimit-remaining': '1000000',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    };
    await l.acquire();
    l.done(headers);
    takes = 0;
    // 1,000/min: leases of 10; 30 concurrent callers share the round trips in flight.
    await Promise.all(
      Array.from({ length: 30 }, async () => {
        await l.acquire();
        l.done(headers);
      }),
    );
    expect(takes).toBe(3);
  });

  it('a remote without rate-limit headers is metered through the store at the lowest plan, not left unlimited', async () => {
    const limits: number[] = [];
    const l = new SharedBudgetRateLimiter({
      take: async (limit) => {
        limits.push(limit);
        return { until: Date.now() + 60_000 };
      },
    });
    await l.acquire();
    l.done({});
    for (let i = 0; i < 20; i++) {
      await l.acquire();
      l.done({});
    }
    expect(limits.length).toBeGreaterThan(0);
    expect(new Set(limits)).toEqual(new Set([100]));
  });
});

describe("the shared limiter aligns the shared window with ClickUp's", () => {
  it("hands the remote's window end (X-RateLimit-Reset) to the store, and none while its budget is assumed", async () => {
    let now = 5_000_000;
    const ends: Array<number | undefined> = [];
    const l = new SharedBudgetRateLimiter(
      {
        take: async (_limit, _w, _n, remoteEnd) => {
          ends.push(remoteEnd);
          return { until: now + 60_000 };
        },
      },
      {
        now: () => now,
        // The clock moves by every wait (the test must fail, not spin, if the limiter waits).
        sleep: async (ms) => void (now += ms),
        assumedLimit: 5,
        leaseUnits: 1,
      },
    );
    // No headers: the assumed budget's window is our guess, not ClickUp's; the store gets no end.
    await l.acquire();
    l.done({});
    await l.acquire();
    expect(l.state()).toMatchObject({ assumed: true });
    expect(ends).toEqual([undefined]);
    // A real answer: ClickUp's window ends 20 s from now, and the next lease says so.
    now += 1_000;
    const clickUpEnd = now + 20_000;
    l.done({
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '90',
      'x-ratelimit-reset': String(clickUpEnd / 1000),
    });
    await l.acquire();
    l.done({
      'x-ratelimit-limit': '100',
      'x-ratelimit-remaining': '89',
      'x-ratelimit-reset': String(clickUpEnd / 1000),
    });
    expect(ends).toEqual([undefined, clickUpEnd]);
  });
});
