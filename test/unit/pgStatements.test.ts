import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { storesUnderTest } from '../helpers/pgStore.ts';
import { pgStatementsOf } from '../helpers/pgStatements.ts';

// The statement recorder the round-trip tests count with (test/helpers/pgStatements.ts). A CI run once failed
// foldedCommit.test.ts counting two transactions besides the lease reclaim where there is one: its counter
// kept one list for every connection of the process, and told the reclaim's transaction by the statement
// after a BEGIN. The completion's announcement (SELECT pg_notify, sent off the caller's path on another pool
// connection, up to 20 ms late when coalesced) landed between the next round's reclaim BEGIN and its UPDATE.

const { pgUp, make } = await storesUnderTest('test/unit/pgStatements.test.ts');

describe.skipIf(!pgUp)('recording the statements a call sends (PostgreSQL)', () => {
  it("reads each transaction on its own connection: another connection's statement sent while it waits on its BEGIN is not its first", async () => {
    const { store } = await make('postgres');
    const { statements } = await pgStatementsOf(() =>
      store.db.transaction().execute(async (trx) => {
        // The BEGIN has been answered; another pool connection speaks before this one's next statement.
        await sql`SELECT pg_notify('gb_test_channel', '')`.execute(store.db);
        await sql`UPDATE jobs SET crashes = crashes + 1 WHERE false`.execute(trx);
      }),
    );
    // In one list, what follows the BEGIN is the other connection's statement (what the old counter read).
    const texts = statements.inOrder.map((s) => s.text);
    expect(texts[texts.indexOf('begin') + 1]).toBe(`SELECT pg_notify('gb_test_channel', '')`);
    expect(statements.inOrder[0]!.client).not.toBe(statements.inOrder[1]!.client);
    // On its connection, the transaction is whole.
    expect(statements.transactions()).toEqual([
      ['begin', 'UPDATE jobs SET crashes = crashes + 1 WHERE false', 'commit'],
    ]);
    expect(statements.byClient.size).toBe(2);
  });

  it('records only what the measured call sends: a transaction of another store running meanwhile is left out', async () => {
    const { store } = await make('postgres');
    const { store: other } = await make('postgres');
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    // Started before the measured call, and it writes while the call runs (a dispatcher's reclaim elsewhere).
    const foreign = other.db.transaction().execute(async (trx) => {
      inside();
      await gate;
      await sql`SELECT 'foreign'`.execute(trx);
    });
    await entered;
    const { statements } = await pgStatementsOf(async () => {
      await store.db.transaction().execute(async (trx) => {
        open();
        await foreign;
        await sql`SELECT 'measured'`.execute(trx);
      });
      await sql`SELECT 'after'`.execute(store.db);
    });
    expect(statements.transactions()).toEqual([['begin', `SELECT 'measured'`, 'commit']]);
    expect(statements.all).toEqual(['begin', `SELECT 'measured'`, 'commit', `SELECT 'after'`]);
  });

  it('a rolled-back transaction and a savepoint rolled back inside one read as one transaction each', async () => {
    const { store } = await make('postgres');
    const { statements } = await pgStatementsOf(async () => {
      await store.db
        .transaction()
        .execute(async (trx) => {
          await sql`SAVEPOINT s`.execute(trx);
          await sql`ROLLBACK TO SAVEPOINT s`.execute(trx);
          await sql`SELECT 1`.execute(trx);
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await store.db.transaction().execute(async (trx) => void (await sql`SELECT 2`.execute(trx)));
    });
    expect(statements.transactions()).toEqual([
      ['begin', 'SAVEPOINT s', 'ROLLBACK TO SAVEPOINT s', 'SELECT 1', 'rollback'],
      ['begin', 'SELECT 2', 'commit'],
    ]);
  });
});
