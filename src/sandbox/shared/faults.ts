/**
 * The fault knobs of both sandboxes, one vocabulary: each knob is named once, with the same meaning in
 * the ClickUp and the Trading Grid sandbox. The knobs both have are `CommonFaults`; those only one system
 * has are `ClickUpOnlyFaults` and `TradingGridOnlyFaults`. Rates are probabilities 0..1 per request or
 * per webhook delivery; everything is off by default. The control routes (`POST /_sandbox/faults`) parse
 * a body with the sandbox's schema below: an unknown knob, or one of the other system, is a 400 naming it.
 */
import { z } from 'zod';

/** Knobs both sandboxes have. */
export interface CommonFaults {
  /** Probability a request answers a 5xx instead of being handled (ClickUp: 500, 502 or 503; Trading Grid: `errorStatus`). */
  errorRate: number;
  /** Probability a request answers 429 (ClickUp: with its X-RateLimit-* headers; Trading Grid: with `Retry-After`). */
  rateLimitRate: number;
  /** Added latency per request, ms (ClickUp: its virtual ms): fixed, or [min, max] uniformly. */
  latencyMs: number | [number, number];
  /** Probability a webhook delivery is sent twice. */
  webhookDuplicateRate: number;
  /** Probability a webhook delivery is held back (up to webhookReorderMaxMs) so later ones overtake it. */
  webhookReorderRate: number;
  webhookReorderMaxMs: number;
}

/** Knobs of the ClickUp sandbox only. */
export interface ClickUpOnlyFaults {
  /** Every request answers 429 until this virtual epoch ms (a "429 storm"); 0 = none. */
  storm429Until: number;
  /** Probability that the connection is destroyed without an answer (before the request is applied). */
  resetRate: number;
  /**
   * Faults after the work is done, for POST and PUT only: the write is applied (and its webhooks fire)
   * and then the answer is lost. Real networks do this: ClickUp's origin saves the task and the edge in
   * front of it answers 502/504 (a gateway error after the origin's reply was lost or too slow), a
   * connection is reset between the origin's reply and the client, or the reply never arrives and the
   * client times out. RFC 9110 §9.2.2 (https://www.rfc-editor.org/rfc/rfc9110#section-9.2.2): only
   * idempotent methods may be repeated automatically after such a failure, since the server may have
   * applied the request. Each is a probability per write.
   */
  savedThen5xxRate: number;
  savedThenResetRate: number;
  /** The request is applied and no answer is ever sent: the client's own timeout ends it. */
  savedThenHangRate: number;
  /** Deliveries fail as if the endpoint were down (the webhook's health goes failing, then suspended). */
  webhookFailing: boolean;
  /**
   * ClickUp answers a successful call without X-RateLimit-* headers (the limit still applies; 4xx/5xx
   * answers keep them); https://developer.clickup.com/docs/rate-limits. A client must not read their
   * absence as "unlimited".
   */
  omitRateLimitHeadersOnSuccess: boolean;
}

/** Knobs of the Trading Grid sandbox only. */
export interface TradingGridOnlyFaults {
  /** The status `errorRate` and `failNext` answer (default 503). */
  errorStatus: number;
  /** The next N API requests fail with `errorStatus` (deterministic "5xx then success"). */
  failNext: number;
  /** The next N API requests answer 429. */
  rateLimitNext: number;
  /** The `Retry-After` of a 429, seconds. */
  retryAfterSec: number;
  /** Probability a still-valid token is treated as expired (401 invalid_token, token revoked). */
  tokenExpiredRate: number;
  /** Probability an event is never delivered (a missed webhook; recover by polling). */
  webhookDropRate: number;
}

export type ClickUpFaults = CommonFaults & ClickUpOnlyFaults;
export type TradingGridFaults = CommonFaults & TradingGridOnlyFaults;
/** Every knob of either sandbox. */
export type Faults = CommonFaults & ClickUpOnlyFaults & TradingGridOnlyFaults;

const NO_COMMON_FAULTS: Omit<CommonFaults, 'webhookReorderMaxMs'> = {
  errorRate: 0,
  rateLimitRate: 0,
  latencyMs: 0,
  webhookDuplicateRate: 0,
  webhookReorderRate: 0,
};

export const CLICKUP_NO_FAULTS: ClickUpFaults = {
  ...NO_COMMON_FAULTS,
  webhookReorderMaxMs: 2_000,
  storm429Until: 0,
  resetRate: 0,
  savedThen5xxRate: 0,
  savedThenResetRate: 0,
  savedThenHangRate: 0,
  webhookFailing: false,
  omitRateLimitHeadersOnSuccess: false,
};

export const TRADING_GRID_NO_FAULTS: TradingGridFaults = {
  ...NO_COMMON_FAULTS,
  webhookReorderMaxMs: 500,
  errorStatus: 503,
  failNext: 0,
  rateLimitNext: 0,
  retryAfterSec: 1,
  tokenExpiredRate: 0,
  webhookDropRate: 0,
};

const rate = z.number().min(0).max(1).optional();
const count = z.number().int().min(0).optional();
const ms = z.number().min(0);

const commonShape = {
  errorRate: rate,
  rateLimitRate: rate,
  latencyMs: z
    .union([ms, z.tuple([ms, ms]).refine(([min, max]) => min <= max, 'min must not be above max')])
    .optional(),
  webhookDuplicateRate: rate,
  webhookReorderRate: rate,
  webhookReorderMaxMs: ms.optional(),
};

/** A `POST /_sandbox/faults` body of the ClickUp sandbox: any of its knobs, no other. */
export const ClickUpFaultsBody = z.strictObject({
  ...commonShape,
  storm429Until: ms.optional(),
  resetRate: rate,
  savedThen5xxRate: rate,
  savedThenResetRate: rate,
  savedThenHangRate: rate,
  webhookFailing: z.boolean().optional(),
  omitRateLimitHeadersOnSuccess: z.boolean().optional(),
}) satisfies z.ZodType<Partial<ClickUpFaults>>;

/** A `POST /_sandbox/faults` body of the Trading Grid sandbox: any of its knobs, no other. */
export const TradingGridFaultsBody = z.strictObject({
  ...commonShape,
  errorStatus: z.number().int().min(100).max(599).optional(),
  failNext: count,
  rateLimitNext: count,
  retryAfterSec: ms.optional(),
  tokenExpiredRate: rate,
  webhookDropRate: rate,
}) satisfies z.ZodType<Partial<TradingGridFaults>>;

/** What is wrong with a body, naming the first bad field (or the unknown keys): `field: message`. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field =
    issue.path.length > 0
      ? issue.path.join('.')
      : issue.code === 'unrecognized_keys'
        ? issue.keys.join(', ')
        : '(body)';
  return `${field}: ${issue.message}`;
}

/** A latency to wait for one request, drawn from `latencyMs`. */
export function latencyFor(f: Pick<CommonFaults, 'latencyMs'>, random: () => number): number {
  const l = f.latencyMs;
  if (Array.isArray(l)) return l[0] + random() * (l[1] - l[0]);
  return l;
}

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
