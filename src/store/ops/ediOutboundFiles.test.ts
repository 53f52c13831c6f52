import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { Store } from '../db.ts';
import {
  allocateControlNumbers,
  findEdiOutboundByAs2MessageId,
  getEdiOutboundFile,
  insertEdiOutboundFile,
  listEdiOutboundFiles,
  markEdiOutboundFile,
  MAX_CONTROL_NUMBER,
  requeueOverdueAs2File,
  setEdiOutboundAs2,
  type EdiOutboundFileRow,
} from './ediOutbound.ts';

// The EDI outbound files and the control numbers' edges (storeEdiOutbound in scripts/mutate.mjs), beyond
// ediOutbound.test.ts: every file operation on both stores, the rows and answers whole after each change.
const { describeStores, make } = await storesUnderTest('src/store/ops/ediOutboundFiles.test.ts');

const T = 1_700_000_000_000;

const file = (key: string, over: Partial<EdiOutboundFileRow> = {}): EdiOutboundFileRow => ({
  key,
  partner_id: 'P-1',
  partner_address: 'ZZ:THEM',
  standard: 'x12',
  set_id: '997',
  interchange: '000000001',
  name: `${key}.edi`,
  content: Buffer.from(`ISA*${key}~`),
  entity: 'case',
  entity_id: 'C-1',
  state: 'queued',
  attempts: 0,
  error: null,
  created_at: T,
  sent_at: null,
  as2_partner: null,
  as2_message_id: null,
  as2_mic: null,
  as2_mdn: null,
  ...over,
});

/** Every row whole, by key, its content as text. */
const rows = async (store: Store) =>
  (await store.db.selectFrom('edi_outbound_files').selectAll().orderBy('key').execute()).map((r) => ({
    ...r,
    content: Buffer.from(r.content).toString(),
  }));
const asStored = (f: EdiOutboundFileRow) => ({ ...f, content: f.content.toString() });

describeStores('EDI outbound files on %s', (kind) => {
  it('insert: the first file of a key stands; get reads it whole, null for another key', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const a = file('A');
    expect(await insertEdiOutboundFile(db, a)).toBe(true);
    expect(await insertEdiOutboundFile(db, file('A', { name: 'other.edi', content: Buffer.from('X') }))).toBe(false);
    expect(await insertEdiOutboundFile(db, file('B', { created_at: T + 1 }))).toBe(true);
    expect(await rows(store)).toEqual([asStored(a), asStored(file('B', { created_at: T + 1 }))]);
    const got = await getEdiOutboundFile(db, 'A');
    expect(got).toEqual(a);
    expect(Buffer.isBuffer(got!.content)).toBe(true);
    expect(await getEdiOutboundFile(db, 'C')).toBeNull();
  });

  it('mark: sent, queued again, awaiting an MDN, failed: the row whole after each, attempts counted as asked', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await insertEdiOutboundFile(db, file('A'));
    await insertEdiOutboundFile(db, file('B'));
    const b = asStored(file('B'));
    const a = async () => (await rows(store))[0];

    await markEdiOutboundFile(db, 'A', { state: 'queued', error: 'refused' });
    expect(await rows(store)).toEqual([asStored(file('A', { attempts: 1, error: 'refused' })), b]);
    await markEdiOutboundFile(db, 'A', { state: 'queued', error: 'again' }, false);
    expect(await a()).toEqual(asStored(file('A', { attempts: 1, error: 'again' })));

    // Awaiting an MDN: only from queued, the error cleared, no attempt counted.
    await markEdiOutboundFile(db, 'A', { state: 'awaiting_mdn' });
    expect(await a()).toEqual(asStored(file('A', { state: 'awaiting_mdn', attempts: 1, error: null })));

    await markEdiOutboundFile(db, 'A', { state: 'sent', sentAt: T + 5 });
    expect(await a()).toEqual(asStored(file('A', { state: 'sent', attempts: 2, sent_at: T + 5 })));
    // A resend's end does not undo an MDN that settled the file.
    await markEdiOutboundFile(db, 'A', { state: 'awaiting_mdn' });
    expect(await a()).toEqual(asStored(file('A', { state: 'sent', attempts: 2, sent_at: T + 5 })));

    await markEdiOutboundFile(db, 'A', { state: 'sent', sentAt: T + 6, mdn: 'processed' }, false);
    expect(await a()).toEqual(
      asStored(file('A', { state: 'sent', attempts: 2, sent_at: T + 6, as2_mdn: 'processed' })),
    );
    // Failed: the error, the MDN when given (kept otherwise), no attempt counted, whatever countAttempt says.
    await markEdiOutboundFile(db, 'A', { state: 'failed', error: 'MIC differs' });
    expect(await a()).toEqual(
      asStored(file('A', { state: 'failed', attempts: 2, sent_at: T + 6, error: 'MIC differs', as2_mdn: 'processed' })),
    );
    await markEdiOutboundFile(db, 'A', { state: 'failed', error: 'refused', mdn: 'failed/error' });
    expect(await a()).toEqual(
      asStored(file('A', { state: 'failed', attempts: 2, sent_at: T + 6, error: 'refused', as2_mdn: 'failed/error' })),
    );
    // A sent mark clears the error; without an MDN it keeps the one recorded.
    await markEdiOutboundFile(db, 'A', { state: 'sent', sentAt: T + 7 });
    expect(await rows(store)).toEqual([
      asStored(file('A', { state: 'sent', attempts: 3, sent_at: T + 7, error: null, as2_mdn: 'failed/error' })),
      b,
    ]);
    // Another key: nothing.
    await markEdiOutboundFile(db, 'Z', { state: 'sent', sentAt: T + 8 });
    expect((await rows(store))[1]).toEqual(b);
  });

  it('AS2: the Message-ID set before a POST (not on a sent file), found by partner and id, requeued when overdue', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await insertEdiOutboundFile(db, file('A'));
    await insertEdiOutboundFile(db, file('B', { state: 'sent', sent_at: T + 1, attempts: 1 }));
    const b = asStored(file('B', { state: 'sent', sent_at: T + 1, attempts: 1 }));

    await setEdiOutboundAs2(db, 'A', { partner: 'AS2-THEM', messageId: '<m1@us>', mic: 'mic1' });
    await setEdiOutboundAs2(db, 'B', { partner: 'AS2-THEM', messageId: '<m2@us>', mic: 'mic2' });
    const as2 = { as2_partner: 'AS2-THEM', as2_message_id: '<m1@us>', as2_mic: 'mic1' };
    expect(await rows(store)).toEqual([asStored(file('A', { ...as2, attempts: 1 })), b]);

    expect(await findEdiOutboundByAs2MessageId(db, 'AS2-THEM', '<m1@us>')).toEqual(file('A', { ...as2, attempts: 1 }));
    expect(await findEdiOutboundByAs2MessageId(db, 'AS2-OTHER', '<m1@us>')).toBeNull();
    expect(await findEdiOutboundByAs2MessageId(db, 'AS2-THEM', '<m2@us>')).toBeNull();

    // Not awaiting an MDN: not requeued.
    expect(await requeueOverdueAs2File(db, 'A', 'no MDN')).toBe(false);
    await markEdiOutboundFile(db, 'A', { state: 'awaiting_mdn' });
    expect(await requeueOverdueAs2File(db, 'B', 'no MDN')).toBe(false);
    expect(await requeueOverdueAs2File(db, 'A', 'no MDN in 10 min')).toBe(true);
    expect(await rows(store)).toEqual([
      asStored(file('A', { ...as2, attempts: 1, state: 'queued', error: 'no MDN in 10 min' })),
      b,
    ]);
    expect(await requeueOverdueAs2File(db, 'A', 'again')).toBe(false);

    // A failed file posted again: queued, the same Message-ID given again, a second attempt.
    await markEdiOutboundFile(db, 'A', { state: 'failed', error: 'refused' });
    await setEdiOutboundAs2(db, 'A', { partner: 'AS2-THEM', messageId: '<m1@us>', mic: 'mic1b' });
    expect((await rows(store))[0]).toEqual(
      asStored(file('A', { ...as2, as2_mic: 'mic1b', attempts: 2, state: 'queued', error: 'refused' })),
    );
  });

  it("list: one entity's files, oldest first, without their content", async () => {
    const { store } = await make(kind);
    const db = store.db;
    await insertEdiOutboundFile(db, file('late', { created_at: T + 2, state: 'sent', sent_at: T + 3 }));
    await insertEdiOutboundFile(db, file('early', { created_at: T, as2_partner: 'AS2', as2_message_id: '<m>' }));
    await insertEdiOutboundFile(db, file('other-id', { entity_id: 'C-2' }));
    await insertEdiOutboundFile(db, file('other-kind', { entity: 'approval' }));
    const bare = (f: EdiOutboundFileRow) => {
      const { content: _content, ...rest } = f;
      return rest;
    };
    expect(await listEdiOutboundFiles(db, 'case', 'C-1')).toStrictEqual([
      bare(file('early', { created_at: T, as2_partner: 'AS2', as2_message_id: '<m>' })),
      bare(file('late', { created_at: T + 2, state: 'sent', sent_at: T + 3 })),
    ]);
    expect(await listEdiOutboundFiles(db, 'approval', 'C-1')).toStrictEqual([
      bare(file('other-kind', { entity: 'approval' })),
    ]);
    expect(await listEdiOutboundFiles(db, 'case', 'C-3')).toEqual([]);
  });
});

describeStores('control numbers at their edges on %s', (kind) => {
  it('a count from 1 to 10 000, integers only', async () => {
    const { store } = await make(kind);
    const db = store.db;
    for (const bad of [0, -1, 1.5, 10_001, Number.NaN])
      await expect(allocateControlNumbers(db, 's', 'group', bad, 1)).rejects.toThrow(`control number count ${bad}`);
    expect(await allocateControlNumbers(db, 's', 'group', 10_000, 1)).toBe(1);
    expect(await allocateControlNumbers(db, 's', 'group', 1, 2)).toBe(10_001);
    expect(await store.db.selectFrom('edi_control_numbers').selectAll().execute()).toEqual([
      { scope: 's', kind: 'group', last: 10_001, updated_at: 2 },
    ]);
  });

  it('a replacing counter that would pass the largest number starts again at 1', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const after = { continueAfter: 'old|%' };
    await allocateControlNumbers(db, 'old|A', 'interchange', 1, 1);
    await db
      .updateTable('edi_control_numbers')
      .set({ last: MAX_CONTROL_NUMBER - 2 })
      .where('scope', '=', 'old|A')
      .execute();
    // Up to the largest number exactly: still after the old counter.
    expect(await allocateControlNumbers(db, 'new-1', 'interchange', 2, 2, after)).toBe(MAX_CONTROL_NUMBER - 1);
    // One past it: from 1.
    expect(await allocateControlNumbers(db, 'new-2', 'interchange', 3, 2, after)).toBe(1);
    // The old counters only: the scope's own row and those of other kinds are not older counters.
    expect(await allocateControlNumbers(db, 'old|B', 'group', 1, 3, after)).toBe(1);
    expect(await allocateControlNumbers(db, 'new-3', 'interchange', 1, 3, { continueAfter: 'none|%' })).toBe(1);
    expect(await db.selectFrom('edi_control_numbers').selectAll().orderBy('scope').orderBy('kind').execute()).toEqual([
      { scope: 'new-1', kind: 'interchange', last: MAX_CONTROL_NUMBER, updated_at: 2 },
      { scope: 'new-2', kind: 'interchange', last: 3, updated_at: 2 },
      { scope: 'new-3', kind: 'interchange', last: 1, updated_at: 3 },
      { scope: 'old|A', kind: 'interchange', last: MAX_CONTROL_NUMBER - 2, updated_at: 1 },
      { scope: 'old|B', kind: 'group', last: 1, updated_at: 3 },
    ]);
  });
});
