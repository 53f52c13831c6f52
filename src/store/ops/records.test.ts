import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import {
  findFlowRecordByLookup,
  getFlowRecord,
  listFlowRecords,
  listRecentFlowRows,
  saveFlowRecord,
  saveFlowRecordOrThrow,
  StaleFlowRecord,
} from './flowRecords.ts';
import { getDocument, hasAttachmentDocument, listDocuments, recordDocument, type DocumentRow } from './documents.ts';

// Flow records and documents (storeRecords in scripts/mutate.mjs) beyond parity.test.ts: the stored rows whole
// (version, lookup, times), each key column of a read, the list's limit and order, the admin overview, the
// documents' sides filled in once.
const { describeStores, make } = await storesUnderTest('src/store/ops/records.test.ts');

const T = 1_700_000_000_000;

describeStores('flow records and documents on %s', (kind) => {
  it('flow records: the rows as stored, version by version; a stale or foreign save changes nothing', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const rows = () =>
      db
        .withTables<{
          flow_records: {
            flow: string;
            id: string;
            state: string;
            lookup: string | null;
            version: number;
            data: string;
            updated_at: number;
          };
        }>()
        .selectFrom('flow_records')
        .selectAll()
        .orderBy('flow')
        .orderBy('id')
        .execute();
    expect(await saveFlowRecord(db, { flow: 'f', id: 'A', state: 'open', data: { a: 1 } }, 0, T)).toBe(true);
    expect(await saveFlowRecord(db, { flow: 'g', id: 'A', state: 'open', lookup: 'L', data: [] }, 0, T + 1)).toBe(true);
    expect(await rows()).toEqual([
      { flow: 'f', id: 'A', state: 'open', lookup: null, version: 1, data: '{"a":1}', updated_at: T },
      { flow: 'g', id: 'A', state: 'open', lookup: 'L', version: 1, data: '[]', updated_at: T + 1 },
    ]);
    expect(await saveFlowRecord(db, { flow: 'f', id: 'A', state: 'done', lookup: 'X', data: { a: 2 } }, 1, T + 2)).toBe(
      true,
    );
    expect(await saveFlowRecord(db, { flow: 'f', id: 'A', state: 'late', data: { a: 3 } }, 1, T + 3)).toBe(false);
    expect(await saveFlowRecord(db, { flow: 'f', id: 'B', state: 'late', data: {} }, 1, T + 3)).toBe(false);
    expect(await saveFlowRecord(db, { flow: 'h', id: 'A', state: 'late', data: {} }, 1, T + 3)).toBe(false);
    expect(await saveFlowRecord(db, { flow: 'f', id: 'A', state: 'again', data: { a: 4 } }, 2, T + 4)).toBe(true);
    expect(await rows()).toEqual([
      { flow: 'f', id: 'A', state: 'again', lookup: null, version: 3, data: '{"a":4}', updated_at: T + 4 },
      { flow: 'g', id: 'A', state: 'open', lookup: 'L', version: 1, data: '[]', updated_at: T + 1 },
    ]);
    const stale = saveFlowRecordOrThrow(db, { flow: 'f', id: 'A', state: 'x', data: {} }, 2, T + 5);
    await expect(stale).rejects.toThrow(new StaleFlowRecord('f', 'A'));
    await expect(stale).rejects.toThrow('f A changed while this job decided; deciding again');
  });

  it('flow records: found by flow and id or lookup alone; listed by state in id order up to a limit', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await saveFlowRecord(db, { flow: 'f', id: 'B', state: 'open', lookup: 'L1', data: { b: 1 } }, 0, T);
    await saveFlowRecord(db, { flow: 'f', id: 'A', state: 'open', data: { a: 1 } }, 0, T);
    await saveFlowRecord(db, { flow: 'f', id: 'C', state: 'done', data: { c: 1 } }, 0, T);
    await saveFlowRecord(db, { flow: 'g', id: 'B', state: 'open', lookup: 'L2', data: { g: 1 } }, 0, T);
    await saveFlowRecord(db, { flow: 'g', id: 'D', state: 'open', lookup: 'L1', data: { g: 2 } }, 0, T);
    expect(await getFlowRecord(db, 'g', 'B')).toEqual({
      flow: 'g',
      id: 'B',
      state: 'open',
      lookup: 'L2',
      version: 1,
      data: { g: 1 },
    });
    expect(await getFlowRecord(db, 'f', 'D')).toBeNull();
    expect(await findFlowRecordByLookup(db, 'g', 'L1')).toEqual({
      flow: 'g',
      id: 'D',
      state: 'open',
      lookup: 'L1',
      version: 1,
      data: { g: 2 },
    });
    expect(await findFlowRecordByLookup(db, 'f', 'L2')).toBeNull();
    expect(await listFlowRecords(db, 'f', ['open'])).toEqual([
      { flow: 'f', id: 'A', state: 'open', lookup: null, version: 1, data: { a: 1 } },
      { flow: 'f', id: 'B', state: 'open', lookup: 'L1', version: 1, data: { b: 1 } },
    ]);
    expect((await listFlowRecords(db, 'f', ['open', 'done'], 2)).map((r) => r.id)).toEqual(['A', 'B']);
    expect((await listFlowRecords(db, 'g', ['done'])).map((r) => r.id)).toEqual([]);
  });

  it('flow records: the overview, newest first, of the flows asked for, up to a limit', async () => {
    const { store } = await make(kind);
    const db = store.db;
    await saveFlowRecord(db, { flow: 'f', id: 'A', state: 'open', data: 1 }, 0, T + 1);
    await saveFlowRecord(db, { flow: 'g', id: 'B', state: 'done', data: 2 }, 0, T + 3);
    await saveFlowRecord(db, { flow: 'h', id: 'C', state: 'open', data: 3 }, 0, T + 5);
    await saveFlowRecord(db, { flow: 'f', id: 'D', state: 'open', data: 4 }, 0, T + 2);
    expect(await listRecentFlowRows(db, ['f', 'g'], 10)).toEqual([
      { flow: 'g', id: 'B', state: 'done', data: '2', updated_at: T + 3 },
      { flow: 'f', id: 'D', state: 'open', data: '4', updated_at: T + 2 },
      { flow: 'f', id: 'A', state: 'open', data: '1', updated_at: T + 1 },
    ]);
    expect((await listRecentFlowRows(db, ['f', 'g', 'h'], 2)).map((r) => r.id)).toEqual(['C', 'B']);
  });

  it('documents: each side filled in once and never replaced; attachments found per case; listed oldest first', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const d = {
      case_id: 'C-1',
      sha256: 'h1',
      name: 'pod.pdf',
      kind: 'proof_of_delivery',
      origin: 'clickup',
      tg_document_id: null,
      cu_attachment_id: 'A-1',
      size_bytes: 10,
    };
    await recordDocument(db, d, T);
    await recordDocument(db, { ...d, name: 'other.pdf', tg_document_id: 'D-1', cu_attachment_id: 'A-2' }, T + 5);
    await recordDocument(db, { ...d, tg_document_id: 'D-2', cu_attachment_id: null }, T + 6);
    await recordDocument(db, { ...d, case_id: 'C-2', cu_attachment_id: 'A-3' }, T - 1);
    await recordDocument(db, { ...d, sha256: 'h0', cu_attachment_id: null }, T - 2);
    const norm = (r: DocumentRow | null) =>
      r && { ...r, size_bytes: Number(r.size_bytes), created_at: Number(r.created_at) };
    expect(norm(await getDocument(db, 'C-1', 'h1'))).toEqual({ ...d, tg_document_id: 'D-1', created_at: T });
    expect(await getDocument(db, 'C-1', 'h2')).toBeNull();
    expect((await listDocuments(db, 'C-1')).map(norm)).toEqual([
      { ...d, sha256: 'h0', cu_attachment_id: null, created_at: T - 2 },
      { ...d, tg_document_id: 'D-1', created_at: T },
    ]);
    expect(await hasAttachmentDocument(db, 'C-1', 'A-1')).toBe(true);
    expect(await hasAttachmentDocument(db, 'C-1', 'A-2')).toBe(false);
    expect(await hasAttachmentDocument(db, 'C-1', 'A-3')).toBe(false);
    expect(await hasAttachmentDocument(db, 'C-2', 'A-3')).toBe(true);
  });
});
