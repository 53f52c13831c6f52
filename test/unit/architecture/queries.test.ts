// All SQL lives in src/store: a file elsewhere that builds a query fails here, naming the file and the line.
import { describe, expect, it } from 'vitest';
import { queryBuilders } from './queryRules.ts';
import { readSource, sourceFiles } from './sourceTree.ts';

/** Test files read and seed tables directly; the rule is about the code that runs. */
const isTest = (file: string): boolean => /\.test\.[mc]?[jt]s$/.test(file);

describe('query rule: the detector', () => {
  it.each([
    ["await db.selectFrom('cursors').select('value').execute();", ['1: .selectFrom(']],
    ["await trx\n  .insertInto('links')\n  .values(v).execute();", ['2: .insertInto(']],
    ["await ctx.store.db.updateTable('jobs').set({ a: 1 }).execute();", ['1: .updateTable(']],
    ["await trx.deleteFrom('links').where('id', '=', 1).execute();", ['1: .deleteFrom(']],
    ['await sql`select 1`.execute(db);', ['1: sql`…`']],
    ['await sql<{ n: number }>`select count(*) as n from jobs`.execute(db);', ['1: sql`…`']],
    ['await sql.raw(`${cmd} job_completion`).execute(trx);', ['1: sql.raw']],
    ["sqlite.prepare('SAVEPOINT x').run();", ['1: .prepare(']],
    ['await db.transaction().execute(async (trx) => saveThing(trx, x));', []],
    ["await saveThing(ctx.store.db, { id: 'selectFrom' });", []],
    ['// db.selectFrom(...) in a comment', []],
  ] as const)('%s', (text, expected) => {
    expect(queryBuilders(text)).toEqual(expected);
  });
});

describe('query rule: the source tree', () => {
  const hits = new Map<string, string[]>();
  for (const file of sourceFiles('src')) {
    if (file.startsWith('src/store/') || isTest(file) || !/\.m?ts$/.test(file)) continue;
    const found = queryBuilders(readSource(file), file);
    if (found.length > 0) hits.set(file, found);
  }

  it('no file outside src/store builds a query (each finding names the file and line)', () => {
    const findings = [...hits].flatMap(([file, found]) => found.map((hit) => `${file}:${hit}`));
    expect(findings).toEqual([]);
  });
});
