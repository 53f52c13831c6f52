/** How the ClickUp sandbox applies its fault knobs (src/sandbox/shared/faults.ts) to one request. */
import type { ClickUpFaults } from '../shared/faults.ts';

export type FaultDecision =
  { kind: 'none' } | { kind: 'reset' } | { kind: '429' } | { kind: '5xx'; status: 500 | 502 | 503 };

/** Pure: what to do with one request, given the knobs, the virtual time and a random source. */
export function decideFault(f: ClickUpFaults, now: number, random: () => number): FaultDecision {
  if (f.resetRate > 0 && random() < f.resetRate) return { kind: 'reset' };
  if (f.storm429Until > now) return { kind: '429' };
  if (f.rateLimitRate > 0 && random() < f.rateLimitRate) return { kind: '429' };
  if (f.errorRate > 0 && random() < f.errorRate) {
    const r = random();
    return { kind: '5xx', status: r < 0.34 ? 500 : r < 0.67 ? 502 : 503 };
  }
  return { kind: 'none' };
}

export type AfterSaveFault =
  { kind: 'none' } | { kind: 'saved_5xx'; status: 502 | 504 } | { kind: 'saved_reset' } | { kind: 'saved_hang' };

/**
 * Pure: whether the answer to a write that was applied gets lost, and how (RFC 9110 §9.2.2: see
 * `ClickUpOnlyFaults.savedThen5xxRate`). Reads are never affected.
 */
export function decideAfterSaveFault(f: ClickUpFaults, method: string, random: () => number): AfterSaveFault {
  if (method !== 'POST' && method !== 'PUT') return { kind: 'none' };
  if (f.savedThen5xxRate > 0 && random() < f.savedThen5xxRate)
    return { kind: 'saved_5xx', status: random() < 0.8 ? 502 : 504 };
  if (f.savedThenResetRate > 0 && random() < f.savedThenResetRate) return { kind: 'saved_reset' };
  if (f.savedThenHangRate > 0 && random() < f.savedThenHangRate) return { kind: 'saved_hang' };
  return { kind: 'none' };
}
