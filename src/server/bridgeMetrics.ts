import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { registerClickUpRateLimitMetrics } from '../connectors/clickup/index.ts';
import type { RateLimitState } from '../connectors/clickup/index.ts';
import type { Database } from '../store/schema.ts';
import { countGauges, type GaugeCounts } from '../store/ops/countGauges.ts';
import { countHeldByActor } from '../store/ops/partnerChanges.ts';

export interface BridgeMetricsDeps {
  db: Kysely<Database>;
  /** Read at scrape time (the dispatcher may be built after the registry). */
  dispatcher: () => { counters: { done: number; retried: number; dead: number; leaseLost: number }; inFlightCount: number } | null;
  clickup: { rateLimitState(): RateLimitState };
  /** Process metrics (CPU, memory, event loop); off in tests that build many registries. */
  processMetrics?: boolean;
}

// One sampler per process, read and reset by each scrape (several registries in one process, as in tests,
// share it: each scrape then sees the window since any registry's last scrape).
let loopDelay: IntervalHistogram | null = null;

function loopDelaySampler(): IntervalHistogram {
  if (!loopDelay) {
    loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
  }
  return loopDelay;
}

/**
 * The bridge's Prometheus registry: queue, dead letters, cases by state and SLA state (one set of
 * GROUP BY queries per scrape, shared by the gauges), dispatcher outcomes, ClickUp rate-limit budget.
 */
export function createBridgeMetrics(deps: BridgeMetricsDeps): Registry {
  const registry = new Registry();
  let pending: Promise<GaugeCounts> | null = null;
  // Gauges collect one after another within a scrape: one read serves them all.
  const counts = () => {
    if (!pending) {
      pending = countGauges(deps.db);
      const clear = () => setTimeout(() => (pending = null), 250).unref();
      pending.then(clear, clear);
    }
    return pending;
  };
  new Gauge({
    name: 'gridbridge_jobs',
    help: 'Outbox jobs by kind and state (ready, running, done, dead).',
    labelNames: ['kind', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await counts()).jobsByState) this.set({ kind: r.kind, state: r.state }, r.n);
    },
  });
  new Gauge({
    name: 'gridbridge_dead_letters',
    help: 'Dead letters not replayed yet.',
    registers: [registry],
    async collect() {
      this.set((await counts()).deadLettersPending);
    },
  });
  new Gauge({
    name: 'gridbridge_cases',
    help: 'Cases by bridge state (active, needs_mapping, closed) and partner status.',
    labelNames: ['state', 'partner_status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await counts()).casesByState) this.set({ state: r.state, partner_status: r.partnerStatus }, r.n);
    },
  });
  new Gauge({
    name: 'gridbridge_cases_sla',
    help: 'Open cases by SLA state at the last sweep (on_track, at_risk, breached, paused).',
    labelNames: ['sla_state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await counts()).casesBySlaState) this.set({ sla_state: r.state }, r.n);
    },
  });
  new Counter({
    name: 'gridbridge_dispatcher_jobs_total',
    help: 'Jobs settled by this process, by outcome (done, retried, dead, lease_lost).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const d = deps.dispatcher();
      if (!d) return;
      this.reset();
      this.inc({ outcome: 'done' }, d.counters.done);
      this.inc({ outcome: 'retried' }, d.counters.retried);
      this.inc({ outcome: 'dead' }, d.counters.dead);
      this.inc({ outcome: 'lease_lost' }, d.counters.leaseLost);
    },
  });
  new Gauge({
    name: 'gridbridge_dispatcher_in_flight',
    help: 'Jobs running in this process now.',
    registers: [registry],
    collect() {
      this.set(deps.dispatcher()?.inFlightCount ?? 0);
    },
  });
  new Gauge({
    name: 'gridbridge_partner_changes_held',
    help: 'Partner-visible changes held by the bulk-change guard, by ClickUp user, until an admin releases or drops them.',
    labelNames: ['actor'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await countHeldByActor(deps.db)) this.set({ actor: r.actor }, r.n);
    },
  });
  loopDelaySampler();
  new Gauge({
    name: 'gridbridge_event_loop_delay_seconds',
    help: 'Event-loop delay since the previous scrape (p99, max): how long a ready callback, a webhook acknowledgement among them, waited for the loop. perf_hooks monitorEventLoopDelay, sampled every 10 ms: a shorter stall can escape p99, not max.',
    labelNames: ['stat'],
    registers: [registry],
    collect() {
      const h = loopDelaySampler();
      this.set({ stat: 'p99' }, h.count > 0 ? h.percentile(99) / 1e9 : 0);
      this.set({ stat: 'max' }, h.count > 0 ? h.max / 1e9 : 0);
      h.reset();
    },
  });
  registerClickUpRateLimitMetrics(registry, deps.clickup, { token_name: 'default' });
  if (deps.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'gridbridge_' });
  return registry;
}
