import { ok, type Result } from '../../../core/result.ts';
import type { Page } from '../port.ts';

/** Read pages by offset until `total_count` is reached (or a page comes back empty). */
export async function collectPages<T>(list: (offset: number) => Promise<Result<Page<T>>>): Promise<Result<Page<T>>> {
  const data: T[] = [];
  for (;;) {
    const r = await list(data.length);
    if (!r.ok) return r;
    data.push(...r.value.data);
    if (r.value.data.length === 0 || data.length >= r.value.totalCount)
      return ok({ totalCount: r.value.totalCount, data });
  }
}

/**
 * Read everything changed after `after`, paging by change time rather than by offset. A catch-up list
 * comes in change order, so an item read on an early page that changes while we page moves to the end
 * and shifts every later item one place down: offset paging then skips one item per such change (the
 * chaos run lost a case that way). Each next page starts 1 ms before the last change seen, so items
 * sharing that millisecond are read again rather than skipped (their repeats dedupe downstream). Only
 * when a whole page shares one millisecond does it fall back to offsets for that instant.
 */
export async function collectChanges<T>(
  after: string,
  list: (after: string, offset: number) => Promise<Result<Page<T>>>,
  changedAt: (item: T) => string | null | undefined,
): Promise<Result<T[]>> {
  const out: T[] = [];
  let from = after;
  let offset = 0;
  for (;;) {
    const r = await list(from, offset);
    if (!r.ok) return r;
    const page = r.value.data;
    out.push(...page);
    if (page.length === 0 || offset + page.length >= r.value.totalCount) return ok(out);
    const last = Date.parse(changedAt(page[page.length - 1]!) ?? '');
    const next = new Date(last - 1).toISOString();
    if (!Number.isFinite(last) || Date.parse(next) <= Date.parse(from)) {
      offset += page.length;
      continue;
    }
    from = next;
    offset = 0;
  }
}
