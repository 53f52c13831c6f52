import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { GridbridgeConfig } from '../../config/schema.ts';
import type { Database } from '../../store/schema.ts';
import { createBridgeMetrics, type BridgeMetricsDeps } from '../bridgeMetrics.ts';
import { mountMetricsRoute } from './metrics.ts';
import { mountScorecardRoutes } from './scorecards.ts';

/** The SLA and metrics HTTP surfaces: GET /metrics (Prometheus) and GET /api/scorecards (mount after the admin API). */
export function mountSlaSurfaces(
  app: Hono,
  deps: {
    db: Kysely<Database>;
    config: GridbridgeConfig;
    now: () => number;
    dispatcher: BridgeMetricsDeps['dispatcher'];
    clickup: BridgeMetricsDeps['clickup'];
    partnerBounces?: BridgeMetricsDeps['partnerBounces'];
    intakeLoopDelay?: BridgeMetricsDeps['intakeLoopDelay'];
  },
): void {
  mountMetricsRoute(
    app,
    createBridgeMetrics({
      db: deps.db,
      dispatcher: deps.dispatcher,
      clickup: deps.clickup,
      partnerBounces: deps.partnerBounces,
      intakeLoopDelay: deps.intakeLoopDelay,
    }),
  );
  mountScorecardRoutes(app, { db: deps.db, config: deps.config, now: deps.now });
}
