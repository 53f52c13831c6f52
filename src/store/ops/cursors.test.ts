import { expect, it } from 'vitest';
import { storesUnderTest } from '../../../test/helpers/pgStore.ts';
import { compareAndSetCursor, readCursor, saveCursorOver, writeCursor } from './cursors.ts';

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

  it('a guarded save writes over the value its writer read; when another saved meanwhile, the merge decides over theirs', async () => {
    const { store } = await make(kind);
    const db = store.db;
    const seen: Array<string | null> = [];
    const later = (value: string) => (theirs: string | null) => {
      seen.push(theirs);
      return theirs === null || value > theirs ? value : null;
    };
    expect(await saveCursorOver(db, 'pos', null, '05', later('05'), 1)).toBe('05');
    expect(seen).toEqual([]);
    // Another writer moved it to 09 after ours read 05: an older value of ours is not saved over theirs.
    await writeCursor(db, 'pos', '09', 2);
    expect(await saveCursorOver(db, 'pos', '05', '07', later('07'), 3)).toBe('09');
    expect(await readCursor(db, 'pos')).toBe('09');
    // A later one is, over theirs.
    expect(await saveCursorOver(db, 'pos', '05', '12', later('12'), 4)).toBe('12');
    expect(await readCursor(db, 'pos')).toBe('12');
    expect(seen).toEqual(['09', '09']);
  });
});
