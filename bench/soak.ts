// soak: the bridge in its own process (`gridbridge start`, SQLite file, retention on) under a steady mixed
// load for `--minutes N` (default 30): every second a new Trading Grid case, a status change and a comment
// on a ClickUp task, a partner comment, and every fifth second a partner document; the SLA sweep and the
// prune job run every minute. Every 30 s: RSS, split into anonymous and file-backed and by kind of mapping
// (malloc's main arena, its thread arenas, V8's pages: /proc/PID/smaps), and from
// inside the bridge (bench/soakProbe.mjs, preloaded by the soak only) the V8 heap, its spaces, and the
// memory outside it (external, ArrayBuffers). Prints JSON: the samples; least-squares slopes of each figure
// after the warm-up, over the second half and over the last quarter (whether the rise levels off); and
// whether RSS is flat (the second half's fitted growth under 5% of its median RSS, or under 10 MB).
// `npm run bench -- soak [--minutes N]` (not part of a plain `npm run bench`: it takes half an hour).
// Diagnosis options: `--env K=V` (repeatable) sets a variable in the bridge's environment only (e.g.
// MALLOC_ARENA_MAX=2); `--snapshots 5,25` writes heap snapshots of the bridge at those minutes (each one
// pauses the bridge and raises its RSS: not for a run whose RSS is the figure; diff them with
// bench/heapDiff.ts); `--out DIR` keeps the probe's lines, the snapshots and the result there.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { startBridgeProcess } from '../test/helpers/bridgeProcess.ts';
import { startClickUpSandbox } from '../src/sandbox/clickup/server.ts';
import { startTradingGridSandbox } from '../src/sandbox/tradinggrid/index.ts';
import { configForSandboxes } from '../src/cli/sandboxSetup.ts';
import { round } from './stats.ts';

interface Sample {
  at_s: number;
  rss_mb: number;
  rss_anon_mb: number;
  rss_file_mb: number;
  heap_used_mb: number | null;
  heap_total_mb: number | null;
  external_mb: number | null;
  array_buffers_mb: number | null;
  /** Used size of each V8 heap space, MB. */
  spaces: Record<string, number> | null;
  /** RSS by kind of mapping, MB (see rssByMapping). */
  mappings: ReturnType<typeof rssByMapping>;
  cases: number;
  tasks: number;
  load_1m: number;
}

/** VmRSS, RssAnon, RssFile (+ RssShmem) of a process, MB. */
function rssOf(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024, file: (kb('RssFile') + kb('RssShmem')) / 1024 };
}

/**
 * RSS of a process by kind of mapping (/proc/PID/smaps), MB: glibc's main malloc arena (`[heap]`, grown with
 * brk), its per-thread arenas (anonymous mappings aligned to their 64 MiB reservation), V8's 256 KiB heap
 * pages (every isolate: the main thread, the checkpoint worker, the loader thread), and the rest. A heuristic
 * by address and size, good enough to say which allocator a rise is in.
 */
function rssByMapping(pid: number): {
  malloc_main: number;
  malloc_threads: number;
  v8_pages: number;
  other_anon: number;
} {
  const out = { malloc_main: 0, malloc_threads: 0, v8_pages: 0, other_anon: 0 };
  let kind: keyof typeof out | null = null;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (m) {
      const start = parseInt(m[1]!, 16);
      const size = parseInt(m[2]!, 16) - start;
      const name = m[3]!.trim();
      kind =
        name === '[heap]'
          ? 'malloc_main'
          : name !== ''
            ? null
            : start % 2 ** 26 === 0
              ? 'malloc_threads'
              : size === 2 ** 18 && start % 2 ** 18 === 0
                ? 'v8_pages'
                : 'other_anon';
    } else if (kind && line.startsWith('Rss:')) out[kind] += Number(line.split(/\s+/)[1]) / 1024;
  }
  return out;
}

interface ProbeLine {
  memory?: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
  spaces?: Record<string, number>;
  snapshot?: string;
}

/** The probe's last memory line (it writes one every 5 s). */
function lastProbe(file: string): ProbeLine | null {
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').trim().split('\n').reverse();
  for (const l of lines) {
    const o = JSON.parse(l) as ProbeLine;
    if (o.memory) return o;
  }
  return null;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Slopes (MB/min) of one figure after the warm-up, over the second half and over the last quarter. */
function trend(samples: Sample[], minutes: number, warmupMin: number, y: (s: Sample) => number | null) {
  const fit = (fromMin: number) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const s of samples) {
      const v = y(s);
      if (s.at_s >= fromMin * 60 && v !== null) {
        xs.push(s.at_s / 60);
        ys.push(v);
      }
    }
    return xs.length < 3 ? null : round(slope(xs, ys), 3);
  };
  return { after_warmup: fit(warmupMin), second_half: fit(minutes / 2), last_quarter: fit((minutes * 3) / 4) };
}

/** `--minutes N` on the command line (also through `npm run bench -- soak --minutes N`). */
function minutesFromArgv(): number | undefined {
  const i = process.argv.indexOf('--minutes');
  const n = i > 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Every value of a repeatable option (`--env A=1 --env B=2`). */
function argValues(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    if (a === name && process.argv[i + 1] !== undefined) out.push(process.argv[i + 1]!);
  });
  return out;
}

export async function run(
  o: {
    minutes?: number;
    sampleEverySec?: number;
    /** Minutes ignored by the "after warm-up" slopes. */
    warmupMinutes?: number;
    env?: Record<string, string>;
    snapshotsAtMin?: number[];
    outDir?: string;
  } = {},
): Promise<object> {
  const minutes = o.minutes ?? minutesFromArgv() ?? 30;
  const every = (o.sampleEverySec ?? 30) * 1000;
  const warmupMin = o.warmupMinutes ?? Math.min(5, minutes / 4);
  const env =
    o.env ??
    Object.fromEntries(argValues('--env').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const snapshotsAt = (
    o.snapshotsAtMin ??
    argValues('--snapshots')
      .flatMap((v) => v.split(','))
      .map(Number)
  ).sort((a, b) => a - b);
  const outDir = o.outDir ?? argValues('--out')[0];
  const cu = await startClickUpSandbox({ rateLimitPerMinute: null });
  const tg = await startTradingGridSandbox({});
  const dir = mkdtempSync(join(tmpdir(), 'gb-soak-'));
  const { config, secrets } = configForSandboxes(
    { clickup: { url: cu.url, token: cu.token, teamId: cu.teamId, lists: cu.lists }, tradinggrid: tg },
    {
      storeUrl: `sqlite:${join(dir, 'soak.db')}`,
      clickupUnmetered: true,
      extra: { retention: { cron: '* * * * *' }, sla_sweep_cron: '* * * * *', log_level: 'warn' },
    },
  );
  const probeFile = join(outDir ? resolve(outDir) : dir, 'probe.jsonl');
  if (outDir) mkdirSync(outDir, { recursive: true });
  rmSync(probeFile, { force: true });
  const probe = new URL('./soakProbe.mjs', import.meta.url).href;
  const proc = await startBridgeProcess(dir, config, secrets, 'soak', {
    ...env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${probe}`.trim(),
    GRIDBRIDGE_SOAK_PROBE: probeFile,
  });
  tg.setWebhookUrl(`${proc.url}/webhooks/tradinggrid`);
  const pid = proc.child.pid!;
  const samples: Sample[] = [];
  const caseIds: string[] = [];
  const errors: string[] = [];
  const started = Date.now();
  const end = started + minutes * 60_000;
  const taskOf = new Map<string, string>();
  const linkedTasks = () => {
    for (const t of cu.tasks()) {
      const f = ((t as { custom_fields?: Array<{ name: string; value?: unknown }> }).custom_fields ?? []).find(
        (x) => x.name === 'TG case id',
      );
      if (f && typeof f.value === 'string') taskOf.set(f.value, String(t.id));
    }
    return taskOf;
  };
  // A scrape every sample, as a monitoring system would (its text is not needed: the probe has the figures).
  const scrape = async () => {
    try {
      await (await fetch(`${proc.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    } catch {
      /* counted by nothing: the soak's figures come from /proc and the probe */
    }
  };
  const mb = (bytes: number | undefined) => (bytes === undefined ? null : round(bytes / 2 ** 20, 1));
  const sample = async () => {
    await scrape();
    const r = rssOf(pid);
    const p = lastProbe(probeFile);
    samples.push({
      at_s: Math.round((Date.now() - started) / 1000),
      rss_mb: round(r.rss, 1),
      rss_anon_mb: round(r.anon, 1),
      rss_file_mb: round(r.file, 1),
      heap_used_mb: mb(p?.memory?.heapUsed),
      heap_total_mb: mb(p?.memory?.heapTotal),
      external_mb: mb(p?.memory?.external),
      array_buffers_mb: mb(p?.memory?.arrayBuffers),
      mappings: Object.fromEntries(Object.entries(rssByMapping(pid)).map(([k, v]) => [k, round(v, 1)])) as ReturnType<
        typeof rssByMapping
      >,
      spaces: p?.spaces
        ? Object.fromEntries(Object.entries(p.spaces).map(([k, v]) => [k.replace(/_space$/, ''), mb(v)!]))
        : null,
      cases: caseIds.length,
      tasks: linkedTasks().size,
      load_1m: round(loadavg()[0]!, 1),
    });
  };
  const cuCall = async (method: string, path: string, body: unknown) => {
    const r = await fetch(`${cu.url}/v2${path}`, {
      method,
      headers: { authorization: cu.token, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await r.body?.cancel();
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status}`);
  };
  const statuses = ['received', 'in review', 'awaiting documents', 'resolved'];
  const safely = (what: string, p: Promise<unknown>) =>
    p.catch((e: Error) => {
      if (errors.length < 50) errors.push(`${what}: ${e.message}`);
    });
  try {
    await sample();
    let nextSample = started + every;
    for (let tick = 0; Date.now() < end; tick++) {
      const t0 = Date.now();
      const c = await tg.raiseCase({
        partnerId: tick % 2 ? 'P-ACME' : 'P-GLOBEX',
        kind: 'dispute',
        title: `soak ${tick}`,
      });
      caseIds.push(c.id);
      // Work on an earlier case that has its task: a status change and a comment in ClickUp, a partner comment.
      const older = caseIds[Math.max(0, caseIds.length - 10)]!;
      const taskId = taskOf.get(older);
      const work: Promise<unknown>[] = [];
      if (taskId) {
        work.push(
          safely('status', cuCall('PUT', `/task/${taskId}`, { status: statuses[tick % statuses.length] })),
          safely('cu comment', cuCall('POST', `/task/${taskId}/comment`, { comment_text: `operator note ${tick}` })),
        );
      }
      work.push(safely('tg comment', tg.addCaseComment(older, { body: `partner note ${tick}` })));
      if (tick % 5 === 0)
        work.push(
          safely(
            'document',
            tg.uploadDocument(older, {
              name: `proof-${tick}.pdf`,
              kind: 'proof_of_delivery',
              contentType: 'application/pdf',
              content: Buffer.from(`%PDF-1.4\n% soak ${tick}\n${'x'.repeat(2000)}\n%%EOF\n`),
            }),
          ),
        );
      await Promise.all(work);
      if (snapshotsAt.length > 0 && Date.now() >= started + snapshotsAt[0]! * 60_000) {
        snapshotsAt.shift();
        proc.child.kill('SIGUSR2');
      }
      if (Date.now() >= nextSample) {
        await sample();
        nextSample += every;
      }
      const wait = 1000 - (Date.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await sample();
  } finally {
    await proc.stop().catch(() => undefined);
    tg.setWebhookUrl(undefined);
    await Promise.allSettled([cu.close(), tg.close()]);
    if (outDir) {
      // Snapshots are written next to the probe's file (outDir); the database is kept for a look afterwards.
      for (const f of ['soak.db', 'soak.db-wal'])
        if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(outDir, basename(f)));
    }
    rmSync(dir, { recursive: true, force: true });
  }
  const half = samples.filter((s) => s.at_s >= (minutes * 60) / 2);
  const perMin = slope(
    half.map((s) => s.at_s / 60),
    half.map((s) => s.rss_mb),
  );
  const medianRss = [...half.map((s) => s.rss_mb)].sort((a, b) => a - b)[Math.floor(half.length / 2)] ?? 0;
  const fittedGrowth = (perMin * ((half.at(-1)?.at_s ?? 0) - (half[0]?.at_s ?? 0))) / 60;
  const slopes = (y: (s: Sample) => number | null) => trend(samples, minutes, warmupMin, y);
  const rssTrend = slopes((s) => s.rss_mb);
  const result = {
    minutes,
    env,
    cases: caseIds.length,
    tasks: taskOf.size,
    rss_slope_mb_per_min_second_half: round(perMin, 3),
    rss_fitted_growth_mb_second_half: round(fittedGrowth, 1),
    rss_median_mb_second_half: medianRss,
    flat: fittedGrowth < Math.max(0.05 * medianRss, 10),
    // A rise that stops: the last quarter's RSS slope at most half the second half's, or under 0.2 MB/min.
    levels_off: rssTrend.last_quarter !== null && rssTrend.last_quarter <= Math.max(0.5 * perMin, 0.2),
    // MB/min: after the warm-up, over the second half, over the last quarter (a rise that levels off has a
    // last-quarter slope near 0).
    slopes_mb_per_min: {
      warmup_minutes: warmupMin,
      rss: rssTrend,
      rss_anon: slopes((s) => s.rss_anon_mb),
      rss_file: slopes((s) => s.rss_file_mb),
      heap_used: slopes((s) => s.heap_used_mb),
      heap_total: slopes((s) => s.heap_total_mb),
      external: slopes((s) => s.external_mb),
      array_buffers: slopes((s) => s.array_buffers_mb),
      malloc_main: slopes((s) => s.mappings.malloc_main),
      malloc_threads: slopes((s) => s.mappings.malloc_threads),
      v8_pages: slopes((s) => s.mappings.v8_pages),
      // RSS less what V8 and the external allocations account for: native memory (SQLite, malloc, threads).
      rss_outside_heap_and_external: slopes((s) =>
        s.heap_total_mb === null || s.external_mb === null ? null : s.rss_anon_mb - s.heap_total_mb - s.external_mb,
      ),
    },
    load_1m: { min: Math.min(...samples.map((s) => s.load_1m)), max: Math.max(...samples.map((s) => s.load_1m)) },
    samples,
    errors,
  };
  if (outDir) writeFileSync(join(outDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
