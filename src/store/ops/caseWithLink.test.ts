import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import type { CaseRecord } from '../../core/case.ts';
import { getCaseWithLink } from './caseWithLink.ts';
import { getCase, saveCase } from './cases.ts';
import { getLink, recordLink } from './links.ts';
import { writeCursor } from './cursors.ts';

const { describeStores, make } = await storesUnderTest('src/store/ops/caseWithLink.test.ts');

const record = (id: string) =>
  ({
    id,
    source: 'community',
    partnerId: 'P',
    kind: 'dispute',
    partnerStatus: 'received',
    state: 'open',
    holdReason: null,
    slaDueAt: null,
    openedAt: 1,
    resolvedAt: null,
    updatedAt: 1,
    title: 't',
  }) as unknown as CaseRecord;

describeStores('getCaseWithLink (%s store)', (kind) => {
  it('reads what getCase and getLink read, each of them possibly missing', async () => {
    const t = await make(kind);
    const db = t.store.db;
    await saveCase(db, record('both'));
    await recordLink(db, { entity: 'case', entityId: 'both', cuTaskId: 'T-1', cuListId: 'L' }, 1);
    await saveCase(db, record('no-link'));
    await recordLink(db, { entity: 'case', entityId: 'no-record', cuTaskId: 'T-2', cuListId: 'L' }, 1);
    // Another entity's link with the same id is not the case's.
    await recordLink(db, { entity: 'onboarding', entityId: 'no-link', cuTaskId: 'T-3', cuListId: 'L' }, 1);
    for (const id of ['both', 'no-link', 'no-record', 'neither']) {
      expect(await getCaseWithLink(db, id)).toEqual({
        record: await getCase(db, id),
        link: await getLink(db, 'case', id),
        cursor: null,
      });
    }
    expect((await getCaseWithLink(db, 'both')).link?.cuTaskId).toBe('T-1');
    expect((await getCaseWithLink(db, 'no-link')).record?.id).toBe('no-link');
  });

  it('reads a cursor in the same round trip when asked, null when it is unset', async () => {
    const t = await make(kind);
    const db = t.store.db;
    await saveCase(db, record('both'));
    expect((await getCaseWithLink(db, 'both', 'some.cursor')).cursor).toBeNull();
    await writeCursor(db, 'some.cursor', '{"drift":[]}', 1);
    const r = await getCaseWithLink(db, 'both', 'some.cursor');
    expect(r.cursor).toBe('{"drift":[]}');
    expect(r.record?.id).toBe('both');
    expect((await getCaseWithLink(db, 'neither', 'some.cursor')).cursor).toBe('{"drift":[]}');
    expect((await getCaseWithLink(db, 'both')).cursor).toBeNull();
  });
});
