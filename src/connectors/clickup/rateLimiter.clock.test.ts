import { describe, expect, it } from 'vitest';
import type { Logger } from 'pino';
import { ClickUpRateLimiter } from './rateLimiter.ts';

// The limiter on a test clock: every wait it asks for is recorded and moves the clock by exactly that much,
// so each decision (when a call may go, what the state says) is checked to the millisecond, with no server.
const T0 = 1_000_000; // a whole second, so a reset header in seconds lands exactly where the test says

function setup(opts: { windowMs?: number; assumedLimit?: number } = {}) {
  const c = { t: T0, sleeps: [] as number[] };
  const l = new ClickUpRateLimiter({
    now: () => c.t,
    sleep: async (ms) => {
      c.sleeps.push(ms);
      // Slots given before this wait see the clock as it was (their callbacks are queued ahead of this).
      await Promise.resolve();
      c.t += ms;
    },
    windowMs: opts.windowMs ?? 60_000,
    ...(opts.assumedLimit !== undefined ? { assumedLimit: opts.assumedLimit } : {}),
  });
  /** Acquires and records the clock at the moment the slot is given. */
  const times: number[] = [];
  const go = () => l.acquire().then(() => void times.push(c.t));
  return { c, l, times, go };
}

/** Lets every pending promise and the pump's chained waits run (the test clock makes the waits instant). */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

const headers = (limit: number, remaining: number, resetMs: number) => ({
  'x-ratelimit-limit': String(limit),
  'x-ratelimit-remaining': String(remaining),
  'x-ratelimit-reset': String(resetMs / 1000),
});

describe('ClickUp rate limiter on a test clock', () => {
  it('sends one probe while the budget is unknown and holds the next call until its answer', async () => {
    const { c, l, times, go } = setup();
    await go();
    expect(times).toEqual([T0]);
    const second = go();
    await settle();
    expect(times).toEqual([T0]);
    expect(l.state()).toMatchObject({
      known: false,
      queued: 1,
      inFlight: 1,
      issued: 1,
      limit: null,
      remaining: null,
      resetAt: null,
    });
    l.done(headers(100, 99, T0 + 60_000));
    await second;
    // 99 calls left over 60 s: one every 60000/99 ms after the probe.
    expect(times[1]! - T0).toBeCloseTo(60_000 / 99, 6);
    expect(c.sleeps).toHaveLength(1);
    expect(l.state()).toMatchObject({
      known: true,
      assumed: false,
      limit: 100,
      remaining: 98,
      resetAt: T0 + 60_000,
      queued: 0,
      inFlight: 1,
      issued: 2,
    });
  });

  it('gives slots in the order asked (FIFO), paced evenly over the time left', async () => {
    const { l, times, go } = setup();
    await go();
    l.done(headers(100, 10, T0 + 10_000));
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((i) => go().then(() => void order.push(i))));
    expect(order).toEqual([1, 2, 3]);
    // Pace 10000/10 = 1000 ms, then (9000/9) and (8000/8): one second apart each time.
    expect(times.map((x) => x - T0)).toEqual([0, 1_000, 2_000, 3_000]);
    expect(l.state()).toMatchObject({ remaining: 7, inFlight: 3, issued: 4 });
  });

  it('with no call left waits for the reset plus the 250 ms margin, then assumes a full new window', async () => {
    const { c, l, times, go } = setup();
    await go();
    l.done(headers(100, 0, T0 + 10_000));
    expect(l.state().paceMs).toBe(10_000); // nothing left: the pace is the time to the reset
    await go();
    expect(times[1]! - T0).toBe(10_250);
    expect(c.sleeps).toEqual([10_250]);
    // The window rolled over one window length; its full budget, less the call just sent.
    expect(l.state()).toMatchObject({ resetAt: T0 + 70_000, remaining: 99, limit: 100 });
  });

  it('rolls over as many windows as have passed', async () => {
    const { c, l, times, go } = setup();
    await go();
    l.done(headers(100, 5, T0 + 10_000));
    c.t = T0 + 10_000 + 130_000; // two windows and more after the reset
    await go();
    expect(times[1]).toBe(c.t);
    expect(l.state()).toMatchObject({ resetAt: T0 + 10_000 + 180_000, remaining: 99 });
  });

  it('state(): the pace is the time left over the calls left', async () => {
    const { c, l, go } = setup();
    await go();
    l.done(headers(100, 40, T0 + 20_000));
    c.t = T0 + 4_000;
    expect(l.state()).toMatchObject({
      remaining: 40,
      resetAt: T0 + 20_000,
      paceMs: 16_000 / 40,
      queued: 0,
      inFlight: 0,
    });
    c.t = T0 + 25_000; // past the reset: nothing left to wait for
    expect(l.state().paceMs).toBe(0);
  });

  it('counts calls still in flight as spent, and keeps the lower estimate within one window', async () => {
    const { l, go } = setup();
    await go();
    l.done(headers(100, 99, T0 + 60_000));
    await go();
    await go();
    expect(l.state()).toMatchObject({ remaining: 97, inFlight: 2 });
    // One answer says 90 left; the other call is still out and may not be counted in it.
    l.done(headers(100, 90, T0 + 60_000));
    expect(l.state()).toMatchObject({ remaining: 89, inFlight: 1 });
    // A later answer of the same window that says more is not believed over the lower estimate.
    l.done(headers(100, 95, T0 + 60_000));
    expect(l.state()).toMatchObject({ remaining: 89, inFlight: 0 });
    // A reset less than 500 ms later is the same window too.
    l.done(headers(100, 95, T0 + 60_000 + 0));
    expect(l.state().remaining).toBe(89);
    // A reset one second later is a new window: its count replaces ours.
    l.done(headers(100, 95, T0 + 61_000));
    expect(l.state()).toMatchObject({ remaining: 95, resetAt: T0 + 61_000, inFlight: 0 });
    // done() without a call in flight never counts below zero.
    l.done(undefined);
    expect(l.state().inFlight).toBe(0);
  });

  it('reads the first value of a header given as a list, and ignores answers without a reset time', async () => {
    const { l, go } = setup();
    await go();
    l.done({ 'x-ratelimit-limit': ['100', '7'], 'x-ratelimit-remaining': ['60', '1'] });
    expect(l.state()).toMatchObject({ known: true, limit: 100, remaining: 60, resetAt: null });
    // Without a reset time there is nothing to pace over: the call goes at once.
    await go();
    expect(l.state()).toMatchObject({ remaining: 59, inFlight: 1 });
    // A later answer with a reset sets it, even though it is not "newer" than a window we never had.
    l.done(headers(100, 70, T0 + 30_000));
    expect(l.state()).toMatchObject({ resetAt: T0 + 30_000, remaining: 70 });
  });

  it('caps a reset header far ahead at one window and a second from now', async () => {
    const { l, go } = setup();
    await go();
    l.done(headers(100, 0, T0 + 3_600_000));
    expect(l.state().resetAt).toBe(T0 + 61_000);
  });

  it('a 429 with Retry-After waits that long (negative: not at all); without one, a window, or the later known reset', () => {
    const a = setup();
    a.l.onRateLimited(3_000);
    expect(a.l.state()).toMatchObject({ known: true, remaining: 0, resetAt: T0 + 3_000, rateLimited: 1 });
    a.l.onRateLimited(-5_000);
    expect(a.l.state()).toMatchObject({ resetAt: T0, rateLimited: 2 });
    a.l.onRateLimited(3_600_000);
    expect(a.l.state().resetAt).toBe(T0 + 61_000);

    const b = setup();
    b.l.onRateLimited(undefined);
    expect(b.l.state()).toMatchObject({ resetAt: T0 + 60_000, remaining: 0 });

    // A reset already known further ahead than a window (capped at window + 1 s) is kept.
    const c = setup();
    c.l.done(headers(100, 3, T0 + 3_600_000));
    expect(c.l.state().resetAt).toBe(T0 + 61_000);
    c.l.onRateLimited(undefined);
    expect(c.l.state().resetAt).toBe(T0 + 61_000);

    // A known reset sooner than a window: the window wins.
    const d = setup();
    d.l.done(headers(100, 3, T0 + 5_000));
    d.l.onRateLimited(undefined);
    expect(d.l.state().resetAt).toBe(T0 + 60_000);
  });

  it("after a 429 waits for the reset and margin, then goes at the new window's pace", async () => {
    const { c, l, times, go } = setup();
    await go();
    l.done(headers(100, 50, T0 + 60_000));
    l.onRateLimited(2_000);
    await go();
    expect(c.sleeps[0]).toBe(2_250);
    expect(times[1]! - T0).toBe(2_250);
  });

  it('answers without rate-limit headers: the assumed lowest budget, counted from the first call, spent at once', async () => {
    const { c, l, times, go } = setup({ assumedLimit: 3 });
    await go();
    c.t = T0 + 1_000;
    l.done({});
    expect(l.state()).toMatchObject({ known: true, assumed: true, limit: 3, remaining: 2, resetAt: T0 + 60_000 });
    await Promise.all([go(), go(), go()]);
    // Two at once (no pacing of an assumed budget), the third after the window counted from the first call.
    expect(times.map((x) => x - T0)).toEqual([0, 1_000, 1_000, 60_250]);
    // A real answer ends the assumption; a later answer without headers does not bring it back.
    l.done(headers(100, 80, T0 + 121_000));
    expect(l.state()).toMatchObject({ assumed: false, limit: 100, remaining: 78 });
    l.done({});
    expect(l.state()).toMatchObject({ assumed: false, limit: 100, remaining: 78 });
  });

  it("after an assumed budget, the first real answer's reset replaces the guessed window end, even an earlier one", async () => {
    const { c, l, times, go } = setup({ assumedLimit: 3 });
    await go();
    l.done({});
    // Our guess: the window counted from our first call ends at T0 + 60 s.
    expect(l.state()).toMatchObject({ assumed: true, resetAt: T0 + 60_000 });
    await go();
    c.t = T0 + 1_000;
    // ClickUp's own window ends sooner, and its budget is spent: the next call waits for ClickUp's reset.
    l.done(headers(100, 0, T0 + 20_000));
    expect(l.state()).toMatchObject({ assumed: false, limit: 100, remaining: 0, resetAt: T0 + 20_000 });
    await go();
    expect(times.map((x) => x - T0)).toEqual([0, 0, 20_250]);
  });

  it('the default assumed budget is 100 calls, less those already sent', async () => {
    const { l, go } = setup();
    await go();
    l.done({ 'x-ratelimit-limit': 'many' });
    expect(l.state()).toMatchObject({ assumed: true, limit: 100, remaining: 99 });
  });

  it('after a first answer that is a 429, probes with one call once its reset has passed', async () => {
    const { c, l, times, go } = setup();
    await go();
    l.done(undefined);
    l.onRateLimited(3_000);
    await go();
    expect(times[1]! - T0).toBe(3_250);
    expect(l.state()).toMatchObject({ known: false, remaining: null, resetAt: null, inFlight: 1 });
    // The probe is out: the next call waits for its answer.
    const third = go();
    await settle();
    expect(times).toHaveLength(2);
    l.done(headers(100, 99, T0 + 63_000));
    await third;
    expect(c.t).toBeGreaterThan(T0 + 3_250);
  });
});

// The edges the first mutation run left open (docs/TESTING.md, rateLimiter).
describe('ClickUp rate limiter on a test clock: edges', () => {
  it('before any answer nothing is known, assumed or limited', () => {
    const { l } = setup();
    expect(l.state()).toStrictEqual({
      known: false,
      assumed: false,
      limit: null,
      remaining: null,
      resetAt: null,
      queued: 0,
      inFlight: 0,
      paceMs: 0,
      rateLimited: 0,
      issued: 0,
    });
  });

  it('a 429 without Retry-After waits one window: the one given, else a minute', () => {
    const { l } = setup({ windowMs: 10_000 });
    l.onRateLimited(undefined);
    expect(l.state().resetAt).toBe(T0 + 10_000);
    const d = new ClickUpRateLimiter({ now: () => T0 });
    d.onRateLimited(undefined);
    expect(d.state().resetAt).toBe(T0 + 60_000);
  });

  it('a budget told before the first call does not hold that call for a pace after a call never sent', async () => {
    const { c, l, times, go } = setup();
    l.done(headers(100, 50, T0 + 50_000));
    await go();
    expect(times).toEqual([T0]);
    expect(c.sleeps).toEqual([]);
  });

  it('logs a 429 with the time left to the reset', () => {
    const warned: unknown[][] = [];
    const l = new ClickUpRateLimiter({
      now: () => T0,
      logger: { warn: (...a: unknown[]) => void warned.push(a) } as unknown as Logger,
    });
    l.onRateLimited(3_000);
    expect(warned).toEqual([[{ resetInMs: 3_000 }, 'clickup rate limited (429); waiting for reset']]);
  });

  it('an answer with a limit but no remaining count tells nothing: the budget is assumed', async () => {
    const { l, go } = setup();
    await go();
    l.done({ 'x-ratelimit-limit': '1000', 'x-ratelimit-reset': String((T0 + 30_000) / 1000) });
    expect(l.state()).toMatchObject({ assumed: true, limit: 100, remaining: 99, resetAt: T0 + 60_000 });
  });

  it('within one window: a reset exactly 500 ms later, an earlier one, or none keeps the window and the lower count', async () => {
    const { l, go } = setup();
    await go();
    l.done(headers(100, 90, T0 + 60_000));
    l.done(headers(100, 95, T0 + 60_500));
    expect(l.state()).toMatchObject({ remaining: 90, resetAt: T0 + 60_000 });
    l.done(headers(100, 95, T0 + 59_000));
    expect(l.state()).toMatchObject({ remaining: 90, resetAt: T0 + 60_000 });
    l.done({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '80' });
    expect(l.state()).toMatchObject({ remaining: 80, resetAt: T0 + 60_000 });
  });

  it('answers without a reset time: a later one that says more is not believed over the lower count', async () => {
    const { l, go } = setup();
    await go();
    l.done({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '60' });
    l.done({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '70' });
    expect(l.state()).toMatchObject({ remaining: 60, resetAt: null });
  });

  it('a count spent with no reset time told waits one window, never counting below zero', async () => {
    const { c, l, times, go } = setup();
    await go();
    l.done({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '1' });
    await go();
    expect(l.state()).toMatchObject({ remaining: 0, resetAt: null, inFlight: 1 });
    // The last call of the budget is out, and nothing says when it comes back: as after a 429 without
    // Retry-After, one window (and the margin), not a call at once into a spent budget.
    await go();
    expect(times).toEqual([T0, T0, T0 + 60_250]);
    expect(c.sleeps).toEqual([60_250]);
    expect(l.state()).toMatchObject({ limit: 100, remaining: 99, resetAt: T0 + 120_000 });
  });

  it("after a first answer that is a 429, a call at its reset still waits out the margin, and the probe's answer", async () => {
    const { c, l, times, go } = setup();
    await go();
    l.done(undefined);
    l.onRateLimited(3_000);
    c.t = T0 + 3_000;
    await go();
    expect(times[1]! - T0).toBe(3_250);
    // A call still out when that reset passes: the next probe waits for it too.
    const { c: c2, l: l2, times: times2, go: go2 } = setup();
    await go2();
    l2.onRateLimited(3_000);
    c2.t = T0 + 3_250;
    const probe = go2();
    await settle();
    expect(times2).toEqual([T0]);
    l2.done(headers(100, 99, T0 + 63_000));
    await probe;
    expect(times2).toHaveLength(2);
  });

  it('a call at the reset itself, inside the margin, still counts in the old window', async () => {
    const { c, l, times, go } = setup();
    await go();
    l.done(headers(100, 5, T0 + 10_000));
    c.t = T0 + 10_000;
    await go();
    expect(times[1]).toBe(T0 + 10_000);
    expect(l.state()).toMatchObject({ resetAt: T0 + 10_000, remaining: 4 });
  });
});
