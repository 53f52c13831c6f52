import { ClickUpRateLimiter, type RateLimiterOptions } from './rateLimiter.ts';

/** A rate budget several processes draw from (implemented over the store by the caller). */
export interface SharedBudget {
  /**
   * Take `units` calls (all or none) of `limit` per `windowMs`: `until` is when the granted units stop
   * being valid (the shared window's end), else `wait` is how many ms until that window ends.
   * `remoteWindowEndsAt`: when the remote's own window ends (X-RateLimit-Reset), if known; a new shared
   * window then ends with it (when within one window from now), so both count the same calls.
   */
  take(
    limit: number,
    windowMs: number,
    units: number,
    remoteWindowEndsAt?: number,
  ): Promise<{ until: number } | { wait: number }>;
}

/**
 * How many calls to take from the shared budget in one round trip. Units taken and not spent before the
 * window ends are lost to every instance, so a lease is at most 1 % of the window's limit: with a 100/min
 * plan every call still takes exactly one unit, with 1,000/min ten at a time. Capped so that an instance
 * never sits on much of a large budget.
 */
export function leaseUnits(limit: number): number {
  return Math.max(1, Math.min(32, Math.floor(limit / 100)));
}

export interface SharedRateLimiterOptions extends RateLimiterOptions {
  /** Units per lease instead of `leaseUnits(limit)` (tests). */
  leaseUnits?: number;
}

/**
 * The ClickUp limiter, plus a budget shared with the other instances using the same token: after the
 * local limiter lets a call through (pacing by the X-RateLimit-* headers, FIFO, never dropping work), the
 * call also spends one unit of the shared window, and waits for the next window when the instances
 * together have spent it. Units are leased from the store a few at a time (`leaseUnits`) and spent
 * locally until the window they belong to ends, so the store is asked once per few calls rather than on
 * every call, and the instances together still never spend more than the limit in a window. Once an answer
 * has told the remote's window end (X-RateLimit-Reset), a new shared window ends with it, so the shared
 * windows line up with ClickUp's instead of straddling two of them. A remote that
 * sends no rate-limit headers is not metered here either. If the shared budget cannot be reached, the
 * call goes on under the local limiter alone (logged).
 */
export class SharedBudgetRateLimiter extends ClickUpRateLimiter {
  private readonly shareWindowMs: number;
  private readonly shareSleep: (ms: number) => Promise<void>;
  private readonly clock: () => number;
  /** Units leased and not spent yet, valid while the clock is before `leasedUntil`. */
  private leased = 0;
  private leasedUntil = 0;
  /** The lease in flight: concurrent callers share its round trip instead of each leasing. */
  private leasing: Promise<number> | null = null;

  constructor(
    private readonly budget: SharedBudget,
    private readonly sharedOpts: SharedRateLimiterOptions = {},
  ) {
    super(sharedOpts);
    this.shareWindowMs = sharedOpts.windowMs ?? 60_000;
    this.shareSleep = sharedOpts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.clock = sharedOpts.now ?? Date.now;
  }

  override async acquire(): Promise<void> {
    await super.acquire();
    for (;;) {
      const s = this.state();
      if (!s.known || s.limit === null) return;
      if (this.leased > 0 && this.clock() < this.leasedUntil) {
        this.leased--;
        return;
      }
      let wait: number;
      try {
        // The remote's window end, once real headers told it: a guess (the assumed budget) is not ClickUp's.
        const remoteEnd = !s.assumed && s.resetAt !== null ? s.resetAt : undefined;
        wait = await (this.leasing ??= this.lease(s.limit, remoteEnd).finally(() => (this.leasing = null)));
      } catch (e) {
        this.sharedOpts.logger?.warn({ err: e }, 'shared ClickUp budget unavailable; pacing by this instance alone');
        return;
      }
      if (wait > 0) await this.shareSleep(Math.min(wait, 1000));
    }
  }

  /** Lease units into the local stock: 0 when some were granted, else ms until the shared window ends. */
  private async lease(limit: number, remoteEnd: number | undefined): Promise<number> {
    let units = Math.min(limit, this.sharedOpts.leaseUnits ?? leaseUnits(limit));
    let r = await this.budget.take(limit, this.shareWindowMs, units, remoteEnd);
    if ('wait' in r && units > 1) {
      // Fewer units than a whole lease are left in this window: take them one at a time.
      units = 1;
      r = await this.budget.take(limit, this.shareWindowMs, 1, remoteEnd);
    }
    if ('wait' in r) return r.wait;
    this.leased = units;
    this.leasedUntil = r.until;
    return 0;
  }
}
