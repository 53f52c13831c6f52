import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { countPageHit, dropPageHitsBefore } from '../../store/ops/partnerPageHits.ts';

/**
 * Fixed one-minute windows per key (a link's id, a client address), counted in the database: every
 * instance on one database counts into the same row, so N instances behind a balancer still allow the
 * limit once, not N times. Old windows are dropped at most once a minute per instance.
 */
export class SharedMinuteLimiter {
  private swept = -1;
  constructor(
    private readonly db: Kysely<Database>,
    private readonly perMinute: number,
    private readonly prefix: string,
  ) {}

  /** Counts one request; returns ms to wait when over the limit, else 0. */
  async take(key: string, now: number): Promise<number> {
    const window = Math.floor(now / 60_000);
    if (this.swept !== window) {
      this.swept = window;
      await dropPageHitsBefore(this.db, window - 1);
    }
    const n = await countPageHit(this.db, `${this.prefix}:${key}`, window);
    return n > this.perMinute ? (window + 1) * 60_000 - now : 0;
  }
}
