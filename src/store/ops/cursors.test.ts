import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { compareAndSetCursor, readCursor, writeCursor } from './cursors.ts';

const { describeStores, make } = await storesUnderTest('src/store/ops/cursors.test.ts');

describeStores('cursors on %s', (kind) => {
  it('a compare-and-set writes only over the value it expects, and creates only a cursor that does not exist', async () => {
    const { store } = await make(kind);
    expect(await compareAndSetCursor(store.db, 'memo', null, 'a', 1)).toBe(true);
    expect(await readCursor(store.db, 'memo')).toBe('a');
    // Another writer's value is not overwritten: neither by a second create nor over a stale value.
    expect(await compareAndSetCursor(store.db, 'memo', null, 'b', 2)).toBe(false);
    await writeCursor(store.db, 'memo', 'theirs', 3);
    expect(await compareAndSetCursor(store.db, 'memo', 'a', 'ours', 4)).toBe(false);
    expect(await readCursor(store.db, 'memo')).toBe('theirs');
    expect(await compareAndSetCursor(store.db, 'memo', 'theirs', 'ours', 5)).toBe(true);
    expect(await readCursor(store.db, 'memo')).toBe('ours');
    // Over a cursor that does not exist, an expected value changes nothing.
    expect(await compareAndSetCursor(store.db, 'other', 'x', 'y', 6)).toBe(false);
    expect(await readCursor(store.db, 'other')).toBeNull();
  });
});
