import { ok, type Result } from '../../../core/result.ts';
import type { Page } from '../port.ts';

/** Read pages by offset until `total_count` is reached (or a page comes back empty). */
export async function collectPages<T>(list: (offset: number) => Promise<Result<Page<T>>>): Promise<Result<Page<T>>> {
  const data: T[] = [];
  for (;;) {
    const r = await list(data.length);
    if (!r.ok) return r;
    data.push(...r.value.data);
    if (r.value.data.length === 0 || data.length >= r.value.totalCount) return ok({ totalCount: r.value.totalCount, data });
  }
}
