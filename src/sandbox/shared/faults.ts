/** Fault-injection knobs shared by the sandboxes. Probabilities are 0..1 per request or delivery. */
export interface Faults {
  /** Probability of a spurious 429 (with rate-limit headers) on a request. */
  rate429: number;
  /** Every request answers 429 until this virtual epoch ms (a "429 storm"); 0 = none. */
  storm429Until: number;
  /** Probability of a 5xx answer (500, 502 or 503) instead of handling the request. */
  rate5xx: number;
  /** Added latency per request, virtual ms: fixed, or [min, max] uniformly. */
  latencyMs: number | [number, number];
  /** Probability that the connection is destroyed without an answer (before the request is applied). */
  resetRate: number;
  /** Probability that a webhook delivery is sent twice. */
  webhookDuplicateRate: number;
  /** Probability that a webhook delivery is held back (up to webhookReorderMaxMs) so later ones overtake it. */
  webhookReorderRate: number;
  webhookReorderMaxMs: number;
  /** Deliveries fail as if the endpoint were down (the webhook's health goes failing, then suspended). */
  webhookFailing: boolean;
}

export const NO_FAULTS: Faults = {
  rate429: 0,
  storm429Until: 0,
  rate5xx: 0,
  latencyMs: 0,
  resetRate: 0,
  webhookDuplicateRate: 0,
  webhookReorderRate: 0,
  webhookReorderMaxMs: 2_000,
  webhookFailing: false,
};

export type FaultDecision = { kind: 'none' } | { kind: 'reset' } | { kind: '429' } | { kind: '5xx'; status: 500 | 502 | 503 };

/** Pure: what to do with one request, given the knobs, the virtual time and a random source. */
export function decideFault(f: Faults, now: number, random: () => number): FaultDecision {
  if (f.resetRate > 0 && random() < f.resetRate) return { kind: 'reset' };
  if (f.storm429Until > now) return { kind: '429' };
  if (f.rate429 > 0 && random() < f.rate429) return { kind: '429' };
  if (f.rate5xx > 0 && random() < f.rate5xx) {
    const r = random();
    return { kind: '5xx', status: r < 0.34 ? 500 : r < 0.67 ? 502 : 503 };
  }
  return { kind: 'none' };
}

export function latencyFor(f: Faults, random: () => number): number {
  const l = f.latencyMs;
  if (Array.isArray(l)) return l[0] + random() * (l[1] - l[0]);
  return l;
}
