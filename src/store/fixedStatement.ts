import { createQueryId, type CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';
import { dialectOf } from './dbClock.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * A statement whose shape never changes, built with Kysely once per dialect and then run with new values:
 * building and compiling a query (immutable nodes, frozen, then visited) cost more CPU than SQLite's run of
 * it for the small writes every job makes (the flow-1 profile: a fifth of the bridge's time had Kysely on
 * the stack). `build` must use each of its params only as a bound value, never to decide the shape; a
 * call with an `undefined` param (a column Kysely would leave out) takes the ordinary path.
 *
 * How: the first build per dialect gets a unique marker string per param; the compiled parameters that
 * are markers say where each value goes (a value may be used twice: an upsert's insert and update).
 */
export function fixedStatement<P extends unknown[]>(
  build: (db: Db, ...params: P) => { compile(): CompiledQuery },
): (db: Db, ...params: P) => CompiledQuery {
  const templates = new Map<string, { compiled: CompiledQuery; slots: Array<number | null> }>();
  return (db, ...params) => {
    if (params.includes(undefined)) return build(db, ...params).compile();
    const dialect = dialectOf(db);
    let t = templates.get(dialect);
    if (!t) {
      const markers = params.map((_, i) => `\u0000gridbridge-fixed-statement-param-${i}\u0000`);
      const compiled = build(db, ...(markers as P)).compile();
      const slots = compiled.parameters.map((p) => {
        const i = markers.indexOf(p as string);
        if (i < 0 && typeof p === 'string' && p.includes('\u0000gridbridge-fixed-statement-param-'))
          throw new Error('fixedStatement: a param was transformed, not bound as it is');
        return i < 0 ? null : i;
      });
      const used = new Set(slots);
      if (markers.some((_, i) => !used.has(i))) throw new Error('fixedStatement: a param is not bound');
      t = { compiled, slots };
      templates.set(dialect, t);
    }
    const { compiled, slots } = t;
    return {
      query: compiled.query,
      queryId: createQueryId(),
      sql: compiled.sql,
      parameters: slots.map((s, k) => (s === null ? compiled.parameters[k] : params[s])),
    };
  };
}
