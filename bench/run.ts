// `npm run bench` runs every benchmark and writes bench/results/latest.json; `npm run bench -- NAME` runs one.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const BENCHES: Record<string, () => Promise<{ run: (opts?: any) => Promise<object> }>> = {
  flow1: () => import('./flow1.ts'),
  scale: () => import('./scale.ts'),
  sync: () => import('./sync.ts'),
  'clickup-limiter': () => import('./clickup-limiter.ts'),
  edi: () => import('./edi.ts'),
  metrics: () => import('./metrics.ts'),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES);
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
    results[name] = await mod.run();
  } catch (e) {
    results[name] = { error: (e as Error).stack ?? String(e) };
  }
  process.stdout.write(`${JSON.stringify({ [name]: results[name] }, null, 2)}\n`);
}
const doc = { at: new Date().toISOString(), node: process.version, cpus: cpus().length, memory_gb: Math.round(totalmem() / 2 ** 30), results };
if (wanted.length === 0) {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/latest.json', import.meta.url), `${JSON.stringify(doc, null, 2)}\n`);
}
process.exit(0);
