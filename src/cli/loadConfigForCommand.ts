import { loadConfigFile, resolveSecrets, type ResolvedSecrets } from '../config/load.ts';
import type { GridbridgeConfig } from '../config/schema.ts';

/**
 * Load a command's config file and its secrets; every problem is printed with its path and the exit
 * code set, so a command can simply return on null.
 */
export function loadConfigForCommand(file: string): { config: GridbridgeConfig; secrets: ResolvedSecrets } | null {
  const r = loadConfigFile(file);
  if (!r.ok) {
    for (const p of r.problems) process.stderr.write(`${file}: ${p.path || '(file)'}: ${p.message}\n`);
    process.exitCode = 1;
    return null;
  }
  const s = resolveSecrets(r.config);
  if (!s.ok) {
    for (const p of s.problems) process.stderr.write(`${file}: ${p.path}: ${p.message}\n`);
    process.exitCode = 1;
    return null;
  }
  return { config: r.config, secrets: s.secrets };
}

/** The store URL from --store, else from the config file (throws with every config problem). */
export function storeUrlFrom(opts: { config: string; store?: string }): string {
  if (opts.store) return opts.store;
  const r = loadConfigFile(opts.config);
  if (!r.ok) throw new Error(`${opts.config}: ${r.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return r.config.store.url;
}
