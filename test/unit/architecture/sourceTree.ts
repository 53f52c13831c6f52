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
  return importsOf(text).map((i) => i.specifier);
}

/**
 * Each import of a file with whether it is type-only: `import type …` and `export type … from` are erased (with
 * verbatimModuleSyntax, `import { type A } from` is not: it stays as a side-effect import), and so is a type's
 * `import('…')`; everything else (imports, re-exports, `import()`, `require()`) runs.
 */
export function importsOf(text: string): Array<{ specifier: string; typeOnly: boolean }> {
  const source = ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, true);
  const found: Array<{ specifier: string; typeOnly: boolean }> = [];
  const add = (node: ts.Node | undefined, typeOnly: boolean): void => {
    if (node && ts.isStringLiteralLike(node)) found.push({ specifier: node.text, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference))
      add(node.moduleReference.expression, node.isTypeOnly);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
    else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    )
      add(node.arguments[0], false);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** A relative specifier as a repo-relative path (`src/core/case.ts`); a package stays as it is named. */
export function resolveSpecifier(fromFile: string, specifier: string): { ours: boolean; target: string } {
  if (specifier.startsWith('./') || specifier.startsWith('../')) {
    return { ours: true, target: posix.normalize(posix.join(posix.dirname(fromFile), specifier)) };
  }
  return { ours: false, target: specifier };
}
