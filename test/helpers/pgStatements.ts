import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';

/**
 * Counting the statements a piece of code sends to PostgreSQL, for tests of round trips and transactions.
 *
 * Only what the measured call sends is recorded: statements issued in its asynchronous context (its own awaits,
 * the timers and immediates it starts: a dispatcher's group commit, say). Another store's connections, a
 * dispatcher started earlier, a listener, an idle worker elsewhere in the test, do not count, even while
 * the call runs.
 *
 * Statements are kept per connection, so a transaction is read on its own connection from BEGIN to COMMIT or
 * ROLLBACK. In one list across connections, a statement another connection sends while a transaction waits
 * on its BEGIN lands between the two: a test reading "BEGIN, then the statement after it" (the lease reclaim's
 * transaction is known by its first statement) then misreads that transaction (see foldedCommit.test.ts).
 */
export class PgStatements {
  /** Each connection's statements (trimmed), in the order it sent them. */
  readonly byClient = new Map<pg.Client, string[]>();
  /** Every statement, in the order they were sent, with its connection. */
  readonly inOrder: Array<{ client: pg.Client; text: string }> = [];

  /** @internal */
  add(client: pg.Client, text: string): void {
    const texts = this.byClient.get(client) ?? [];
    this.byClient.set(client, texts);
    texts.push(text);
    this.inOrder.push({ client, text });
  }

  /** Every statement, connection after connection. */
  get all(): string[] {
    return [...this.byClient.values()].flat();
  }

  /** The statements matching `re`. */
  matching(re: RegExp): string[] {
    return this.all.filter((t) => re.test(t));
  }

  /**
   * Each transaction, with its statements from BEGIN to COMMIT or ROLLBACK (both included), read on its own
   * connection; one still open at the end ends with its last statement.
   */
  transactions(): string[][] {
    const out: string[][] = [];
    for (const texts of this.byClient.values()) {
      let open: string[] | null = null;
      for (const t of texts) {
        if (/^begin\b/i.test(t)) out.push((open = []));
        open?.push(t);
        if (/^(commit|rollback)\b(?!\s+to\b)/i.test(t)) open = null;
      }
    }
    return out;
  }
}

const measured = new AsyncLocalStorage<PgStatements>();
let installs = 0;
let original: typeof pg.Client.prototype.query | null = null;

function install(): void {
  if (installs++ > 0) return;
  const query = pg.Client.prototype.query;
  original = query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const into = measured.getStore();
    if (into) {
      const q = args[0] as string | { text?: string } | undefined;
      into.add(this, (typeof q === 'string' ? q : (q?.text ?? '?')).trim());
    }
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
}

function uninstall(): void {
  if (--installs > 0) return;
  if (original) pg.Client.prototype.query = original;
  original = null;
}

/**
 * Run `fn` and record the statements it sends (see `PgStatements`); `fn` gets the record as it grows. Statements
 * sent after `fn` settles (a timer it left behind) are not recorded. Nested calls record into the innermost.
 */
export async function pgStatementsOf<T>(
  fn: (statements: PgStatements) => Promise<T>,
): Promise<{ result: T; statements: PgStatements }> {
  const statements = new PgStatements();
  install();
  try {
    const result = await measured.run(statements, () => fn(statements));
    return { result, statements };
  } finally {
    uninstall();
  }
}
