// intake: webhook acknowledgement (verify the signature, store, answer) at a fixed 500 requests/s while the
// dispatcher drains a backlog of 20,000 real flow-1 jobs (each: Trading Grid reads, a ClickUp task, the
// partner's status, the returning ClickUp webhook, against the loopback sandboxes), for each intake
// isolation option, on SQLite and on PostgreSQL. The bridge runs in a process of its own
// (bench/intakeBridge.ts), the load generator in another (bench/intakeLoad.ts), the sandboxes in this one.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import SQLite from 'better-sqlite3';
import { startClickUpSandbox } from '../src/sandbox/clickup/server.ts';
import { startTradingGridSandbox } from '../src/sandbox/tradinggrid/index.ts';
import { configForSandboxes } from '../src/cli/sandboxSetup.ts';
import { openMigratedStore } from '../src/store/db.ts';
import { recordInboundEvent } from '../src/store/ops/recordInboundEvent.ts';
import { newEngineJob } from '../src/sync/engineJobs.ts';
import { tgQueueKey } from '../src/sync/tgQueueKey.ts';
import { parseTradingGridEvent } from '../src/connectors/tradinggrid/events.ts';
import { createPgDatabase, pgUnavailable } from '../test/helpers/pgStore.ts';
import { cpuMsOf } from './procCpu.ts';
import { percentile, round, summary } from './stats.ts';

const root = new URL('..', import.meta.url).pathname;

/** The options compared; `baseline` is the same bridge process with its dispatcher stopped (intake alone). */
const OPTIONS = {
  baseline: { noDispatch: true, extra: {} },
  // Group commit of inbound events (always on) and a claimed batch started in one turn (the default until 7 December).
  same_loop: { noDispatch: false, extra: { dispatcher: { yield_between_jobs: false } } },
  // The default since 7 December: the jobs of a claimed batch start one event-loop turn apart.
  bounded_turn: { noDispatch: false, extra: { dispatcher: { yield_between_jobs: true } } },
  intake_thread: {
    noDispatch: false,
    extra: { server: { intake_thread: true }, dispatcher: { yield_between_jobs: false } },
  },
} as const;
type Option = keyof typeof OPTIONS;

interface Load {
  lat: number[];
  failed: number;
  seconds: number;
  lateP99Ms: number;
}

function runChild(args: string[], env: Record<string, string>, stdin?: string, cwd = root): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (stdin !== undefined) child.stdin.end(stdin);
  else child.stdin.end();
  return child;
}

async function startBridgeChild(configFile: string, env: Record<string, string>, probeFile?: string, code = root) {
  const probe = probeFile ? ['--import', new URL('./intakeProbe.mjs', import.meta.url).href] : [];
  const child = runChild(
    [...probe, join(code, 'bench/intakeBridge.ts'), configFile],
    { ...env, ...(probeFile ? { GRIDBRIDGE_INTAKE_PROBE: probeFile } : {}) },
    undefined,
    code,
  );
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const m = /READY (\S+)/.exec(buf);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`bridge exited (${code}) before it was ready:\n${out}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
    },
  };
}

function runLoad(job: object): Promise<Load> {
  const child = runChild(['bench/intakeLoad.ts'], {}, JSON.stringify(job));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as Load) : reject(new Error(`load generator failed (${code}): ${err}`)),
    ),
  );
}

/** The probe's (bench/intakeProbe.mjs) figures of the window: turns longer than 5 ms and where their time went. */
async function probeSummary(file: string): Promise<object> {
  for (let i = 0; i < 50 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 100));
  try {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return { probe_long_turns: p.long_turns, probe_long_sum_ms: p.long_sum, probe_gc: p.gc, probe_hist: p.hist };
  } catch {
    return {};
  }
}

/** Jobs done so far (the dispatcher's progress), read on a connection of the bench's own. */
function doneCounter(url: string): { read: () => Promise<number>; close: () => Promise<void> } {
  if (url.startsWith('sqlite:')) {
    const db = new SQLite(url.slice('sqlite:'.length), { readonly: true });
    db.pragma('busy_timeout = 5000');
    const q = db.prepare("SELECT count(*) AS n FROM jobs WHERE state = 'done'");
    return { read: async () => Number((q.get() as { n: number }).n), close: async () => void db.close() };
  }
  const c = new pg.Client({ connectionString: url });
  const ready = c.connect();
  return {
    read: async () => {
      await ready;
      return Number((await c.query("SELECT count(*) AS n FROM jobs WHERE state = 'done'")).rows[0].n);
    },
    close: async () => void (await c.end()),
  };
}

export async function run(
  o: { backlog?: number; seconds?: number; rate?: number; runs?: number; stores?: Array<'sqlite' | 'postgres'> } = {},
): Promise<object> {
  const backlog = o.backlog ?? Number(process.env.INTAKE_BACKLOG ?? 20_000);
  const seconds = o.seconds ?? Number(process.env.INTAKE_SECONDS ?? 8);
  const rate = o.rate ?? Number(process.env.INTAKE_RATE ?? 500);
  const runs = o.runs ?? Number(process.env.INTAKE_RUNS ?? 1);
  const pgDown = await pgUnavailable();
  const wantStores = (process.env.INTAKE_STORES?.split(',') as Array<'sqlite' | 'postgres'> | undefined) ?? [
    'sqlite',
    'postgres',
  ];
  const stores = o.stores ?? wantStores.filter((s) => s === 'sqlite' || !pgDown);
  const probeDir = process.env.INTAKE_PROBE;
  // INTAKE_CODES=DIR,DIR: the bridge from each of these checkouts in turn (e.g. the code before a change; each with
  // its node_modules), every option and run alike: rows and results name the checkout after the option (`@DIR`).
  const codes = process.env.INTAKE_CODES?.split(',') ?? [root];
  const only = process.env.INTAKE_OPTIONS?.split(',') as Option[] | undefined;
  const options = (Object.keys(OPTIONS) as Option[]).filter((k) => !only || only.includes(k));
  const cu = await startClickUpSandbox({ rateLimitPerMinute: null });
  const tg = await startTradingGridSandbox({ idTag: 'I' });
  const dir = mkdtempSync(join(tmpdir(), 'gb-bench-intake-'));
  // The backlog's cases, raised once and shared by every run (each run has a fresh store).
  const caseIds: string[] = [];
  for (let i = 0; i < backlog; i++)
    caseIds.push(
      (await tg.raiseCase({ partnerId: i % 2 ? 'P-ACME' : 'P-GLOBEX', kind: 'dispute', title: `intake bench ${i}` }))
        .id,
    );
  const rows: Array<Record<string, unknown>> = [];
  let seq = 0;
  try {
    // Rounds of every option in turn (A, B, A, B): a load that changes during the bench hits each option alike.
    for (const storeKind of stores)
      for (let r = 0; r < runs; r++)
        for (const option of options)
          for (const code of codes) {
            const label = codes.length > 1 ? `${option}@${code}` : option;
            const tag = `${storeKind}-${option}-${r}-${seq++}`;
            const pgDb = storeKind === 'postgres' ? await createPgDatabase() : null;
            const storeUrl = pgDb ? pgDb.url : `sqlite:${join(dir, `${tag}.db`)}`;
            try {
              // Pre-load the backlog as the webhook route stores it: each event with its tg.event job.
              const store = await openMigratedStore(storeUrl);
              const t0 = Date.now();
              await Promise.all(
                caseIds.map((id, i) => {
                  const parsed = parseTradingGridEvent({
                    id: `evt-${tag}-backlog-${i}`,
                    type: 'case.opened',
                    occurred_at: new Date(t0).toISOString(),
                    data: { id, partner_id: i % 2 ? 'P-ACME' : 'P-GLOBEX' },
                  });
                  if (!parsed.ok) throw new Error(parsed.error.reason);
                  const ev = parsed.value;
                  return recordInboundEvent(
                    store.db,
                    { source: 'tradinggrid', eventId: ev.id, type: ev.type, payload: ev },
                    newEngineJob('tg.event', ev, { key: `tg.event:${ev.id}`, queueKey: tgQueueKey(ev) }),
                    t0,
                  );
                }),
              );
              await store.close();
              const { config, secrets } = configForSandboxes(
                { clickup: { url: cu.url, token: cu.token, teamId: cu.teamId, lists: cu.lists }, tradinggrid: tg },
                {
                  storeUrl,
                  extra: {
                    ...OPTIONS[option].extra,
                    dispatcher: {
                      concurrency: 64,
                      poll_ms: 20,
                      ...(OPTIONS[option].extra as { dispatcher?: object }).dispatcher,
                    },
                  },
                  clickupUnmetered: true,
                },
              );
              // The Trading Grid poll would read the backlog's cases again: off, as in the scale bench.
              const cfg = {
                ...config,
                server: { ...config.server, port: 0 },
                tradinggrid: { ...config.tradinggrid, poll_cron: 'off' },
              };
              const file = join(dir, `${tag}.json`);
              writeFileSync(file, JSON.stringify({ config: cfg, secrets }));
              const probeFile = probeDir ? join(probeDir, `${tag}.json`) : undefined;
              const bridge = await startBridgeChild(
                file,
                OPTIONS[option].noDispatch ? { INTAKE_NO_DISPATCH: '1' } : {},
                probeFile,
                code,
              );
              const done = doneCounter(storeUrl);
              try {
                // Let the drain get going (and the process warm up) before measuring.
                await new Promise((res) => setTimeout(res, 2000));
                const done0 = await done.read();
                const cpu0 = cpuMsOf(bridge.pid) ?? 0;
                if (probeFile) process.kill(bridge.pid, 'SIGUSR2');
                const load = await runLoad({
                  url: bridge.url,
                  secret: tg.webhookSecret,
                  ratePerSec: rate,
                  seconds,
                  tag,
                  caseIds,
                });
                const cpuMs = (cpuMsOf(bridge.pid) ?? 0) - cpu0;
                if (probeFile) process.kill(bridge.pid, 'SIGUSR2');
                const done1 = await done.read();
                rows.push({
                  store: storeKind,
                  option: label,
                  run: r,
                  acks: load.lat.length,
                  failed: load.failed,
                  ack_ms_p50: round(percentile(load.lat, 50)),
                  ack_ms_p99: round(percentile(load.lat, 99)),
                  ack_ms_max: round(load.lat[load.lat.length - 1] ?? NaN),
                  generator_late_ms_p99: round(load.lateP99Ms),
                  jobs_done_per_s_while_measured: round((done1 - done0) / load.seconds),
                  backlog_left_at_end: backlog - done1,
                  bridge_cores_busy: round(cpuMs / 1000 / load.seconds),
                  load_average_1m: round(loadavg()[0]!),
                  ...(probeFile ? await probeSummary(probeFile) : {}),
                });
                process.stderr.write(`intake ${JSON.stringify(rows[rows.length - 1])}\n`);
              } finally {
                await done.close();
                await bridge.stop();
              }
            } finally {
              await pgDb?.drop();
              rmSync(join(dir, `${tag}.db`), { force: true });
              rmSync(join(dir, `${tag}.db-wal`), { force: true });
              rmSync(join(dir, `${tag}.db-shm`), { force: true });
            }
          }
  } finally {
    await Promise.allSettled([cu.close(), tg.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
  const by: Record<string, Record<string, unknown>> = {};
  for (const s of stores) {
    const base = rows
      .filter((x) => x.store === s && String(x.option).startsWith('baseline'))
      .map((x) => x.ack_ms_p99 as number);
    const baseP99 = summary(base.length ? base : [NaN]).median;
    by[s] = {};
    for (const opt of options.flatMap((o) => (codes.length > 1 ? codes.map((c) => `${o}@${c}`) : [o]))) {
      const mine = rows.filter((x) => x.store === s && x.option === opt);
      if (mine.length === 0) continue;
      const pick = (k: string) => summary(mine.map((x) => x[k] as number));
      by[s][opt] = {
        ack_ms_p50: pick('ack_ms_p50'),
        ack_ms_p99: pick('ack_ms_p99'),
        ack_ms_max: pick('ack_ms_max'),
        p99_vs_baseline: round(pick('ack_ms_p99').median / baseP99),
        jobs_done_per_s_while_measured: pick('jobs_done_per_s_while_measured'),
        bridge_cores_busy: pick('bridge_cores_busy'),
        failed: mine.reduce((a, x) => a + (x.failed as number), 0),
      };
    }
  }
  return {
    method: `${backlog} flow-1 jobs (tg.event, each: Trading Grid reads, a ClickUp task, the partner's status, the returning ClickUp webhook) pre-loaded in a fresh store; the bridge (dispatcher concurrency 64, poll 20 ms) started in its own process, given 2 s to get draining, then ${rate} signed Trading Grid webhooks/s for ${seconds} s from a load generator in another process (open loop, latency from send to answer). Options: baseline = the same bridge with its dispatcher stopped; same_loop = group commit of inbound events (always on), a claimed batch started in one turn; bounded_turn = dispatcher.yield_between_jobs (the default since 7 December); intake_thread = server.intake_thread. Sandboxes (ClickUp unthrottled) in the bench process. ${runs} run(s) per option and store. jobs_done counts every job kind (a tg.event job queues the case's further jobs), so backlog_left_at_end (backlog minus jobs done) under-states what is left`,
    load_average_at_end: loadavg().map((x) => round(x)),
    goal_ack_ms_p99: 10,
    results: by,
    runs: rows,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  process.exit(0);
}
