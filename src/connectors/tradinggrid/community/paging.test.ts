import { describe, expect, it } from 'vitest';
import { ok } from '../../../core/result.ts';
import { collectChanges, collectPages } from './paging.ts';

type Item = { id: string; updated_at: string };
const at = (ms: number) => new Date(Date.UTC(2026, 10, 26, 6, 0, 0) + ms).toISOString();

/** A change-ordered list (as Trading Grid's catch-up reads) where `onPage` may change items between pages. */
function source(items: Item[], pageSize: number, onPage: (n: number) => void) {
  let served = 0;
  return (after: string, offset: number) => {
    const rows = items.filter((x) => x.updated_at > after).sort((a, b) => (a.updated_at < b.updated_at ? -1 : 1));
    const page = rows.slice(offset, offset + pageSize);
    onPage(++served);
    return Promise.resolve(ok({ totalCount: rows.length, data: page.map((x) => ({ ...x })) }));
  };
}

describe('catch-up paging', () => {
  const items = () => Array.from({ length: 10 }, (_, i) => ({ id: `C${i}`, updated_at: at(i * 10) }));
  // After the first page, an item already read changes: it moves to the end, the rest shift down.
  const touchFirst = (xs: Item[]) => (n: number) => {
    if (n === 1) xs[0]!.updated_at = at(1000);
  };

  it('offset paging skips an item when one already read changes meanwhile (the bug)', async () => {
    const xs = items();
    const r = await collectPages((offset) => source(xs, 3, touchFirst(xs))(at(-1), offset));
    expect(r.ok && new Set(r.value.data.map((x) => x.id)).size).toBeLessThan(10);
  });

  it('paging by change time reads every item', async () => {
    const xs = items();
    const r = await collectChanges(at(-1), source(xs, 3, touchFirst(xs)), (x) => x.updated_at);
    expect(r.ok && [...new Set(r.value.map((x) => x.id))].sort()).toEqual(xs.map((x) => x.id).sort());
  });

  it('a whole page sharing one millisecond falls back to offsets for that instant, and ends', async () => {
    const xs = [
      ...Array.from({ length: 7 }, (_, i) => ({ id: `S${i}`, updated_at: at(5) })),
      { id: 'L', updated_at: at(9) },
    ];
    const r = await collectChanges(
      at(-1),
      source(xs, 3, () => undefined),
      (x) => x.updated_at,
    );
    expect(r.ok && [...new Set(r.value.map((x) => x.id))].sort()).toEqual(xs.map((x) => x.id).sort());
  });
});
