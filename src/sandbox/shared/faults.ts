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
  /**
   * Faults after the work is done, for POST and PUT only: the write is applied (and its webhooks fire)
   * and then the answer is lost. Real networks do this: ClickUp's origin saves the task and the edge in
   * front of it answers 502/504 (a gateway error after the origin's reply was lost or too slow), a
   * connection is reset between the origin's reply and the client, or the reply never arrives and the
   * client times out. RFC 9110 §9.2.2: only idempotent methods may be repeated automatically after
   * such a failure, since the server may have applied the request. Each is a probability per write.
   */
  savedThen5xxRate: number;
  savedThenResetRate: number;
  /** The request is applied and no answer is ever sent: the client's own timeout ends it. */
  savedThenHangRate: number;
  /** Probability that a webhook delivery is sent twice. */
  webhookDuplicateRate: number;
  /** Probability that a webhook delivery is held back (up to webhookReorderMaxMs) so later ones overtake it. */
  webhookReorderRate: number;
  webhookReorderMaxMs: number;
  /** Deliveries fail as if the endpoint were down (the webhook's health goes failing, then suspended). */
  webhookFailing: boolean;
  /**
   * ClickUp answers a successful call without X-RateLimit-* headers (the limit still applies; 4xx/5xx
   * answers keep them). A client must not read their absence as "unlimited".
   */
  omitRateLimitHeadersOnSuccess: boolean;
}

export const NO_FAULTS: Faults = {
  rate429: 0,
  storm429Until: 0,
  rate5xx: 0,
  latencyMs: 0,
  resetRate: 0,
  savedThen5xxRate: 0,
  savedThenResetRate: 0,
  savedThenHangRate: 0,
  webhookDuplicateRate: 0,
  webhookReorderRate: 0,
  webhookReorderMaxMs: 2_000,
  omitRateLimitHeadersOnSuccess: false,
  webhookFailing: false,
};

export type FaultDecision =
  { kind: 'none' } | { kind: 'reset' } | { kind: '429' } | { kind: '5xx'; status: 500 | 502 | 503 };

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

export type AfterSaveFault =
  { kind: 'none' } | { kind: 'saved_5xx'; status: 502 | 504 } | { kind: 'saved_reset' } | { kind: 'saved_hang' };

/** Pure: whether the answer to a write that was applied gets lost, and how. Reads are never affected. */
export function decideAfterSaveFault(f: Faults, method: string, random: () => number): AfterSaveFault {
  if (method !== 'POST' && method !== 'PUT') return { kind: 'none' };
  if (f.savedThen5xxRate > 0 && random() < f.savedThen5xxRate)
    return { kind: 'saved_5xx', status: random() < 0.8 ? 502 : 504 };
  if (f.savedThenResetRate > 0 && random() < f.savedThenResetRate) return { kind: 'saved_reset' };
  if (f.savedThenHangRate > 0 && random() < f.savedThenHangRate) return { kind: 'saved_hang' };
  return { kind: 'none' };
}

export function latencyFor(f: Faults, random: () => number): number {
  const l = f.latencyMs;
  if (Array.isArray(l)) return l[0] + random() * (l[1] - l[0]);
  return l;
}
