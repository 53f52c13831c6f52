import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { registerClickUpRateLimitMetrics } from '../connectors/clickup/index.ts';
import type { RateLimitState } from '../connectors/clickup/index.ts';
import type { Database } from '../store/schema.ts';
import { countGauges, type GaugeCounts } from '../store/ops/countGauges.ts';
import { countHeldByActor } from '../store/ops/partnerChanges.ts';
import { countTableRows } from '../store/ops/pruneRetention.ts';

export interface BridgeMetricsDeps {
  db: Kysely<Database>;
  /** Read at scrape time (the dispatcher may be built after the registry). */
  dispatcher: () => {
    counters: { done: number; retried: number; dead: number; leaseLost: number; parked?: number };
    inFlightCount: number;
  } | null;
  clickup: { rateLimitState(): RateLimitState };
  /** Delivery reports about partner e-mail taken by this process (null when bounces are not read). */
  partnerBounces?: () => { recorded: number; ignored: number } | null;
  /** Process metrics (CPU, memory, event loop); off in tests that build many registries. */
  processMetrics?: boolean;
  /**
   * server.intake_thread: the intake thread's event-loop delay since the previous scrape (null without one).
   */
  intakeLoopDelay?: () => Promise<{ p99Ms: number; maxMs: number } | null>;
  /** How old the store counts may be when scraped (ms, default 15 s). */
  countsMaxAgeMs?: number;
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
 * The bridge's Prometheus registry: queue, dead letters, cases by state and SLA state, table sizes (one
 * cached read shared by the gauges, at most every 15 s), dispatcher outcomes, ClickUp rate-limit budget.
 */
export function createBridgeMetrics(deps: BridgeMetricsDeps): Registry {
  const registry = new Registry();
  // The store counts (jobs by kind and state, cases, table sizes) are one cached read, refreshed at most
  // every `countsMaxAgeMs` whatever the scrape rate (no GROUP BY over the jobs table per scrape).
  // Chosen over counts kept on every state change because those would be per process: with several
  // instances on one database, crashes and the prune job deleting rows, they drift; a periodic read is
  // exact for every instance at a bounded cost (one pass per interval, and retention keeps the tables small).
  const maxAge = deps.countsMaxAgeMs ?? 15_000;
  let cached: { at: number; value: Promise<GaugeCounts & { tables: Array<{ table: string; rows: number }> }> } | null =
    null;
  const counts = () => {
    const now = Date.now();
    if (!cached || now - cached.at >= maxAge) {
      const value = Promise.all([countGauges(deps.db), countTableRows(deps.db)]).then(([g, tables]) => ({
        ...g,
        tables,
      }));
      const entry = { at: now, value };
      cached = entry;
      // A failed read is not kept: the next scrape tries again.
      value.catch(() => {
        if (cached === entry) cached = null;
      });
    }
    return cached.value;
  };
  new Gauge({
    name: 'gridbridge_table_rows',
    help: 'Rows per store table that grows with use (retention keeps them bounded; refreshed at most every 15 s).',
    labelNames: ['table'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of (await counts()).tables) this.set({ table: r.table }, r.rows);
    },
  });
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
    help: 'Jobs settled by this process, by outcome (done, retried, dead, lease_lost, parked).',
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
      this.inc({ outcome: 'parked' }, d.counters.parked ?? 0);
    },
  });
  new Counter({
    name: 'gridbridge_partner_email_bounces_total',
    help: 'Delivery reports about partner e-mail taken by this process: recorded (a message bounced) or ignored (a delay, a duplicate, not ours).',
    labelNames: ['outcome'],
    registers: [registry],
    collect() {
      const b = deps.partnerBounces?.();
      if (!b) return;
      this.reset();
      this.inc({ outcome: 'recorded' }, b.recorded);
      this.inc({ outcome: 'ignored' }, b.ignored);
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
  if (deps.intakeLoopDelay) {
    const read = deps.intakeLoopDelay;
    new Gauge({
      name: 'gridbridge_intake_event_loop_delay_seconds',
      help: 'With server.intake_thread: the event-loop delay of the thread that answers webhooks, since the previous scrape (p99, max; sampled every 10 ms). Absent without the thread.',
      labelNames: ['stat'],
      registers: [registry],
      async collect() {
        this.reset();
        const d = await read();
        if (!d) return;
        this.set({ stat: 'p99' }, d.p99Ms / 1000);
        this.set({ stat: 'max' }, d.maxMs / 1000);
      },
    });
  }
  registerClickUpRateLimitMetrics(registry, deps.clickup, { token_name: 'default' });
  if (deps.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'gridbridge_' });
  return registry;
}
