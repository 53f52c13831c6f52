import type { Hono } from 'hono';
import type { Registry } from 'prom-client';

/** GET /metrics: Prometheus text exposition of the bridge's registry (src/server/bridgeMetrics.ts). */
export function mountMetricsRoute(app: Hono, registry: Registry): void {
  app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
}
