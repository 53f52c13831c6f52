// The import rules of docs/CONVENTIONS.md as one pure function, so a table test can show each rule fails.
import { resolveSpecifier } from './sourceTree.ts';

/**
 * Packages a pure decision (src/core, a flow's decisions) may use besides zod: pure computation with no I/O.
 * Adding one here is a design decision; say why beside it.
 */
export const PURE_PACKAGES: Readonly<Record<string, string>> = {
  zod: 'schemas of the values decisions take and return',
  '@date-fns/tz': 'time-zone offsets for the business calendar (pure arithmetic)',
  'date-holidays': 'public holiday tables for the business calendar (data, no I/O)',
  'node:crypto': 'createHash for bounded keys (deterministic, no I/O)',
  'node:async_hooks': 'AsyncLocalStorage carrying the running job signal (core/jobSignal.ts)',
};
/** Test-only packages a decision's own table test may import. */
const TEST_PACKAGES = new Set(['vitest', 'fast-check']);

const isTest = (file: string): boolean => /\.test\.[mc]?[jt]s$/.test(file);
const under = (path: string, folder: string): boolean => path === folder || path.startsWith(`${folder}/`);

/**
 * A pure decision file: anything in src/core, and in src/flows a file in a `decisions/` folder or named
 * `decide*.ts` (wherever the flow folders end up: `src/flows/05-escalation/decisions/x.ts`,
 * `src/flows/shared/decideComment.ts`).
 */
export function isDecisionFile(file: string): boolean {
  if (under(file, 'src/core')) return true;
  if (!under(file, 'src/flows')) return false;
  return /\/decisions\//.test(file) || /\/decide[A-Z0-9_][^/]*$/.test(file);
}

/**
 * A job catalogue file: the payload schemas of a flow's or a channel's job kinds (`src/flows/04-onboarding/jobs.ts`,
 * `src/channels/partner-email/jobs.ts`, `src/flows/shared/taskGroupJobs.ts`). src/flows/catalogue.ts spreads them, and
 * the engine, the store's callers and every queue site import it: a schema file reaching further would pull the
 * flows' handlers into all of them.
 */
export function isJobsFile(file: string): boolean {
  if (!under(file, 'src/flows') && !under(file, 'src/channels')) return false;
  return /\/(jobs|[a-z][A-Za-z0-9]*Jobs)\.ts$/.test(file);
}

/**
 * src/flows/catalogue.ts: it spreads the jobs files and names the one job type (`Job`); it imports nothing else, so
 * a pure decision may name its types.
 */
export const CATALOGUE = 'src/flows/catalogue.ts';

/** The layers src/connectors and src/store must not reach: they are called by these, never call them. */
const ABOVE_CONNECTORS_AND_STORE = ['src/flows', 'src/sync', 'src/server', 'src/channels'];

/**
 * The rule `file` breaks by importing `specifier`, in words; null when the import is allowed. `typeOnly`: the import
 * is erased at run time (`import type`).
 */
export function importViolation(file: string, specifier: string, typeOnly = false): string | null {
  const { ours, target } = resolveSpecifier(file, specifier);
  if (under(file, 'src/core') && ours && !under(target, 'src/core')) {
    return `src/core imports only src/core, not ${target}`;
  }
  if (isDecisionFile(file)) {
    // Another pure decision (a sibling in the flow's decisions/, or the decision a table test checks) keeps it pure.
    // The jobs a decision returns are typed by the catalogue: it names them with `import type`, so nothing of the
    // catalogue (the schemas of every flow) runs in it.
    const catalogueTypes = target === CATALOGUE || isJobsFile(target);
    if (ours && catalogueTypes && !typeOnly)
      return `a pure decision names the job catalogue's types with \`import type\` only, not a value import of ${target}`;
    if (ours && !under(target, 'src/core') && !isDecisionFile(target) && !catalogueTypes)
      return `a pure decision imports only src/core and zod, not ${target}`;
    if (!ours && !(target in PURE_PACKAGES) && !(isTest(file) && TEST_PACKAGES.has(target))) {
      return `a pure decision imports only src/core and zod, not the package ${target}`;
    }
  }
  if (file === CATALOGUE) {
    if (ours && !isJobsFile(target) && !under(target, 'src/core'))
      return `the job catalogue imports only the jobs files, src/core and zod, not ${target}`;
    if (!ours && target !== 'zod')
      return `the job catalogue imports only the jobs files, src/core and zod, not the package ${target}`;
  }
  if (isJobsFile(file)) {
    if (ours && !under(target, 'src/core')) return `a jobs file imports only zod and src/core, not ${target}`;
    if (!ours && target !== 'zod') return `a jobs file imports only zod and src/core, not the package ${target}`;
  }
  // A connector's or the store's own test may start the server around it; the rule is about what runs.
  if ((under(file, 'src/connectors') || under(file, 'src/store')) && ours && !isTest(file)) {
    const above = ABOVE_CONNECTORS_AND_STORE.find((layer) => under(target, layer));
    if (above) return `${file.split('/').slice(0, 2).join('/')} must not import ${above} (${target})`;
  }
  return null;
}
