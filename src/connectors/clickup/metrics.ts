import { Gauge, type Registry } from 'prom-client';
import type { RateLimitState } from './rateLimiter.ts';

/**
 * Exposes a ClickUp token's rate-limit budget as gauges read at scrape time:
 * gridbridge_clickup_ratelimit_{limit,remaining,reset_seconds,queued,in_flight,rate_limited_total}.
 */
export function registerClickUpRateLimitMetrics(
  registry: Registry,
  source: { rateLimitState(): RateLimitState },
  labels: { token_name: string } = { token_name: 'default' },
): void {
  const def = (name: string, help: string, pick: (s: RateLimitState) => number | null) =>
    new Gauge({
      name: `gridbridge_clickup_ratelimit_${name}`,
      help,
      labelNames: ['token_name'],
      registers: [registry],
      collect() {
        const v = pick(source.rateLimitState());
        if (v !== null) this.set(labels, v);
      },
    });
  def('limit', 'Requests per window allowed by the ClickUp plan (X-RateLimit-Limit).', (s) => s.limit);
  def('remaining', 'Requests left in the current window (our estimate).', (s) => s.remaining);
  def('reset_seconds', 'Epoch seconds when the window resets (X-RateLimit-Reset).', (s) =>
    s.resetAt === null ? null : s.resetAt / 1000,
  );
  def('queued', 'Calls waiting for budget (never dropped).', (s) => s.queued);
  def('in_flight', 'Calls sent and not yet answered.', (s) => s.inFlight);
  def('rate_limited_total', '429 answers received.', (s) => s.rateLimited);
  def('issued_total', 'Calls let through by the limiter.', (s) => s.issued);
}
