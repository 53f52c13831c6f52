// flow1: signed Trading Grid webhooks → ClickUp tasks through the real bridge (SQLite file, loopback
// sandboxes, ClickUp unthrottled). Baseline in the same run: a naive bridge that does the remote calls
// inside the webhook request (no durability), to show what durability and dedupe cost.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { startBridgeProcess } from '../test/helpers/bridgeProcess.ts';
import { cpuMsOf } from './procCpu.ts';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseEntry } from '../bin/buildEntry.mjs';
import { Pool } from 'undici';
import { Hono } from 'hono';
import pino from 'pino';
import { startClickUpSandbox, type ClickUpSandbox } from '../src/sandbox/clickup/server.ts';
import { startTradingGridSandbox, type TradingGridSandbox } from '../src/sandbox/tradinggrid/index.ts';
import { configForSandboxes } from '../src/cli/sandboxSetup.ts';
import { startBridge } from '../src/server/bridge.ts';
import { listen } from '../src/server/listen.ts';
import { createClickUpClient } from '../src/connectors/clickup/index.ts';
import { createCommunityDriver } from '../src/connectors/tradinggrid/community/index.ts';
import { verifyTradingGridWebhook } from '../src/connectors/tradinggrid/events.ts';
import { signTgEvent } from './signedEvents.ts';
import { percentile, round, summary } from './stats.ts';

const CREATE = 'POST /api/v2/list/{list_id}/task';
/**
 * FLOW1_YIELD=0 / 1: the bridge starts a claimed batch of jobs in one turn / one event-loop turn apart
 * (dispatcher.yield_between_jobs; unset: the default, apart), to compare the acknowledgement times at 500
 * requests/s with and without it.
 */
const YIELD = process.env.FLOW1_YIELD === undefined ? {} : { yield_between_jobs: process.env.FLOW1_YIELD === '1' };
/** FLOW1_ONLY=child: only the bridge-in-its-own-process runs (CPU per case, peak RSS), not the other two. */
const CHILD_ONLY = process.env.FLOW1_ONLY === 'child';
/**
 * FLOW1_PROBE=DIR: preload bench/flow1Probe.mjs into the bridge child: memory samples every 250 ms (and a CPU
 * profile of the measured window only, below), written to DIR (FLOW1_SNAPSHOT_RSS_MB=M, FLOW1_SNAPSHOT_HEAP_MB=M
 * add one heap snapshot when its RSS, or its heap used, first passes M MB). FLOW1_CHILD_NODE_OPTIONS: more Node options for the child only.
 */
const CHILD_NODE_OPTIONS = process.env.FLOW1_CHILD_NODE_OPTIONS ?? '';
const PROBE = process.env.FLOW1_PROBE;
/** With FLOW1_PROBE: FLOW1_CPU_PROFILE=1 also profiles the measured window (the sampling adds CPU of its own). */
const CPU_PROFILE = PROBE !== undefined && process.env.FLOW1_CPU_PROFILE === '1';

/**
 * FLOW1_VARIANTS (with FLOW1_ONLY=child): a JSON list of bridge-child variants run interleaved in the same bench
 * process, one run of each per round (RUNS rounds), so a lever is measured against the same baseline under the
 * same conditions: `[{"name":"base"},{"name":"semi32","node":"--max-semi-space-size=32"},
 * {"name":"arena2","env":{"MALLOC_ARENA_MAX":"2"}},{"name":"c32","concurrency":32}]`. Each variant's figures and
 * its ratio to the first variant's (medians) are reported.
 */
interface ChildVariant {
  name: string;
  /** Node options added to the child's NODE_OPTIONS. */
  node?: string;
  /** Environment variables added to the child's. */
  env?: Record<string, string>;
  /** dispatcher.concurrency (default 64 here). */
  concurrency?: number;
  /** Another checkout's bin/gridbridge.mjs (code before a change, `git worktree add`), default this one's. */
  bin?: string;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * What a variant's child runs: the compiled build (dist/) or the sources through tsx (bin/buildEntry.mjs decides,
 * as for a user); `{"env":{"GRIDBRIDGE_FROM_SOURCE":"1"}}` makes a variant run the sources.
 */
function entryOf(variant: ChildVariant): string {
  const root = variant.bin ? dirname(dirname(variant.bin)) : ROOT;
  const c = chooseEntry(root, { ...process.env, ...variant.env });
  return c.entry === 'dist' ? 'dist (compiled build)' : `sources through tsx (${c.why})`;
}

/**
 * The child runs what the README tells production to run: `npm run build`, then `gridbridge start`, which runs the
 * build. So a missing or stale build is made first (FLOW1_BUILD=0: not; the child then runs the sources, and the
 * results say so).
 */
function ensureBuild(): void {
  if (process.env.FLOW1_BUILD === '0' || chooseEntry(ROOT).entry === 'dist') return;
  process.stderr.write('flow1: building dist/ (npm run build) so the bridge child runs what production runs…\n');
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}
const VARIANTS: ChildVariant[] | null = process.env.FLOW1_VARIANTS
  ? (JSON.parse(process.env.FLOW1_VARIANTS) as ChildVariant[])
  : null;

async function raise(tg: TradingGridSandbox, n: number, tag: string) {
  const events = [];
  for (let i = 0; i < n; i++) {
    const c = await tg.raiseCase({
      partnerId: i % 2 ? 'P-ACME' : 'P-GLOBEX',
      kind: 'dispute',
      title: `bench ${tag} ${i}`,
    });
    events.push({
      id: `evt-${tag}-${i}`,
      type: 'case.opened',
      occurred_at: c.opened_at,
      data: { id: c.id, partner_id: c.partner_id },
    });
  }
  return events;
}

/**
 * A connection that could not be made is tried again (up to 3 times): on a 2-core machine at load average 30 a
 * connect to the bridge sometimes timed out, even after 60 s, and failed the whole run. Nothing was sent on such a
 * connection, and a repeated delivery is answered as a duplicate anyway.
 */
async function postRetryingConnect<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (attempt >= 3 || (code !== 'UND_ERR_CONNECT_TIMEOUT' && code !== 'ECONNREFUSED')) throw e;
    }
  }
}

/** POST each event with `concurrency` in flight, or paced at `ratePerSec`; returns ack latencies (ms). */
async function fire(
  url: string,
  events: Array<{ id: string }>,
  secret: string,
  o: { concurrency?: number; ratePerSec?: number },
): Promise<number[]> {
  // Connect timeout raised: on a loaded 2-core machine the default 10 s failed whole runs.
  const pool = new Pool(new URL(url).origin, { connections: 64, connectTimeout: 60_000 });
  const lat: number[] = [];
  const one = async (ev: { id: string }) => {
    const s = signTgEvent(ev, secret);
    const t0 = performance.now();
    const r = await postRetryingConnect(() =>
      pool.request({ method: 'POST', path: '/webhooks/tradinggrid', headers: s.headers, body: s.body }),
    );
    await r.body.dump();
    if (r.statusCode >= 300) throw new Error(`webhook answered ${r.statusCode}`);
    lat.push(performance.now() - t0);
  };
  if (o.ratePerSec) {
    const gap = 1000 / o.ratePerSec;
    const start = performance.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < events.length; i++) {
      const due = start + i * gap;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(one(events[i]!));
    }
    await Promise.all(pending);
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: o.concurrency ?? 32 }, async () => {
        while (next < events.length) await one(events[next++]!);
      }),
    );
  }
  await pool.close();
  return lat.sort((a, b) => a - b);
}

async function bridgeRun(cu: ClickUpSandbox, tg: TradingGridSandbox, n: number, tag: string) {
  const dir = mkdtempSync(join(tmpdir(), 'gb-bench-'));
  const { config, secrets } = configForSandboxes(
    { clickup: { url: cu.url, token: cu.token, teamId: cu.teamId, lists: cu.lists }, tradinggrid: tg },
    {
      storeUrl: `sqlite:${join(dir, 'b.db')}`,
      extra: { dispatcher: { concurrency: 64, poll_ms: 20, ...YIELD } },
      clickupUnmetered: true,
    },
  );
  const bridge = await startBridge({ config, secrets, logger: pino({ level: 'silent' }) });
  try {
    const events = await raise(tg, n, tag);
    const creates0 = cu.stats().requests[CREATE] ?? 0;
    const total0 = cu.stats().total;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const lat = await fire(bridge.url, events, tg.webhookSecret, { concurrency: 32 });
    const ackDone = performance.now();
    for (;;) {
      const r = await bridge.store.db
        .selectFrom('links')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirst();
      if (Number(r?.n) >= n) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const creates = (cu.stats().requests[CREATE] ?? 0) - creates0;
    // Counted before the paced phase: its 1,500 more cases would otherwise add their requests to these n.
    const requests = cu.stats().total - total0;
    // Paced phase: ack latency while the bridge keeps working, at 500 requests/s.
    const paced = await raise(tg, 1500, `${tag}p`);
    const pacedLat = await fire(bridge.url, paced, tg.webhookSecret, { ratePerSec: 500 });
    return {
      casesPerSec: n / secs,
      cpuMsPerCase: (cpu.user + cpu.system) / 1000 / n,
      acceptPerSec: n / ((ackDone - t0) / 1000),
      clickupCallsPerCase: creates / n,
      clickupRequestsPerCase: requests / n,
      ackP50: percentile(lat, 50),
      ackP99: percentile(lat, 99),
      ackP50At500: percentile(pacedLat, 50),
      ackP99At500: percentile(pacedLat, 99),
    };
  } finally {
    await bridge.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Peak resident set of a process (VmHWM), in MB, from /proc. */
function peakRssMb(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * The bridge alone in its own process (`gridbridge start`), the sandboxes and the load generator in this
 * one: its CPU per case from /proc (utime + stime, 10 ms ticks) and its peak RSS, beside cases/s.
 */
async function childRun(
  cu: ClickUpSandbox,
  tg: TradingGridSandbox,
  n: number,
  tag: string,
  variant: ChildVariant = { name: 'default' },
) {
  const dir = mkdtempSync(join(tmpdir(), 'gb-bench-child-'));
  const file = join(dir, 'b.db');
  const { config, secrets } = configForSandboxes(
    { clickup: { url: cu.url, token: cu.token, teamId: cu.teamId, lists: cu.lists }, tradinggrid: tg },
    {
      storeUrl: `sqlite:${file}`,
      extra: { dispatcher: { concurrency: variant.concurrency ?? 64, poll_ms: 20, ...YIELD } },
      clickupUnmetered: true,
    },
  );
  const probe = new URL('./flow1Probe.mjs', import.meta.url).href;
  const nodeOptions = [
    process.env.NODE_OPTIONS ?? '',
    CHILD_NODE_OPTIONS,
    variant.node ?? '',
    PROBE ? `--import ${probe}` : '',
  ]
    .join(' ')
    .trim();
  const proc = await startBridgeProcess(
    dir,
    config,
    secrets,
    `flow1-${tag}`,
    {
      ...variant.env,
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      ...(PROBE
        ? {
            GRIDBRIDGE_FLOW1_PROBE: PROBE,
            GRIDBRIDGE_PROBE_SNAPSHOT_RSS_MB: process.env.FLOW1_SNAPSHOT_RSS_MB ?? '0',
            GRIDBRIDGE_PROBE_SNAPSHOT_HEAP_MB: process.env.FLOW1_SNAPSHOT_HEAP_MB ?? '0',
          }
        : {}),
    },
    variant.bin,
  );
  const db = new SQLite(file, { readonly: true });
  const links = () =>
    Number((db.prepare("SELECT count(*) AS n FROM links WHERE entity = 'case'").get() as { n: number }).n);
  const waitLinks = async (k: number) => {
    while (links() < k) await new Promise((r) => setTimeout(r, 20));
  };
  try {
    // Warm-up (not measured): a long-running bridge has its hot code compiled; a fresh process has not.
    const warm = await raise(tg, 300, `${tag}w`);
    await fire(proc.url, warm, tg.webhookSecret, { concurrency: 32 });
    await waitLinks(warm.length);
    const events = await raise(tg, n, tag);
    const pid = proc.child.pid!;
    if (CPU_PROFILE) process.kill(pid, 'SIGUSR2'); // starts the CPU profile
    const cpu0 = cpuMsOf(pid) ?? 0;
    const t0 = performance.now();
    await fire(proc.url, events, tg.webhookSecret, { concurrency: 32 });
    await waitLinks(warm.length + n);
    const secs = (performance.now() - t0) / 1000;
    const cpuMs = (cpuMsOf(pid) ?? 0) - cpu0;
    if (CPU_PROFILE) {
      process.kill(pid, 'SIGUSR2'); // writes it
      await new Promise((r) => setTimeout(r, 1000));
    }
    return { casesPerSec: n / secs, bridgeCpuMsPerCase: cpuMs / n, peakRssMb: peakRssMb(pid) ?? NaN };
  } finally {
    db.close();
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The baseline: verify, read the case, create the task, all inside the webhook request. No store, no retries. */
async function naiveRun(cu: ClickUpSandbox, tg: TradingGridSandbox, n: number, tag: string) {
  // The sandbox sends no rate-limit headers here: without this the client would assume the lowest plan's 100/min.
  const clickup = createClickUpClient({
    baseUrl: cu.url,
    token: cu.token,
    teamId: cu.teamId,
    assumedRateLimitPerMinute: 1_000_000,
  });
  const driver = createCommunityDriver({
    baseUrl: tg.url,
    tenantId: tg.tenantId,
    clientId: tg.clientId,
    clientSecret: tg.clientSecret,
  });
  const app = new Hono();
  app.post('/webhooks/tradinggrid', async (c) => {
    const raw = Buffer.from(await c.req.arrayBuffer());
    if (!verifyTradingGridWebhook(raw, Object.fromEntries(c.req.raw.headers.entries()), tg.webhookSecret).ok)
      return c.json({}, 401);
    const ev = JSON.parse(raw.toString());
    const kase = await driver.getCase(ev.data.id);
    if (!kase.ok) return c.json({}, 502);
    const t = await clickup.createTask(cu.lists.cases, { name: kase.value.title });
    return c.json({}, t.ok ? 200 : 502);
  });
  const server = await listen(app, '127.0.0.1', 0);
  try {
    const events = await raise(tg, n, tag);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const lat = await fire(server.url, events, tg.webhookSecret, { concurrency: 32 });
    const cpu = process.cpuUsage(cpu0);
    return {
      casesPerSec: n / ((performance.now() - t0) / 1000),
      cpuMsPerCase: (cpu.user + cpu.system) / 1000 / n,
      ackP50: percentile(lat, 50),
      ackP99: percentile(lat, 99),
    };
  } finally {
    await server.close();
    await clickup.close();
    await driver.close();
  }
}

/** FLOW1_VARIANTS: the variants interleaved, one child run of each per round; medians and ratios to the first. */
async function variantRuns(
  cu: ClickUpSandbox,
  tg: TradingGridSandbox,
  n: number,
  runs: number,
  variants: ChildVariant[],
): Promise<object> {
  const rows = new Map<string, Array<Record<string, number>>>(variants.map((v) => [v.name, []]));
  const loads: number[] = [];
  for (let i = 0; i < runs; i++)
    for (const v of variants) {
      loads.push(loadavg()[0]!);
      const r = await childRun(cu, tg, n, `${v.name}${i}`, v);
      rows.get(v.name)!.push(r);
      // Each run as it ends, so a run cut short still leaves its figures.
      process.stderr.write(`${JSON.stringify({ variant: v.name, round: i, load: round(loadavg()[0]!), ...r })}\n`);
    }
  const med = (name: string, k: string) => summary(rows.get(name)!.map((r) => r[k]!)).median;
  const first = variants[0]!.name;
  return {
    method: `FLOW1_VARIANTS: ${n} cases per run, ${runs} rounds, the variants interleaved (one run of each per round); the bridge alone in its own process as bridge_own_process; ratios are of medians to the first variant's`,
    load_average_1m_during: summary(loads),
    variants: Object.fromEntries(
      variants.map((v) => {
        const r = rows.get(v.name)!;
        const pick = (k: string) => summary(r.map((x) => x[k]!));
        return [
          v.name,
          {
            spec: v,
            bridge_entry: entryOf(v),
            cases_per_s: pick('casesPerSec'),
            bridge_cpu_ms_per_case: pick('bridgeCpuMsPerCase'),
            peak_rss_mb: pick('peakRssMb'),
            ratio_cpu_ms_per_case: round(med(v.name, 'bridgeCpuMsPerCase') / med(first, 'bridgeCpuMsPerCase')),
            ratio_peak_rss: round(med(v.name, 'peakRssMb') / med(first, 'peakRssMb')),
            ratio_cases_per_s: round(med(v.name, 'casesPerSec') / med(first, 'casesPerSec')),
          },
        ];
      }),
    ),
  };
}

export async function run(opts: { cases?: number; runs?: number } = {}): Promise<object> {
  // FLOW1_CASES / FLOW1_RUNS: through `npm run bench -- flow1` too (the runner passes no options).
  const n = opts.cases ?? Number(process.env.FLOW1_CASES ?? 2000);
  const runs = opts.runs ?? Number(process.env.FLOW1_RUNS ?? 3);
  ensureBuild();
  const cu = await startClickUpSandbox({ rateLimitPerMinute: null });
  const tg = await startTradingGridSandbox({ idTag: 'B' });
  try {
    if (VARIANTS) return await variantRuns(cu, tg, n, runs, VARIANTS);
    const bridge = [];
    const naive = [];
    const child = [];
    for (let i = 0; i < runs; i++) {
      if (!CHILD_ONLY) {
        naive.push(await naiveRun(cu, tg, n, `n${i}`));
        bridge.push(await bridgeRun(cu, tg, n, `b${i}`));
      }
      child.push(await childRun(cu, tg, n, `c${i}`));
    }
    const pick = (rows: Array<Record<string, number>>, k: string) => summary(rows.map((r) => r[k]!));
    const med = (rows: Array<Record<string, number>>, k: string) => pick(rows, k).median;
    return {
      method: `${n} cases per run, ${runs} runs; 32 webhook posts in flight; then 1,500 more posted at 500/s for ack latency; ClickUp sandbox unthrottled; SQLite file (WAL). Sandboxes, load generator and bridge share one process: cpu_ms_per_case counts all of it (less sensitive to other load on the machine than cases/s)`,
      load_average_at_start: loadavg().map((x) => round(x)),
      bridge: {
        cases_per_s: pick(bridge, 'casesPerSec'),
        cpu_ms_per_case_whole_process: pick(bridge, 'cpuMsPerCase'),
        webhooks_accepted_per_s: pick(bridge, 'acceptPerSec'),
        clickup_calls_per_case: pick(bridge, 'clickupCallsPerCase'),
        clickup_requests_per_case_incl_checks: pick(bridge, 'clickupRequestsPerCase'),
        ack_ms_p50: pick(bridge, 'ackP50'),
        ack_ms_p99: pick(bridge, 'ackP99'),
        ack_ms_p50_at_500_rps: pick(bridge, 'ackP50At500'),
        ack_ms_p99_at_500_rps: pick(bridge, 'ackP99At500'),
      },
      bridge_own_process: {
        method:
          '`gridbridge start` as a child process (bridge_entry: the compiled build, as production runs it, or the sources; SQLite, dispatcher concurrency 64), warmed up with 300 cases; the sandboxes and the load generator stay in the bench process; CPU from /proc/<pid>/stat, peak RSS from VmHWM',
        bridge_entry: entryOf({ name: 'default' }),
        cases_per_s: pick(child, 'casesPerSec'),
        bridge_cpu_ms_per_case: pick(child, 'bridgeCpuMsPerCase'),
        peak_rss_mb: pick(child, 'peakRssMb'),
      },
      baseline_inline_no_durability: {
        cases_per_s: pick(naive, 'casesPerSec'),
        cpu_ms_per_case_whole_process: pick(naive, 'cpuMsPerCase'),
        ack_ms_p50: pick(naive, 'ackP50'),
        ack_ms_p99: pick(naive, 'ackP99'),
      },
      ratio_bridge_vs_baseline_cases_per_s: round(med(bridge, 'casesPerSec') / med(naive, 'casesPerSec')),
      goals: {
        cases_per_s: 2000,
        clickup_calls_per_case: 1,
        ack_ms_p99_at_500_rps: 10,
        bridge_cpu_ms_per_case: 1.5,
        peak_rss_mb: 200,
      },
    };
  } finally {
    tg.setWebhookUrl(undefined);
    await Promise.allSettled([cu.close(), tg.close()]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run({ cases: Number(process.env.CASES ?? 2000), runs: Number(process.env.RUNS ?? 3) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  process.exit(0);
}
