import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { CaseRecord } from '../../core/case.ts';
import { saveCase } from './cases.ts';
import { findProcessedFile, getProcessedFile, markFileProcessed, type ProcessedFileRow } from './mailboxFiles.ts';
import { getMailboxLastInbound, setMailboxLastInbound } from './mailboxLastInbound.ts';
import {
  getOrder,
  listAsnOverdue,
  markAsnMissingReported,
  markAsnSeen,
  recordOrder,
  type OrderRow,
} from './mailboxOrders.ts';
import { findSentTransactions, listFaOverdue, recordSentTransactions, setSentFa } from './mailboxSent.ts';
import type { SentTransactionRow } from './mailboxSent.ts';
import { addShipment, getShipped } from './mailboxShipments.ts';
import { listMailboxCases } from './listMailboxCases.ts';
import { inboundEventPayload } from './inboundEventPayload.ts';
import { summarizeInboundSources } from './inboundSources.ts';
import { getInboundEventPayload } from './mailboxAcknowledgements.ts';
import { listHeldMailboxCases } from './mailboxHeldCases.ts';

// The Trading Grid mailbox's store operations (storeMailbox in scripts/mutate.mjs), each on both stores with
// its rows and answers checked whole: which row a key selects, what a repeat leaves, what a window includes.
const { describeStores, make } = await storesUnderTest('src/store/ops/mailbox.test.ts');

const T = 1_700_000_000_000;

function aCase(id: string, over: Partial<CaseRecord> = {}): CaseRecord {
  return {
    id,
    source: 'mailbox',
    partnerId: 'ZZ:ACME',
    partnerName: 'Acme Retail',
    partnerTier: 'standard',
    kind: 'dispute',
    exception: null,
    title: `Case ${id}`,
    description: '',
    transactionRef: null,
    value: null,
    partnerStatus: 'received',
    state: 'active',
    holdReason: null,
    slaDueAt: null,
    openedAt: T,
    updatedAt: T,
    ...over,
  } as CaseRecord;
}

const file = (over: Partial<ProcessedFileRow>): ProcessedFileRow => ({
  mailbox: 'mb',
  name: 'a.edi',
  sha256: 'h1',
  outcome: 'ok',
  stored_as: null,
  processed_at: T,
  ...over,
});

const order = (over: Partial<OrderRow>): OrderRow => ({
  mailbox: 'mb',
  partner_key: 'ZZ:ACME',
  po_number: 'PO-1',
  asn_seen: 0,
  asn_missing_reported: 0,
  asn_due_at: T,
  received_at: T - 10,
  data: '{"po":"PO-1"}',
  ...over,
});

const sent = (over: Partial<SentTransactionRow>): SentTransactionRow => ({
  mailbox: 'mb',
  us_key: 'ZZ:US',
  interchange: '000000001',
  group_control: '1',
  transaction_control: '0001',
  partner_key: 'ZZ:ACME',
  business_value: null,
  fa: 'awaiting',
  fa_due_at: T,
  sent_at: T - 100,
  data: '{}',
  ...over,
});

describeStores('mailbox store operations on %s', (kind) => {
  it('processed files: recorded once per (mailbox, name, hash); found by key, by hash or name, a stored copy first', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await markFileProcessed(db, file({}))).toBe(true);
    expect(await markFileProcessed(db, file({ outcome: 'again', processed_at: T + 1 }))).toBe(false);
    expect(await markFileProcessed(db, file({ name: 'b.edi', stored_as: 'store/b', processed_at: T + 2 }))).toBe(true);
    expect(await markFileProcessed(db, file({ name: 'c.edi', processed_at: T + 3 }))).toBe(true);
    expect(await markFileProcessed(db, file({ mailbox: 'other', processed_at: T + 4 }))).toBe(true);
    expect(await markFileProcessed(db, file({ sha256: 'h2', processed_at: T + 5 }))).toBe(true);

    expect(await getProcessedFile(db, 'mb', 'a.edi', 'h1')).toEqual(file({}));
    expect(await getProcessedFile(db, 'mb', 'a.edi', 'h2')).toEqual(file({ sha256: 'h2', processed_at: T + 5 }));
    expect(await getProcessedFile(db, 'mb', 'b.edi', 'h2')).toBeNull();
    expect(await getProcessedFile(db, 'nope', 'a.edi', 'h1')).toBeNull();

    // By hash: b.edi has a stored copy and wins over the later c.edi; without copies the latest wins.
    expect(await findProcessedFile(db, 'mb', { sha256: 'h1' })).toEqual(
      file({ name: 'b.edi', stored_as: 'store/b', processed_at: T + 2 }),
    );
    expect(await findProcessedFile(db, 'mb', { name: 'a.edi' })).toEqual(file({ sha256: 'h2', processed_at: T + 5 }));
    expect(await findProcessedFile(db, 'mb', { name: 'a.edi', sha256: 'h1' })).toEqual(file({}));
    expect(await findProcessedFile(db, 'mb', {})).toEqual(
      file({ name: 'b.edi', stored_as: 'store/b', processed_at: T + 2 }),
    );
    expect(await findProcessedFile(db, 'other', {})).toEqual(file({ mailbox: 'other', processed_at: T + 4 }));
    expect(await findProcessedFile(db, 'mb', { sha256: 'h3' })).toBeNull();
    expect(await findProcessedFile(db, 'mb', { name: 'c.edi', sha256: 'h2' })).toBeNull();
  });

  it('processed files: among several stored copies, the latest', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await markFileProcessed(db, file({ name: 'a', stored_as: 's/a', processed_at: T + 1 }));
    await markFileProcessed(db, file({ name: 'b', stored_as: 's/b', processed_at: T + 3 }));
    await markFileProcessed(db, file({ name: 'c', stored_as: null, processed_at: T + 4 }));
    await markFileProcessed(db, file({ name: 'd', stored_as: 's/d', processed_at: T + 2 }));
    expect(await findProcessedFile(db, 'mb', { sha256: 'h1' })).toEqual(
      file({ name: 'b', stored_as: 's/b', processed_at: T + 3 }),
    );
  });

  it('last inbound time: absent, set, replaced, per mailbox', async () => {
    const { store } = await make(kind);
    const db = store.db;
    expect(await getMailboxLastInbound(db, 'mb')).toBeNull();
    await setMailboxLastInbound(db, 'mb', '2026-12-07T10:00:00Z', T);
    await setMailboxLastInbound(db, 'mb2', '2026-12-07T09:00:00Z', T);
    expect(await getMailboxLastInbound(db, 'mb')).toBe('2026-12-07T10:00:00Z');
    await setMailboxLastInbound(db, 'mb', '2026-12-07T11:00:00Z', T + 5);
    expect(await getMailboxLastInbound(db, 'mb')).toBe('2026-12-07T11:00:00Z');
    expect(await getMailboxLastInbound(db, 'mb2')).toBe('2026-12-07T09:00:00Z');
    expect(
      await db.selectFrom('cursors').selectAll().where('name', 'like', 'mailbox:%').orderBy('name').execute(),
    ).toEqual([
      { name: 'mailbox:mb2:last_inbound_at', value: '2026-12-07T09:00:00Z', updated_at: T },
      { name: 'mailbox:mb:last_inbound_at', value: '2026-12-07T11:00:00Z', updated_at: T + 5 },
    ]);
  });

  it('orders: the first record of a PO wins; ASN seen and missing marked per PO; overdue ones in due order', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await recordOrder(db, order({}));
    await recordOrder(db, order({ data: '{"po":"again"}', asn_due_at: T + 99 }));
    await recordOrder(db, order({ po_number: 'PO-2', asn_due_at: T - 5 }));
    await recordOrder(db, order({ po_number: 'PO-0', asn_due_at: T }));
    await recordOrder(db, order({ po_number: 'PO-3', asn_due_at: T + 1 }));
    await recordOrder(db, order({ po_number: 'PO-1', partner_key: 'ZZ:OTHER', asn_due_at: T - 9 }));
    await recordOrder(db, order({ mailbox: 'mb2', asn_due_at: T - 9 }));
    await recordOrder(db, order({ po_number: 'PO-4', asn_due_at: T - 3 }));
    await recordOrder(db, order({ po_number: 'PO-5', asn_due_at: T - 2 }));

    expect(await getOrder(db, 'mb', 'ZZ:ACME', 'PO-1')).toEqual(order({}));
    expect(await getOrder(db, 'mb', 'ZZ:ACME', 'PO-9')).toBeNull();
    expect(await getOrder(db, 'mb', 'ZZ:NONE', 'PO-1')).toBeNull();
    expect(await getOrder(db, 'mb3', 'ZZ:ACME', 'PO-1')).toBeNull();

    await markAsnSeen(db, 'mb', 'ZZ:ACME', 'PO-4');
    await markAsnMissingReported(db, 'mb', 'ZZ:ACME', 'PO-5');
    expect(await getOrder(db, 'mb', 'ZZ:ACME', 'PO-4')).toEqual(
      order({ po_number: 'PO-4', asn_due_at: T - 3, asn_seen: 1 }),
    );
    expect(await getOrder(db, 'mb', 'ZZ:ACME', 'PO-5')).toEqual(
      order({ po_number: 'PO-5', asn_due_at: T - 2, asn_missing_reported: 1 }),
    );
    // Marks touch that PO of that partner in that mailbox alone.
    expect(await getOrder(db, 'mb', 'ZZ:OTHER', 'PO-1')).toEqual(order({ partner_key: 'ZZ:OTHER', asn_due_at: T - 9 }));
    await markAsnSeen(db, 'mb2', 'ZZ:ACME', 'PO-1');
    await markAsnMissingReported(db, 'mb', 'ZZ:OTHER', 'PO-1');
    expect(await getOrder(db, 'mb', 'ZZ:ACME', 'PO-1')).toEqual(order({}));
    expect(await getOrder(db, 'mb2', 'ZZ:ACME', 'PO-1')).toEqual(
      order({ mailbox: 'mb2', asn_due_at: T - 9, asn_seen: 1 }),
    );

    expect((await listAsnOverdue(db, 'mb', T)).map((o) => [o.partner_key, o.po_number])).toEqual([
      ['ZZ:ACME', 'PO-2'],
      ['ZZ:ACME', 'PO-0'],
      ['ZZ:ACME', 'PO-1'],
    ]);
    expect(await listAsnOverdue(db, 'mb', T - 5)).toEqual([order({ po_number: 'PO-2', asn_due_at: T - 5 })]);
    expect(await listAsnOverdue(db, 'mb2', T)).toEqual([]);
    await markAsnMissingReported(db, 'mb', 'ZZ:ACME', 'PO-2');
    expect(await listAsnOverdue(db, 'mb', T - 5)).toEqual([]);
  });

  it('sent transactions: kept once, found by every key given, FA set on one, overdue ones in due order', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await recordSentTransactions(db, []);
    const a = sent({});
    const b = sent({ transaction_control: '0002', business_value: 'PO-7', fa_due_at: T - 2, sent_at: T - 100 });
    const c = sent({ interchange: '000000002', group_control: '2', transaction_control: '0001', sent_at: T - 200 });
    const d = sent({ partner_key: 'ZZ:OTHER', transaction_control: '0003', sent_at: T - 50, fa_due_at: T - 1 });
    const e = sent({ us_key: 'ZZ:US2', fa_due_at: T - 9 });
    const f = sent({ mailbox: 'mb2', fa_due_at: T - 9 });
    await recordSentTransactions(db, [a, b, c, d, e, f]);
    await recordSentTransactions(db, [{ ...a, data: '{"again":true}', fa: 'accepted' }]);

    expect(await findSentTransactions(db, 'mb', { usKey: 'ZZ:US' })).toEqual([c, a, b, d]);
    expect(await findSentTransactions(db, 'mb', { usKey: 'ZZ:US', partnerKey: 'ZZ:ACME' })).toEqual([c, a, b]);
    expect(await findSentTransactions(db, 'mb', { usKey: 'ZZ:US', interchange: '000000001' })).toEqual([a, b, d]);
    expect(await findSentTransactions(db, 'mb', { usKey: 'ZZ:US', group: '2' })).toEqual([c]);
    expect(await findSentTransactions(db, 'mb', { usKey: 'ZZ:US', transaction: '0001' })).toEqual([c, a]);
    expect(await findSentTransactions(db, 'mb', { usKey: 'ZZ:US', businessValue: 'PO-7' })).toEqual([b]);
    expect(await findSentTransactions(db, 'mb', { usKey: 'ZZ:US2' })).toEqual([e]);
    expect(await findSentTransactions(db, 'mb2', { usKey: 'ZZ:US' })).toEqual([f]);

    const key = { usKey: 'ZZ:US', partnerKey: 'ZZ:ACME', interchange: '000000001', group: '1', transaction: '0001' };
    await setSentFa(db, 'mb', key, 'accepted', '{"fa":"accepted"}');
    // Every other row differs from the key in one column (or the mailbox) and is left as it was.
    await setSentFa(db, 'mb2', { ...key, usKey: 'ZZ:US' }, 'rejected', 'x');
    await setSentFa(db, 'mb', { ...key, usKey: 'ZZ:NONE' }, 'rejected', 'x');
    await setSentFa(db, 'mb', { ...key, partnerKey: 'ZZ:NONE' }, 'rejected', 'x');
    await setSentFa(db, 'mb', { ...key, interchange: '9' }, 'rejected', 'x');
    await setSentFa(db, 'mb', { ...key, group: '9' }, 'rejected', 'x');
    await setSentFa(db, 'mb', { ...key, transaction: '9' }, 'rejected', 'x');
    const fa = { ...a, fa: 'accepted', data: '{"fa":"accepted"}' };
    expect(await findSentTransactions(db, 'mb', { usKey: 'ZZ:US' })).toEqual([c, fa, b, d]);
    expect(await findSentTransactions(db, 'mb2', { usKey: 'ZZ:US' })).toEqual([{ ...f, fa: 'rejected', data: 'x' }]);

    expect(await listFaOverdue(db, 'mb', T)).toEqual([e, b, d, c]);
    expect(await listFaOverdue(db, 'mb', T - 2)).toEqual([e, b]);
    expect(await listFaOverdue(db, 'mb2', T)).toEqual([]);
  });

  it('shipments: lines of each 856 kept once, read back in arrival order for that PO alone', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await addShipment(db, 'mb', 'ZZ:ACME', 'PO-1', 'asn-2', [{ line: 2 }], T + 2);
    await addShipment(db, 'mb', 'ZZ:ACME', 'PO-1', 'asn-1', [{ line: 1 }, { line: 3 }], T + 1);
    await addShipment(db, 'mb', 'ZZ:ACME', 'PO-1', 'asn-1', [{ line: 99 }], T + 3);
    await addShipment(db, 'mb', 'ZZ:ACME', 'PO-2', 'asn-1', [{ line: 'po2' }], T);
    await addShipment(db, 'mb', 'ZZ:OTHER', 'PO-1', 'asn-1', [{ line: 'other' }], T);
    await addShipment(db, 'mb2', 'ZZ:ACME', 'PO-1', 'asn-1', [{ line: 'mb2' }], T);
    expect(await getShipped(db, 'mb', 'ZZ:ACME', 'PO-1')).toEqual([{ line: 1 }, { line: 3 }, { line: 2 }]);
    expect(await getShipped(db, 'mb', 'ZZ:ACME', 'PO-3')).toEqual([]);
    expect(await db.selectFrom('mailbox_shipments').selectAll().where('source', '=', 'asn-2').execute()).toEqual([
      {
        mailbox: 'mb',
        partner_key: 'ZZ:ACME',
        po_number: 'PO-1',
        source: 'asn-2',
        lines: '[{"line":2}]',
        created_at: T + 2,
      },
    ]);
  });

  it('held mailbox cases: those of test interchanges too, oldest first', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await saveCase(db, aCase('M-1', { state: 'needs_mapping', partnerId: 'ZZ:ACME_1', openedAt: T + 2 }));
    await saveCase(
      db,
      aCase('M-2', { source: 'mailbox_test', state: 'needs_mapping', partnerId: 'ZZ:ACME_2', openedAt: T + 1 }),
    );
    await saveCase(db, aCase('M-3', { source: 'community', state: 'needs_mapping', partnerId: 'ZZ:ACME_3' }));
    expect(await listHeldMailboxCases(db, 'ZZ:ACME')).toEqual([
      { id: 'M-2', partner_id: 'ZZ:ACME_2' },
      { id: 'M-1', partner_id: 'ZZ:ACME_1' },
    ]);
  });

  it('inbound events: mailbox cases with their event type, payloads by key, a summary per source', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const ev = (source: string, event_id: string, type: string, received_at: number, payload = '{}') =>
      db.insertInto('inbound_events').values({ source, event_id, type, payload, received_at }).execute();
    await ev('mailbox', 'M-2', 'exception', T + 1, '{"n":2}');
    await ev('mailbox', 'M-1', '850', T + 5, '{"n":1,"deep":{"a":[1,"x"]}}');
    await ev('mailbox', 'M-3', '856', T + 3);
    await ev('mailbox', 'M-9', '856', T + 2);
    await ev('community', 'C-1', 'case.created', T + 4);
    await ev('community', 'M-4', 'case.created', T + 7);
    await saveCase(db, aCase('M-1', { openedAt: T + 2, partnerId: 'ZZ:A' }));
    await saveCase(db, aCase('M-2', { openedAt: T + 2, partnerId: 'ZZ:B' }));
    await saveCase(db, aCase('M-3', { openedAt: T + 1, partnerId: 'ZZ:C' }));
    await saveCase(db, aCase('M-4', { openedAt: T, partnerId: 'ZZ:D' }));
    await saveCase(db, aCase('C-1', { source: 'community', openedAt: T }));
    expect(await listMailboxCases(db)).toEqual([
      { id: 'M-3', partner_id: 'ZZ:C', type: '856' },
      { id: 'M-1', partner_id: 'ZZ:A', type: '850' },
      { id: 'M-2', partner_id: 'ZZ:B', type: 'exception' },
    ]);

    expect(await inboundEventPayload(db, 'mailbox', 'M-1')).toEqual({ n: 1, deep: { a: [1, 'x'] } });
    expect(await inboundEventPayload(db, 'mailbox', 'C-1')).toBeNull();
    expect(await inboundEventPayload(db, 'community', 'M-1')).toBeNull();
    expect(await getInboundEventPayload(db, 'mailbox', 'M-2')).toEqual({ n: 2 });
    expect(await getInboundEventPayload(db, 'community', 'M-2')).toBeNull();

    const summary = await summarizeInboundSources(db);
    expect(summary.map((s) => ({ ...s, n: Number(s.n), last: Number(s.last) })).sort((x, y) => x.n - y.n)).toEqual([
      { source: 'community', last: T + 7, n: 2 },
      { source: 'mailbox', last: T + 5, n: 4 },
    ]);
  });
});
