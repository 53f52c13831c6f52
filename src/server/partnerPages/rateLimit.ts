/**
 * Fixed one-minute windows per key (a link's id, a client address): cheap, per instance. With several
 * instances behind a balancer each counts its own share, so the effective limit is at most N times this.
 */
export class MinuteLimiter {
  private readonly counts = new Map<string, { window: number; n: number }>();
  constructor(private readonly perMinute: number) {}

  /** Counts one request; returns ms to wait when over the limit, else 0. */
  take(key: string, now: number): number {
    const window = Math.floor(now / 60_000);
    const c = this.counts.get(key);
    if (!c || c.window !== window) {
      if (this.counts.size > 50_000) this.sweep(window);
      this.counts.set(key, { window, n: 1 });
      return 0;
    }
    c.n++;
    return c.n > this.perMinute ? (window + 1) * 60_000 - now : 0;
  }

  private sweep(window: number): void {
    for (const [k, v] of this.counts) if (v.window !== window) this.counts.delete(k);
  }
}
