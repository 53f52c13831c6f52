import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { getLink, recordLink } from './links.ts';

const { describeStores, make } = await storesUnderTest('src/store/ops/links.test.ts');

describeStores('recordLink (%s store)', (kind) => {
  it('records a new link, and answers the existing one when the entity has a task already', async () => {
    const t = await make(kind);
    const first = { entity: 'case', entityId: 'C-1', cuTaskId: 'T-1', cuListId: 'L' };
    expect(await recordLink(t.store.db, first, 1)).toEqual(first);
    expect(await recordLink(t.store.db, { ...first, cuTaskId: 'T-2' }, 2)).toEqual(first);
    expect(await recordLink(t.store.db, first, 3)).toEqual(first);
    expect(await getLink(t.store.db, 'case', 'C-1')).toEqual(first);
  });
});
