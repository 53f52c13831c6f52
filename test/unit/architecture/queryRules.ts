// Finds code that builds a SQL query: Kysely's query builders and the `sql` template, or a raw prepared statement.
import ts from 'typescript';

/** Kysely methods that start a query (on a Kysely instance or a transaction). */
const QUERY_STARTERS = new Set([
  'selectFrom',
  'insertInto',
  'updateTable',
  'deleteFrom',
  'replaceInto',
  'mergeInto',
  'selectNoFrom',
]);
/** Kysely's `sql` helpers that put text or identifiers into a query. */
const SQL_HELPERS = new Set(['raw', 'ref', 'table', 'id', 'lit', 'join', 'val', 'value']);

/**
 * Each place in `text` that builds a query, as `line: what`. Opening a transaction is not one (the engine
 * composes store operations inside one); the statements run in it are.
 */
export function queryBuilders(text: string, fileName = 'file.ts'): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (node: ts.Node, what: string): void => {
    found.push(`${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}: ${what}`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const name = node.expression.name.text;
      if (QUERY_STARTERS.has(name)) at(node.expression.name, `.${name}(`);
      // A raw statement on the SQLite connection (better-sqlite3 `prepare`, also `access.prepare`).
      if (name === 'prepare' && node.arguments.length > 0) at(node.expression.name, '.prepare(');
    }
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === 'sql') at(node, 'sql`…`');
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'sql' &&
      SQL_HELPERS.has(node.name.text)
    ) {
      at(node, `sql.${node.name.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
