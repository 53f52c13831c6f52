import { ClickUpRateLimiter, type RateLimiterOptions } from './rateLimiter.ts';

/** A rate budget several processes draw from (implemented over the store by the caller). */
export interface SharedBudget {
  /** Take one call of `limit` per `windowMs`: resolves to 0 when granted, else ms until the window ends. */
  take(limit: number, windowMs: number): Promise<number>;
}

/**
 * The ClickUp limiter, plus a budget shared with the other instances using the same token: after the
 * local limiter lets a call through (pacing by the X-RateLimit-* headers, FIFO, never dropping work), the
 * call also takes one unit of the shared window, and waits for the next window when the instances
 * together have spent it. A remote that sends no rate-limit headers is not metered here either. If the
 * shared budget cannot be reached, the call goes on under the local limiter alone (logged).
 */
export class SharedBudgetRateLimiter extends ClickUpRateLimiter {
  private readonly shareWindowMs: number;
  private readonly shareSleep: (ms: number) => Promise<void>;

  constructor(private readonly budget: SharedBudget, private readonly sharedOpts: RateLimiterOptions = {}) {
    super(sharedOpts);
    this.shareWindowMs = sharedOpts.windowMs ?? 60_000;
    this.shareSleep = sharedOpts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  override async acquire(): Promise<void> {
    await super.acquire();
    for (;;) {
      const s = this.state();
      if (!s.known || s.unlimited || s.limit === null) return;
      let wait: number;
      try {
        wait = await this.budget.take(s.limit, this.shareWindowMs);
      } catch (e) {
        this.sharedOpts.logger?.warn({ err: e }, 'shared ClickUp budget unavailable; pacing by this instance alone');
        return;
      }
      if (wait <= 0) return;
      await this.shareSleep(Math.min(wait, 1000));
    }
  }
}
