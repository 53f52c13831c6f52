// Reads our source files and the module specifiers they import, for the architecture tests.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

export const repoRoot = new URL('../../../', import.meta.url).pathname;

/** Repo-relative posix paths of every .ts/.mts/.js/.mjs file under `dir` (node_modules and dot-folders skipped). */
export function sourceFiles(dir = 'src'): string[] {
  const out: string[] = [];
  const walk = (abs: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const p = join(abs, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(m?ts|m?js)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
        out.push(relative(repoRoot, p).split(sep).join('/'));
    }
  };
  walk(join(repoRoot, dir));
  return out.sort();
}

export function readSource(file: string): string {
  return readFileSync(join(repoRoot, file), 'utf8');
}

/** Every module specifier a file names: static imports (type-only too), re-exports, `import()` and `require()`. */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** A relative specifier as a repo-relative path (`src/core/case.ts`); a package stays as it is named. */
export function resolveSpecifier(fromFile: string, specifier: string): { ours: boolean; target: string } {
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    return { ours: true, target: posix.normalize(posix.join(posix.dirname(fromFile), specifier)) };
  }
  return { ours: false, target: specifier };
}
