// soak: the bridge in its own process (`gridbridge start`, SQLite file, retention on) under a steady mixed
// load for `--minutes N` (default 30): every second a new Trading Grid case, a status change and a comment
// on a ClickUp task, a partner comment, and every fifth second a partner document; the SLA sweep and the
// prune job run every minute. RSS (from /proc) and the V8 heap (from /metrics) are sampled every 30 s.
// Prints JSON: the samples, the slope of RSS over the second half (least squares) and whether it is flat
// (the second half's fitted growth under 5% of its median RSS, or under 10 MB).
// `npm run bench -- soak [--minutes N]` (not part of a plain `npm run bench`: it takes half an hour).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { startBridgeProcess } from '../test/helpers/bridgeProcess.ts';
import { startClickUpSandbox } from '../src/sandbox/clickup/server.ts';
import { startTradingGridSandbox } from '../src/sandbox/tradinggrid/index.ts';
import { configForSandboxes } from '../src/cli/sandboxSetup.ts';
import { round } from './stats.ts';

interface Sample {
  at_s: number;
  rss_mb: number;
  heap_used_mb: number | null;
  cases: number;
  tasks: number;
  load_1m: number;
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

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

/** `--minutes N` on the command line (also through `npm run bench -- soak --minutes N`). */
function minutesFromArgv(): number | undefined {
  const i = process.argv.indexOf('--minutes');
  const n = i > 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

export async function run(o: { minutes?: number; sampleEverySec?: number } = {}): Promise<object> {
  const minutes = o.minutes ?? minutesFromArgv() ?? 30;
  const every = (o.sampleEverySec ?? 30) * 1000;
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
  const proc = await startBridgeProcess(dir, config, secrets, 'soak');
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
  const heapMb = async (): Promise<number | null> => {
    try {
      const text = await (await fetch(`${proc.url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
      const m = /^gridbridge_nodejs_heap_size_used_bytes\s+(\d+(?:\.\d+)?)/m.exec(text);
      return m ? Number(m[1]) / 2 ** 20 : null;
    } catch {
      return null;
    }
  };
  const sample = async () => {
    samples.push({
      at_s: Math.round((Date.now() - started) / 1000),
      rss_mb: round(rssMb(pid), 1),
      heap_used_mb: await heapMb().then((h) => (h === null ? null : round(h, 1))),
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
    rmSync(dir, { recursive: true, force: true });
  }
  const half = samples.filter((s) => s.at_s >= (minutes * 60) / 2);
  const perMin = slope(
    half.map((s) => s.at_s / 60),
    half.map((s) => s.rss_mb),
  );
  const medianRss = [...half.map((s) => s.rss_mb)].sort((a, b) => a - b)[Math.floor(half.length / 2)] ?? 0;
  const fittedGrowth = (perMin * ((half.at(-1)?.at_s ?? 0) - (half[0]?.at_s ?? 0))) / 60;
  return {
    minutes,
    cases: caseIds.length,
    tasks: taskOf.size,
    samples,
    rss_slope_mb_per_min_second_half: round(perMin, 3),
    rss_fitted_growth_mb_second_half: round(fittedGrowth, 1),
    rss_median_mb_second_half: medianRss,
    flat: fittedGrowth < Math.max(0.05 * medianRss, 10),
    errors,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
