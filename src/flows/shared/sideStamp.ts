/**
 * The time a side stamped a write of ours, in that side's own clock (else `fallback`). A side's field
 * memory must be in the clock its later events carry: an echo of an earlier write, delivered late, is
 * then older than what we remember and is dropped as stale, and a person's change made just after our
 * write is newer, instead of either being judged against another system's clock or the moment our
 * commit ran.
 */
export function sideStamp(value: string | number | null | undefined, fallback: number): number {
  const t =
    typeof value === 'number'
      ? value
      : typeof value === 'string'
        ? /^\d+$/.test(value)
          ? Number(value)
          : Date.parse(value)
        : NaN;
  return Number.isFinite(t) && t > 0 ? t : fallback;
}
