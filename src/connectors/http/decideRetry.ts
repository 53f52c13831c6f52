import type { RemoteError } from '../../core/result.ts';

export interface HttpOutcome {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  /** Network-level failure code (ECONNRESET, UND_ERR_CONNECT_TIMEOUT, ...) when no response came. */
  networkCode?: string;
  /** Short text from the remote error body, for the message. */
  remoteMessage?: string;
  /** Remote error code from the body (ClickUp ECODE, Trading Grid error.code). */
  remoteCode?: string;
}

const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * Network failures that can happen after the request left: the server may have applied it. A refused
 * connection, a failed name look-up or a connect timeout mean nothing was sent.
 */
const MAYBE_SENT_NETWORK = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'network_error',
]);

/** Methods RFC 9110 §9.2.2 calls idempotent: repeating them after a lost answer has the effect of one. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

function header(h: HttpOutcome['headers'], name: string): string | undefined {
  const v = h?.[name] ?? h?.[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Milliseconds to wait from Retry-After (seconds or HTTP date) or X-RateLimit-Reset (epoch seconds). */
export function retryAfterMs(h: HttpOutcome['headers'], nowMs: number): number | undefined {
  const ra = header(h, 'retry-after');
  if (ra !== undefined) {
    const secs = Number(ra);
    if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - nowMs);
  }
  const reset = header(h, 'x-ratelimit-reset');
  if (reset !== undefined && Number.isFinite(Number(reset))) return Math.max(0, Number(reset) * 1000 - nowMs);
  return undefined;
}

/** Milliseconds from an explicit Retry-After header only (seconds or HTTP date). */
export function explicitRetryAfterMs(h: HttpOutcome['headers'], nowMs: number): number | undefined {
  return header(h, 'retry-after') === undefined
    ? undefined
    : retryAfterMs({ 'retry-after': header(h, 'retry-after') }, nowMs);
}

/**
 * Pure: may this call be sent again at once after `e`? Not when the failure is ambiguous (the request may
 * have been applied) and the call is not idempotent: a POST repeated after its save makes a second task,
 * comment or attachment. `idempotent` overrides the method's default (a POST that sets a value is
 * idempotent; any create is not, whatever its method).
 */
export function mayRepeatInPlace(method: string, e: RemoteError, idempotent?: boolean): boolean {
  if (!e.retryable) return false;
  if (!e.ambiguous) return true;
  return idempotent ?? IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/** The X-RateLimit-* headers of an answer, or undefined when it has none. */
export function rateLimitHeaders(h: HttpOutcome['headers']): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) {
    const v = header(h, name);
    if (v !== undefined) (out ??= {})[name] = v;
  }
  return out;
}

/** Pure classification of one HTTP attempt: is it worth retrying, and how soon at the earliest. */
export function classifyHttpFailure(o: HttpOutcome, where: string, nowMs: number): RemoteError {
  const e = classifyHttpFailureOnly(o, where, nowMs);
  const rl = rateLimitHeaders(o.headers);
  return rl ? { ...e, rateLimitHeaders: rl } : e;
}

function classifyHttpFailureOnly(o: HttpOutcome, where: string, nowMs: number): RemoteError {
  if (o.status === undefined) {
    const code = o.networkCode ?? 'network_error';
    const retryable = RETRYABLE_NETWORK.has(code) || code === 'network_error';
    return {
      code,
      retryable,
      ...(MAYBE_SENT_NETWORK.has(code) ? { ambiguous: true } : {}),
      detail: `${where}: no response (${code})`,
    };
  }
  const s = o.status;
  const suffix =
    o.remoteCode || o.remoteMessage ? ` — ${[o.remoteCode, o.remoteMessage].filter(Boolean).join(': ')}` : '';
  const base = { status: s, code: o.remoteCode ? `http_${s}:${o.remoteCode}` : `http_${s}` };
  if (s === 429)
    return {
      ...base,
      retryable: true,
      retryAfterMs: retryAfterMs(o.headers, nowMs),
      detail: `${where}: rate limited (429)${suffix}`,
    };
  if (s === 401 || s === 403)
    return {
      ...base,
      retryable: false,
      detail: `${where}: credentials rejected (${s}); check the token or client secret${suffix}`,
    };
  // A 5xx is not a 429: ClickUp sends X-RateLimit-Reset on every answer, but waiting for the window to
  // reset (up to a minute) says nothing about when the remote recovers. Only an explicit Retry-After
  // (503's documented use) is honoured; otherwise the caller's own backoff decides. A gateway error
  // (502/504) may come after the origin applied the request: ambiguous.
  if (s === 408 || s >= 500)
    return {
      ...base,
      retryable: true,
      ambiguous: true,
      retryAfterMs: explicitRetryAfterMs(o.headers, nowMs),
      detail: `${where}: remote error ${s}${suffix}`,
    };
  return { ...base, retryable: false, detail: `${where}: request refused (${s})${suffix}` };
}

/** Exponential backoff with full jitter, capped. `random` is injected so tests are tables. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}
