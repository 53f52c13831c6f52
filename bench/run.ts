// `npm run bench` runs every benchmark and writes bench/results/latest.json; `npm run bench -- NAME` runs one.
// `npm run bench -- NAME --merge` runs one and replaces only its entry in latest.json (the others keep
// their figures and their date; the merged entry says when it was measured).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

// Each bench's `run` takes its own options, all optional; this runner passes none.
const BENCHES: Record<string, () => Promise<{ run: () => Promise<object> }>> = {
  flow1: () => import('./flow1.ts'),
  scale: () => import('./scale.ts'),
  sync: () => import('./sync.ts'),
  'clickup-limiter': () => import('./clickup-limiter.ts'),
  backlog: () => import('./backlog.ts'),
  intake: () => import('./intake.ts'),
  'shared-budget': () => import('./shared-budget.ts'),
  edi: () => import('./edi.ts'),
  metrics: () => import('./metrics.ts'),
  'lease-check': () => import('./leaseCheck.ts'),
  soak: () => import('./soak.ts'),
};

// `--minutes N`, `--env K=V`, `--snapshots M,M`, `--out DIR` belong to soak (read from argv there): their
// values are not bench names.
const args = process.argv.slice(2);
const VALUED = new Set(['--minutes', '--env', '--snapshots', '--out']);
const wanted = args.filter((a, i) => !a.startsWith('-') && !VALUED.has(args[i - 1] ?? ''));
// The soak runs for half an hour: only when named.
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES).filter((n) => n !== 'soak');
const unknown = names.filter((n) => !BENCHES[n]);
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}\n`);
  process.exit(2);
}
const results: Record<string, unknown> = {};
for (const name of names) {
  process.stderr.write(`running ${name}…\n`);
  try {
    const mod = await BENCHES[name]!();
    // Shared 2-core machines: a time measured while others run is not the bridge's own; the load says so.
    const loadBefore = loadavg()[0]!;
    const r = await mod.run();
    results[name] = {
      ...r,
      load_average_1m: {
        before: Math.round(loadBefore * 100) / 100,
        after: Math.round(loadavg()[0]! * 100) / 100,
        cpus: cpus().length,
      },
    };
  } catch (e) {
    results[name] = { error: (e as Error).stack ?? String(e) };
  }
  process.stdout.write(`${JSON.stringify({ [name]: results[name] }, null, 2)}\n`);
}
const at = new Date().toISOString();
const doc = { at, node: process.version, cpus: cpus().length, memory_gb: Math.round(totalmem() / 2 ** 30), results };
const latest = new URL('./results/latest.json', import.meta.url);
if (wanted.length === 0) {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(latest, `${JSON.stringify(doc, null, 2)}\n`);
} else if (process.argv.includes('--merge')) {
  if (!existsSync(latest)) {
    process.stderr.write('--merge needs an existing bench/results/latest.json (run `npm run bench` once)\n');
    process.exit(2);
  }
  const old = JSON.parse(readFileSync(latest, 'utf8')) as typeof doc & { merged?: Record<string, string> };
  const merged = {
    ...old,
    results: { ...old.results, ...results },
    merged: { ...old.merged, ...Object.fromEntries(names.map((n) => [n, at])) },
  };
  writeFileSync(latest, `${JSON.stringify(merged, null, 2)}\n`);
}
process.exit(0);
