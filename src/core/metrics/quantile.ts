/**
 * Quantiles by linear interpolation between closest ranks (Hyndman–Fan type 7: the default of
 * R, NumPy and PostgreSQL's percentile_cont). Position `(n - 1) * q` in the ascending sample:
 * the value at rank `lo` plus `frac` of the step to rank `hi`.
 */
export function quantileRanks(n: number, q: number): { lo: number; hi: number; frac: number } {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  return { lo, hi: Math.min(lo + 1, n - 1), frac: pos - lo };
}

/** Quantile from the values at two ranks: for a database that returns only those rows (0-based ranks). */
export function quantileFromRanks(n: number, q: number, valueAt: (rank: number) => number): number | null {
  if (n === 0) return null;
  const { lo, hi, frac } = quantileRanks(n, q);
  const a = valueAt(lo);
  return frac === 0 ? a : a + (valueAt(hi) - a) * frac;
}

/** Quantile of an ascending-sorted sample. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number | null {
  return quantileFromRanks(sorted.length, q, (i) => sorted[i]!);
}
