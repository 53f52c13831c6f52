/** Fault knobs of the Trading Grid sandbox; all off by default. Rates are probabilities 0..1. */
export interface Faults {
  /** Probability an API request answers `errorStatus` (default 503) instead of being handled. */
  errorRate: number;
  errorStatus: number;
  /** The next N API requests fail with `errorStatus` (deterministic "5xx then success"). */
  failNext: number;
  /** Probability an API request answers 429 with `Retry-After: retryAfterSec`. */
  rateLimitRate: number;
  /** The next N API requests answer 429. */
  rateLimitNext: number;
  retryAfterSec: number;
  /** Added to every API response (plus up to `latencyJitterMs` at random). */
  latencyMs: number;
  latencyJitterMs: number;
  /** Probability a still-valid token is treated as expired (401 invalid_token, token revoked). */
  tokenExpiredRate: number;
  /** Probability an event is delivered twice. */
  duplicateEventRate: number;
  /** Probability an event is held back up to `reorderMaxDelayMs`, so later events overtake it. */
  reorderEventRate: number;
  reorderMaxDelayMs: number;
  /** Probability an event is never delivered (a missed webhook; recover by polling). */
  dropEventRate: number;
}

export const NO_FAULTS: Faults = {
  errorRate: 0,
  errorStatus: 503,
  failNext: 0,
  rateLimitRate: 0,
  rateLimitNext: 0,
  retryAfterSec: 1,
  latencyMs: 0,
  latencyJitterMs: 0,
  tokenExpiredRate: 0,
  duplicateEventRate: 0,
  reorderEventRate: 0,
  reorderMaxDelayMs: 500,
  dropEventRate: 0,
};

/** Small seedable PRNG (mulberry32) so a fault run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
