/** Errors as values at boundaries: connectors return these for expected failures and throw only for bugs. */
export interface RemoteError {
  /** Stable machine code, e.g. `http_429`, `http_500`, `ECONNRESET`, `clickup:FIELD_011`, `tg:not_found`. */
  code: string;
  /** Whether trying the same call again later may succeed. */
  retryable: boolean;
  /** Human sentence: what failed and where. Never contains secrets. */
  detail: string;
  status?: number;
  /** Wait at least this long before retrying (from Retry-After / X-RateLimit-Reset). */
  retryAfterMs?: number;
  /**
   * The request was sent and its answer was lost (5xx, reset, timeout): the remote may have applied it.
   * A non-idempotent call (a create) must be looked up before it is sent again, never repeated blindly.
   */
  ambiguous?: boolean;
  /**
   * The remote is down or overloaded rather than refusing this request, said by a connector whose `status` is
   * not HTTP's (SMTP's 4yz replies). Absent: judged from an HTTP status (5xx, 408) or no answer at all.
   */
  unavailable?: boolean;
  /** Which remote failed (e.g. 'clickup'), when its connector says: jobs waiting out its outage are told when it is back. */
  remote?: string;
  /** The answer's X-RateLimit-* headers, when it had any (a limiter learns the budget from errors too). */
  rateLimitHeaders?: Record<string, string>;
}

export type Result<T, E = RemoteError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E = RemoteError>(error: E): Result<never, E> => ({ ok: false, error });

/** Thrown by code that cannot go on without the value (e.g. start-up checks); carries the RemoteError. */
export class RemoteFailure extends Error {
  constructor(readonly error: RemoteError) {
    super(error.detail);
    this.name = 'RemoteFailure';
  }
}

export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new RemoteFailure(r.error);
}

/**
 * The remote is down or overloaded rather than refusing this request: a 5xx, a 408, or no answer at all
 * (connection refused or reset, a timeout). Retrying later is all there is to do, so the dispatcher keeps
 * the job's attempts while its outage patience lasts, and the ClickUp transport counts it as an outage. A 429
 * is pacing, handled apart; other 4xx are the request's own fault.
 */
export function remoteUnavailable(e: RemoteError): boolean {
  if (!e.retryable) return false;
  if (e.unavailable !== undefined) return e.unavailable;
  return e.status === undefined || e.status === 408 || e.status >= 500;
}
