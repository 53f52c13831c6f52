import type { Logger } from 'pino';

/** What the limiter knows about the token's budget; shown in metrics and `rateLimitState()`. */
export interface RateLimitState {
  /** False until a response told us the plan (X-RateLimit-* headers). */
  known: boolean;
  /** True while the budget is the assumed lowest plan limit because no answer has said otherwise. */
  assumed: boolean;
  limit: number | null;
  /** Our estimate of calls left in this window (header value minus our calls in flight). */
  remaining: number | null;
  /** Epoch ms at which the window resets, per X-RateLimit-Reset. */
  resetAt: number | null;
  /** Callers waiting for a slot. Never dropped. */
  queued: number;
  inFlight: number;
  /** Current spacing between calls, ms. */
  paceMs: number;
  /** 429 answers seen so far. */
  rateLimited: number;
  /** Calls let through so far. */
  issued: number;
}

export interface RateLimiterOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Length of a rate-limit window when the remote does not say (ClickUp: one minute). */
  windowMs?: number;
  /** Extra wait after the announced reset, for clock skew between us and the remote. */
  resetMarginMs?: number;
  /**
   * Calls per window assumed while no answer carries X-RateLimit-* headers. Default 100, the lowest plan's
   * limit (https://developer.clickup.com/docs/rate-limits: 100 per minute per token on Free Forever,
   * Unlimited and Business). Only a remote known to be unmetered (a test sandbox) warrants more.
   */
  assumedLimit?: number;
  logger?: Logger;
}

function headerValue(h: Record<string, string | string[] | undefined> | undefined, name: string): string | undefined {
  const v = h?.[name];
  return Array.isArray(v) ? v[0] : v;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Adaptive per-token limiter fed by X-RateLimit-Limit/Remaining/Reset. It spreads the calls left in
 * the window evenly over the time left (pace = time to reset / remaining), so a backlog drains at the
 * plan's rate without bursting into 429; when the budget is spent, or after a 429, it waits for the
 * reset. Callers queue in FIFO order and are never dropped.
 */
export class ClickUpRateLimiter {
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly windowMs: number;
  private readonly marginMs: number;
  private readonly queue: Array<() => void> = [];
  private pumping = false;
  private wake: (() => void) | null = null;
  private known = false;
  private limit: number | null = null;
  private remaining: number | null = null;
  private resetAt: number | null = null;
  private lastIssueAt = -Infinity;
  private inFlight = 0;
  private rateLimited = 0;
  private issued = 0;
  private assumed = false;
  private firstIssueAt: number | null = null;
  private readonly assumedLimit: number;

  constructor(private readonly opts: RateLimiterOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
    this.windowMs = opts.windowMs ?? 60_000;
    this.marginMs = opts.resetMarginMs ?? 250;
    this.assumedLimit = opts.assumedLimit ?? 100;
  }

  /** The longest wait a header may impose: one window plus a margin (a reset far ahead is a broken header). */
  private capWait(ms: number): number {
    return Math.min(Math.max(0, ms), this.windowMs + 1_000);
  }

  /** Resolves when the caller may send one request; the caller must then call `done(headers)` once. */
  acquire(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.queue.push(resolve);
      if (!this.pumping) void this.pump();
    });
  }

  /** Feeds the answer's headers back (undefined when no answer came) and frees the in-flight slot. */
  done(headers: Record<string, string | string[] | undefined> | undefined): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (headers) this.observe(headers);
    this.poke();
  }

  /**
   * A 429 arrived: spend nothing until the reset. The answer's own reset wins over our extrapolation of
   * earlier windows (which assumes one-minute windows and may lie far ahead); without one, a window.
   */
  onRateLimited(retryAfterMs: number | undefined): void {
    this.rateLimited++;
    const now = this.now();
    this.known = true;
    this.remaining = 0;
    this.resetAt =
      retryAfterMs !== undefined
        ? now + this.capWait(retryAfterMs)
        : Math.min(Math.max(this.resetAt ?? 0, now + this.windowMs), now + this.capWait(Infinity));
    this.opts.logger?.warn({ resetInMs: this.resetAt - now }, 'clickup rate limited (429); waiting for reset');
    this.poke();
  }

  state(): RateLimitState {
    const now = this.now();
    const rem = this.remaining;
    const left = this.resetAt !== null ? Math.max(0, this.resetAt - now) : 0;
    return {
      known: this.known,
      assumed: this.assumed,
      limit: this.limit,
      remaining: rem,
      resetAt: this.resetAt,
      queued: this.queue.length,
      inFlight: this.inFlight,
      paceMs: rem && rem > 0 ? left / rem : left,
      rateLimited: this.rateLimited,
      issued: this.issued,
    };
  }

  private observe(h: Record<string, string | string[] | undefined>): void {
    const limit = Number(headerValue(h, 'x-ratelimit-limit'));
    const remaining = Number(headerValue(h, 'x-ratelimit-remaining'));
    const reset = Number(headerValue(h, 'x-ratelimit-reset'));
    if (!Number.isFinite(limit) || !Number.isFinite(remaining)) {
      if (this.limit === null) {
        // Not told (ClickUp may leave the headers off a successful answer): the lowest plan's budget, in
        // windows counted from our first call, until an answer says otherwise.
        const now = this.now();
        this.known = true;
        this.assumed = true;
        this.limit = this.assumedLimit;
        this.resetAt = (this.firstIssueAt ?? now) + this.windowMs;
        this.remaining = Math.max(0, this.assumedLimit - this.issued);
      }
      return;
    }
    // The window tracked so far was our guess (an assumed budget, counted from our first call), not ClickUp's.
    const wasGuess = this.assumed;
    this.known = true;
    this.assumed = false;
    this.limit = limit;
    const resetAt = Number.isFinite(reset) ? Math.min(reset * 1000, this.now() + this.capWait(Infinity)) : null;
    // Calls still in flight may not be counted in this header yet: count them as spent.
    const est = Math.max(0, remaining - this.inFlight);
    if (resetAt !== null && (wasGuess || this.resetAt === null || resetAt > this.resetAt + 500)) {
      // A newer window than the one we were tracking, or the first real one after a guessed one (whose
      // end, even if later, is not when ClickUp's budget comes back).
      this.resetAt = resetAt;
      this.remaining = est;
    } else {
      if (resetAt !== null && this.resetAt === null) this.resetAt = resetAt;
      this.remaining = this.remaining === null ? est : Math.min(this.remaining, est);
    }
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Milliseconds until the next call may go out; Infinity = wait for a response (probe in flight). */
  private delay(now: number): number {
    if (!this.known) return this.inFlight > 0 ? Infinity : 0;
    if (this.resetAt !== null && now >= this.resetAt + this.marginMs && this.limit === null) {
      // The only answer so far was a 429 (its headers are not read), so the budget is unknown: probe
      // again with one call as at the start. Assuming the 0 left of that 429 would stall for good.
      this.known = false;
      this.resetAt = null;
      this.remaining = null;
      return this.inFlight > 0 ? Infinity : 0;
    }
    if (this.resetAt !== null && now >= this.resetAt + this.marginMs) {
      // Window rolled over: assume a full budget until the next header says otherwise.
      const windows = Math.floor((now - this.resetAt) / this.windowMs) + 1;
      this.resetAt += windows * this.windowMs;
      this.remaining = this.limit ?? this.remaining;
    }
    const remaining = this.remaining ?? 1;
    if (this.resetAt === null) {
      // Without a reset time there is nothing to pace over: calls go at once while the count lasts. Once it
      // is spent, not told when it comes back: one window, as after a 429 without Retry-After, rather than
      // a call into a budget the remote said is gone (which also counted it below zero).
      if (remaining > 0) return 0;
      this.resetAt = now + this.windowMs;
    }
    const left = this.resetAt - now;
    if (remaining <= 0) return left + this.marginMs;
    // An assumed budget is a ceiling, not a schedule: calls go at once until it is spent.
    if (this.assumed) return 0;
    const pace = left / remaining;
    return Math.max(0, this.lastIssueAt + pace - now);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const now = this.now();
        const wait = this.delay(now);
        if (wait > 0) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            // Only the timer of the current wait may wake the pump; a stale one must not start a
            // second chain of timers.
            if (wait !== Infinity)
              void this.sleep(wait).then(() => {
                if (this.wake === resolve) this.poke();
              });
          });
          continue;
        }
        const next = this.queue.shift()!;
        this.lastIssueAt = now;
        this.firstIssueAt ??= now;
        if (this.remaining !== null) this.remaining--;
        this.inFlight++;
        this.issued++;
        next();
      }
    } finally {
      this.pumping = false;
    }
  }
}
