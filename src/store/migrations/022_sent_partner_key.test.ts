import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '../db.ts';
import { recordSentTransactions } from '../ops/mailboxSent.ts';

let store: Store | null = null;
let dir: string | null = null;
afterEach(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  store = dir = null;
});

const row = (partner: string, fa: string) => ({
  mailbox: 'm',
  us_key: 'ZZ:GRIDBRIDGE',
  interchange: '000001001',
  group_control: '1001',
  transaction_control: '0001',
  partner_key: partner,
  business_value: 'PO-4711',
  fa,
  fa_due_at: 2,
  sent_at: 1,
  data: `{"partner":"${partner}"}`,
});

// SQLite rebuilds the table (PostgreSQL swaps the constraint; every PostgreSQL suite migrates through it).
it('022 on SQLite keeps the sent transactions and their indexes, and lets two partners share control numbers', async () => {
  dir = mkdtempSync(join(tmpdir(), 'gb-m022-'));
  store = await openStore(`sqlite:${join(dir, 'b.db')}`);
  await migrate(store, '021_job_failing_since');
  await store.db.insertInto('mailbox_sent_transactions').values(row('ZZ:ACMESUPPLY', 'awaiting')).execute();
  expect(await migrate(store)).toContain('022_sent_partner_key');

  await recordSentTransactions(store.db, [row('ZZ:OTHERCO', 'accepted'), row('ZZ:ACMESUPPLY', 'again')]);
  const rows = await store.db.selectFrom('mailbox_sent_transactions').selectAll().orderBy('partner_key').execute();
  expect(rows.map((r) => [r.partner_key, r.fa, r.data, Number(r.sent_at)])).toEqual([
    ['ZZ:ACMESUPPLY', 'awaiting', '{"partner":"ZZ:ACMESUPPLY"}', 1],
    ['ZZ:OTHERCO', 'accepted', '{"partner":"ZZ:OTHERCO"}', 1],
  ]);
  const indexes = await store.db
    .selectFrom('sqlite_master' as never)
    .select('name' as never)
    .where('tbl_name' as never, '=', 'mailbox_sent_transactions' as never)
    .where('type' as never, '=', 'index' as never)
    .execute();
  expect((indexes as Array<{ name: string }>).map((i) => i.name).sort()).toEqual([
    'mailbox_sent_fa_due',
    'mailbox_sent_group',
    'sqlite_autoindex_mailbox_sent_transactions_1',
  ]);
});
