import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { registerClickUpRateLimitMetrics } from './metrics.ts';
import { ClickUpRateLimiter } from './rateLimiter.ts';

describe('ClickUp rate-limit metrics', () => {
  it('shows the budget the limiter learned from the headers', async () => {
    const limiter = new ClickUpRateLimiter({ now: () => 1_000_000 });
    await limiter.acquire();
    limiter.done({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '42', 'x-ratelimit-reset': '1060' });
    const reg = new Registry();
    registerClickUpRateLimitMetrics(reg, { rateLimitState: () => limiter.state() });
    const text = await reg.metrics();
    expect(text).toMatch(/gridbridge_clickup_ratelimit_limit\{token_name="default"\} 100/);
    expect(text).toMatch(/gridbridge_clickup_ratelimit_remaining\{token_name="default"\} 42/);
    expect(text).toMatch(/gridbridge_clickup_ratelimit_reset_seconds\{token_name="default"\} 1060/);
  });
});
