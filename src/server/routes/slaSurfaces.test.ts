import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempSqliteStore } from '../../../test/helpers/tempStore.ts';
import { parseConfigText } from '../../config/load.ts';
import type { GridbridgeConfig } from '../../config/schema.ts';
import type { Store } from '../../store/db.ts';
import { saveCase } from '../../store/ops/cases.ts';
import { saveCaseSla } from '../../store/ops/saveCaseSla.ts';
import { mountSlaSurfaces } from './slaSurfaces.ts';

const H = 3_600_000;
const NOW = Date.UTC(2026, 7, 20, 12);
let store: Store;
let cleanup: () => Promise<void>;
let app: Hono;
beforeAll(async () => {
  ({ store, cleanup } = await tempSqliteStore());
  const r = parseConfigText(`
clickup: { token: { env: T }, team_id: "1", list_id: "10" }
tradinggrid: { driver: community, base_url: https://tg.example.com, tenant_id: t, client_id: c, client_secret: { env: S }, webhook_secret: { env: W } }
metrics: { period_kind: quarter }
`);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  const config: GridbridgeConfig = r.config;
  const base = {
    source: 'community' as const,
    partnerName: 'Acme',
    partnerTier: null,
    kind: 'dispute' as const,
    title: 't',
    description: '',
    transactionRef: null,
    value: null,
    state: 'active' as const,
    holdReason: null,
    updatedAt: 0,
  };
  await saveCase(store.db, {
    ...base,
    id: 'C-1',
    partnerId: 'P-ACME',
    partnerStatus: 'resolved',
    openedAt: NOW - 40 * H,
    resolvedAt: NOW - 10 * H,
    slaDueAt: NOW - 5 * H,
  });
  await saveCase(store.db, {
    ...base,
    id: 'C-2',
    partnerId: 'P-ACME',
    partnerStatus: 'in_review',
    openedAt: NOW - 50 * H,
    resolvedAt: null,
    slaDueAt: NOW - 1 * H,
  });
  await saveCaseSla(store.db, { caseId: 'C-2', state: 'breached', policy: 'default', share: 1.2 }, NOW);
  app = new Hono();
  const rateLimitState = () =>
    ({ limit: 100, remaining: 97, resetAt: NOW + 60_000, queued: 0, inFlight: 0, rateLimited: 2, issued: 3 }) as never;
  mountSlaSurfaces(app, {
    db: store.db,
    config,
    now: () => NOW,
    dispatcher: () => ({ counters: { done: 7, retried: 1, dead: 0, leaseLost: 0 }, inFlightCount: 2 }),
    clickup: { rateLimitState },
  });
});
afterAll(async () => cleanup());

describe('GET /api/scorecards', () => {
  it('answers the running period by default, or the one asked for', async () => {
    const r = await app.request('/api/scorecards');
    expect(r.status).toBe(200);
    const body = (await r.json()) as any;
    expect(body).toMatchObject({
      period: '2026-Q3',
      time_zone: 'UTC',
      window: {
        start: '2026-07-01T00:00:00.000Z',
        end: '2026-10-01T00:00:00.000Z',
        as_of: new Date(NOW).toISOString(),
      },
    });
    expect(body.scorecards).toEqual([
      {
        partner_id: 'P-ACME',
        period: '2026-Q3',
        resolved_cases: 1,
        avg_resolution_hours: 30,
        median_resolution_hours: 30,
        p90_resolution_hours: 30,
        open_cases: 1,
        overdue_tasks: 1,
        sla_met_pct: 100,
      },
    ]);
    const other = (await (await app.request('/api/scorecards?period=2026-Q2&partner=P-ACME')).json()) as any;
    expect(other.scorecards).toEqual([]);
  });

  it('refuses a malformed period with 400 and the accepted forms', async () => {
    const r = await app.request('/api/scorecards?period=2026-Q5');
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).error).toMatch(/YYYY-Qn/);
  });
});

describe('GET /metrics', () => {
  it('exposes queue, cases by state and SLA state, dispatcher outcomes and the ClickUp budget', async () => {
    const r = await app.request('/metrics');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await r.text();
    for (const line of [
      'gridbridge_cases_sla{sla_state="breached"} 1',
      'gridbridge_cases{state="active",partner_status="in_review"} 1',
      'gridbridge_dead_letters 0',
      'gridbridge_dispatcher_jobs_total{outcome="done"} 7',
      'gridbridge_dispatcher_in_flight 2',
      'gridbridge_clickup_ratelimit_remaining{token_name="default"} 97',
    ])
      expect(text).toContain(line);
  });

  it('exposes the event-loop delay since the previous scrape: a 400 ms stall shows in max and p99, and is gone from the next window', async () => {
    await app.request('/metrics');
    // Let the 10 ms sampler run, then hold the loop the way a long synchronous job would.
    await new Promise((r) => setTimeout(r, 50)); // sleep-ok: the event-loop sampler needs time to sample
    const until = performance.now() + 400;
    while (performance.now() < until);
    await new Promise((r) => setTimeout(r, 30)); // sleep-ok: a sample after the stall records it
    const stat = (text: string, s: string) =>
      Number(new RegExp(`^gridbridge_event_loop_delay_seconds\\{stat="${s}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    const first = await (await app.request('/metrics')).text();
    expect(stat(first, 'max')).toBeGreaterThanOrEqual(0.35);
    expect(stat(first, 'p99')).toBeGreaterThanOrEqual(0.35);
    await new Promise((r) => setTimeout(r, 50)); // sleep-ok: a new sampling window opens between scrapes
    const second = await (await app.request('/metrics')).text();
    // Loose bound: this machine is shared, and a loaded scheduler can hold the loop for a while on its own.
    expect(stat(second, 'max')).toBeLessThan(0.3);
  });
});
