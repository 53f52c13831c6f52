import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  backoffMs,
  classifyHttpFailure,
  explicitRetryAfterMs,
  mayRepeatInPlace,
  rateLimitHeaders,
  retryAfterMs,
  type HttpOutcome,
} from './decideRetry.ts';

// Known answers: every figure below is worked out by hand from RFC 9110 §10.2.3 (Retry-After is either
// delay-seconds or an HTTP-date) and ClickUp's rate-limit headers (X-RateLimit-Reset is epoch seconds,
// https://clickup.com/api/developer-portal/rate-limits/), not computed by the code under test.
const NOW = Date.parse('2015-10-21T07:27:30Z');

describe('classifyHttpFailure', () => {
  it.each<
    [
      string,
      HttpOutcome,
      { code: string; retryable: boolean; ambiguous?: boolean; status?: number; retryAfterMs?: number; detail: string },
    ]
  >([
    [
      'a reset connection is retried',
      { networkCode: 'ECONNRESET' },
      { code: 'ECONNRESET', retryable: true, ambiguous: true, detail: 'GET /x: no response (ECONNRESET)' },
    ],
    [
      'a refused connection is retried',
      { networkCode: 'ECONNREFUSED' },
      { code: 'ECONNREFUSED', retryable: true, detail: 'GET /x: no response (ECONNREFUSED)' },
    ],
    [
      'a DNS hiccup is retried',
      { networkCode: 'EAI_AGAIN' },
      { code: 'EAI_AGAIN', retryable: true, detail: 'GET /x: no response (EAI_AGAIN)' },
    ],
    [
      'undici headers timeout is retried',
      { networkCode: 'UND_ERR_HEADERS_TIMEOUT' },
      {
        code: 'UND_ERR_HEADERS_TIMEOUT',
        retryable: true,
        ambiguous: true,
        detail: 'GET /x: no response (UND_ERR_HEADERS_TIMEOUT)',
      },
    ],
    [
      'undici body timeout is retried',
      { networkCode: 'UND_ERR_BODY_TIMEOUT' },
      {
        code: 'UND_ERR_BODY_TIMEOUT',
        retryable: true,
        ambiguous: true,
        detail: 'GET /x: no response (UND_ERR_BODY_TIMEOUT)',
      },
    ],
    [
      'no response and no code is a retried network_error',
      {},
      { code: 'network_error', retryable: true, ambiguous: true, detail: 'GET /x: no response (network_error)' },
    ],
    [
      'an unknown network code (a certificate error) is not retried',
      { networkCode: 'CERT_HAS_EXPIRED' },
      { code: 'CERT_HAS_EXPIRED', retryable: false, detail: 'GET /x: no response (CERT_HAS_EXPIRED)' },
    ],
    [
      '401 is not retried and says to check the credentials',
      { status: 401 },
      {
        status: 401,
        code: 'http_401',
        retryable: false,
        detail: 'GET /x: credentials rejected (401); check the token or client secret',
      },
    ],
    [
      '403 is not retried',
      { status: 403, remoteCode: 'OAUTH_027', remoteMessage: 'Team not authorized' },
      {
        status: 403,
        code: 'http_403:OAUTH_027',
        retryable: false,
        detail: 'GET /x: credentials rejected (403); check the token or client secret — OAUTH_027: Team not authorized',
      },
    ],
    [
      '400 is refused, not retried',
      { status: 400, remoteCode: 'FIELD_011', remoteMessage: 'bad value' },
      {
        status: 400,
        code: 'http_400:FIELD_011',
        retryable: false,
        detail: 'GET /x: request refused (400) — FIELD_011: bad value',
      },
    ],
    [
      '404 is refused, not retried',
      { status: 404 },
      { status: 404, code: 'http_404', retryable: false, detail: 'GET /x: request refused (404)' },
    ],
    [
      '409 is refused, not retried',
      { status: 409, remoteMessage: 'conflict' },
      { status: 409, code: 'http_409', retryable: false, detail: 'GET /x: request refused (409) — conflict' },
    ],
    [
      '499 is refused, not retried (the 5xx boundary)',
      { status: 499 },
      { status: 499, code: 'http_499', retryable: false, detail: 'GET /x: request refused (499)' },
    ],
    [
      '408 is retried',
      { status: 408 },
      { status: 408, code: 'http_408', retryable: true, ambiguous: true, detail: 'GET /x: remote error 408' },
    ],
    [
      '500 is retried',
      { status: 500, remoteMessage: 'boom' },
      { status: 500, code: 'http_500', retryable: true, ambiguous: true, detail: 'GET /x: remote error 500 — boom' },
    ],
    [
      '503 with Retry-After seconds is retried after them',
      { status: 503, headers: { 'retry-after': '7' } },
      {
        status: 503,
        code: 'http_503',
        retryable: true,
        ambiguous: true,
        retryAfterMs: 7000,
        detail: 'GET /x: remote error 503',
      },
    ],
    [
      '429 is retried; Retry-After in seconds',
      { status: 429, headers: { 'retry-after': '120' } },
      { status: 429, code: 'http_429', retryable: true, retryAfterMs: 120_000, detail: 'GET /x: rate limited (429)' },
    ],
    [
      '429 without any header has no wait of its own',
      { status: 429 },
      { status: 429, code: 'http_429', retryable: true, detail: 'GET /x: rate limited (429)' },
    ],
    [
      '429 with a remote code names it',
      { status: 429, remoteCode: 'APP_002', remoteMessage: 'Rate limit reached' },
      {
        status: 429,
        code: 'http_429:APP_002',
        retryable: true,
        detail: 'GET /x: rate limited (429) — APP_002: Rate limit reached',
      },
    ],
  ])('%s', (_name, outcome, expected) => {
    const r = classifyHttpFailure(outcome, 'GET /x', NOW);
    expect(r).toEqual(expected);
    expect(r.retryAfterMs).toBe(expected.retryAfterMs);
  });

  it('a 429 waits until X-RateLimit-Reset (epoch seconds) when there is no Retry-After', () => {
    const reset = String(NOW / 1000 + 42);
    expect(classifyHttpFailure({ status: 429, headers: { 'x-ratelimit-reset': reset } }, 'w', NOW).retryAfterMs).toBe(
      42_000,
    );
  });

  it('a 502 with an HTTP-date Retry-After waits until that date', () => {
    expect(
      classifyHttpFailure({ status: 502, headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' } }, 'w', NOW)
        .retryAfterMs,
    ).toBe(30_000);
  });

  it('a 4xx refusal carries no wait even when the server sent Retry-After', () => {
    expect(classifyHttpFailure({ status: 400, headers: { 'retry-after': '9' } }, 'w', NOW)).not.toHaveProperty(
      'retryAfterMs',
    );
  });
});

describe('retryAfterMs', () => {
  it.each<[string, HttpOutcome['headers'], number | undefined]>([
    ['delay-seconds', { 'retry-after': '120' }, 120_000],
    ['zero seconds', { 'retry-after': '0' }, 0],
    ['fractional seconds', { 'retry-after': '1.5' }, 1500],
    ['negative seconds are no wait, not a negative one', { 'retry-after': '-5' }, 0],
    // RFC 9110's own example date, 30 s after NOW.
    ['an HTTP-date 30 s ahead', { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, 30_000],
    ['an HTTP-date in the past is no wait', { 'retry-after': 'Wed, 21 Oct 2015 07:00:00 GMT' }, 0],
    ['a repeated header: the first value counts', { 'retry-after': ['3', '100'] }, 3000],
    ['X-RateLimit-Reset in epoch seconds', { 'x-ratelimit-reset': String(NOW / 1000 + 60) }, 60_000],
    ['X-RateLimit-Reset already past is no wait', { 'x-ratelimit-reset': String(NOW / 1000 - 60) }, 0],
    [
      'Retry-After wins over X-RateLimit-Reset',
      { 'retry-after': '5', 'x-ratelimit-reset': String(NOW / 1000 + 60) },
      5000,
    ],
    [
      'an unreadable Retry-After falls back to X-RateLimit-Reset',
      { 'retry-after': 'soon', 'x-ratelimit-reset': String(NOW / 1000 + 10) },
      10_000,
    ],
    ['an unreadable Retry-After alone is no answer', { 'retry-after': 'soon' }, undefined],
    ['an unreadable X-RateLimit-Reset is no answer', { 'x-ratelimit-reset': 'later' }, undefined],
    ['no headers at all', undefined, undefined],
    ['unrelated headers', { 'content-type': 'text/plain' }, undefined],
  ])('%s', (_name, headers, expected) => {
    expect(retryAfterMs(headers, NOW)).toBe(expected);
  });
});

describe('backoffMs', () => {
  // ceiling = min(max, base * 2^(attempt-1)); the wait is floor(ceiling/2 + random * ceiling/2).
  it.each<[number, number, number, number, number]>([
    // attempt, base, max, random, expected
    [1, 100, 1000, 0, 50],
    [1, 100, 1000, 0.5, 75],
    [1, 100, 1000, 0.999999, 99],
    [2, 100, 1000, 0, 100],
    [3, 100, 1000, 0, 200],
    [3, 100, 1000, 0.5, 300],
    [4, 100, 1000, 0.25, 500],
    [5, 100, 1000, 0, 500], // 1600 capped at 1000
    [5, 100, 1000, 0.999999, 999],
    [30, 100, 1000, 0.5, 750], // far past the cap: still capped, no overflow
    [0, 100, 1000, 0, 50], // attempt 0 counts as the first
    [-3, 100, 1000, 0, 50],
    [3, 250, 60_000, 0.1, 550],
  ])('attempt %i, base %i, max %i, random %d → %i ms', (attempt, base, max, random, expected) => {
    expect(backoffMs(attempt, base, max, () => random)).toBe(expected);
  });

  it('the jitter stays within [ceiling/2, ceiling] for any attempt and any random draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, base, max, r) => {
          const ceiling = Math.min(max, base * 2 ** (attempt - 1));
          const b = backoffMs(attempt, base, max, () => r);
          expect(b).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          // At most the ceiling: ceiling/2 + r·ceiling/2 with r just under 1 can round up to it in floating point.
          expect(b).toBeLessThanOrEqual(ceiling);
          expect(Number.isInteger(b)).toBe(true);
        },
      ),
    );
  });

  it('uses Math.random by default, and the waits it gives are spread, not one value', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffMs(4, 100, 10_000)));
    for (const v of seen) {
      expect(v).toBeGreaterThanOrEqual(400);
      expect(v).toBeLessThan(800);
    }
    expect(seen.size).toBeGreaterThan(10);
  });
});

// X-RateLimit-Reset a minute ahead, as ClickUp sends it on every answer (5xx included).
const windowHeaders = {
  'x-ratelimit-limit': '100',
  'x-ratelimit-remaining': '40',
  'x-ratelimit-reset': String(NOW / 1000 + 60),
};

describe('classifyHttpFailure: may the request have been applied?', () => {
  it.each([
    [{ status: 502 }, true],
    [{ status: 504 }, true],
    [{ status: 500 }, true],
    [{ status: 408 }, true],
    [{ status: 429 }, false],
    [{ status: 400 }, false],
    [{ networkCode: 'ECONNRESET' }, true],
    [{ networkCode: 'UND_ERR_SOCKET' }, true],
    [{ networkCode: 'UND_ERR_HEADERS_TIMEOUT' }, true],
    [{ networkCode: 'UND_ERR_BODY_TIMEOUT' }, true],
    [{ networkCode: 'ECONNREFUSED' }, false],
    [{ networkCode: 'UND_ERR_CONNECT_TIMEOUT' }, false],
    [{ networkCode: 'EAI_AGAIN' }, false],
  ])('%o → ambiguous %s', (o, ambiguous) => {
    expect(classifyHttpFailure(o, 'x', NOW).ambiguous ?? false).toBe(ambiguous);
  });

  it('a 5xx does not wait for the rate window to reset (it is not a 429)', () => {
    expect(classifyHttpFailure({ status: 502, headers: windowHeaders }, 'x', NOW).retryAfterMs).toBeUndefined();
    expect(classifyHttpFailure({ status: 429, headers: windowHeaders }, 'x', NOW).retryAfterMs).toBe(60_000);
  });

  it('a 503 with an explicit Retry-After is honoured', () => {
    expect(classifyHttpFailure({ status: 503, headers: { 'retry-after': '2' } }, 'x', NOW).retryAfterMs).toBe(2_000);
  });
});

describe('mayRepeatInPlace', () => {
  const ambiguous = classifyHttpFailure({ status: 502 }, 'x', NOW);
  const refused = classifyHttpFailure({ networkCode: 'ECONNREFUSED' }, 'x', NOW);
  const limited = classifyHttpFailure({ status: 429 }, 'x', NOW);
  const bad = classifyHttpFailure({ status: 400 }, 'x', NOW);
  it.each([
    ['GET', undefined, ambiguous, true],
    ['PUT', undefined, ambiguous, true],
    ['DELETE', undefined, ambiguous, true],
    ['POST', undefined, ambiguous, false],
    ['PATCH', undefined, ambiguous, false],
    ['POST', true, ambiguous, true],
    ['PUT', false, ambiguous, false],
    ['POST', undefined, refused, true],
    ['POST', undefined, limited, true],
    ['GET', undefined, bad, false],
  ] as const)('%s (idempotent %s) after %o → %s', (method, idempotent, e, want) => {
    expect(mayRepeatInPlace(method, e, idempotent)).toBe(want);
  });
});

describe('rate-limit headers carried with a failure', () => {
  it.each<[string, HttpOutcome['headers'], Record<string, string> | undefined]>([
    [
      'all three, other headers left out',
      {
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1700000060',
        'content-type': 'application/json',
      },
      { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1700000060' },
    ],
    ['only the limit', { 'x-ratelimit-limit': '100' }, { 'x-ratelimit-limit': '100' }],
    ['only the remaining count', { 'x-ratelimit-remaining': '7' }, { 'x-ratelimit-remaining': '7' }],
    ['only the reset', { 'x-ratelimit-reset': '1700000060' }, { 'x-ratelimit-reset': '1700000060' }],
    ['a repeated header: the first value', { 'x-ratelimit-remaining': ['3', '9'] }, { 'x-ratelimit-remaining': '3' }],
    ['none', { 'retry-after': '5' }, undefined],
    ['no headers at all', undefined, undefined],
  ])('%s', (_name, headers, expected) => {
    expect(rateLimitHeaders(headers)).toEqual(expected);
    const e = classifyHttpFailure({ status: 503, headers }, 'w', NOW);
    if (expected === undefined) expect(e).not.toHaveProperty('rateLimitHeaders');
    else expect(e.rateLimitHeaders).toEqual(expected);
  });

  it('a 5xx waits only for an explicit Retry-After, never for the rate-limit window', () => {
    const reset = String(NOW / 1000 + 60);
    expect(explicitRetryAfterMs({ 'x-ratelimit-reset': reset }, NOW)).toBeUndefined();
    expect(explicitRetryAfterMs({ 'retry-after': '3', 'x-ratelimit-reset': reset }, NOW)).toBe(3000);
    expect(explicitRetryAfterMs({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }, NOW)).toBe(30_000);
    expect(
      classifyHttpFailure({ status: 502, headers: { 'x-ratelimit-reset': reset } }, 'w', NOW).retryAfterMs,
    ).toBeUndefined();
  });
});
