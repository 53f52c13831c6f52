import type { RemoteError } from '../core/result.ts';
import type { JobOutcome } from './dispatcher.ts';

/** A remote failure as a job outcome: retryable ones come back later (not before the remote asks), others are dead letters. */
export function outcomeFromRemote(e: RemoteError, context: string): JobOutcome {
  // "ambiguous": the request may have been applied; the job's next attempt (attempt > 1) looks for the
  // saved write before sending it again (flows/shared/saved.ts).
  const error = `${context}: ${e.detail} [${e.code}]${e.ambiguous ? ' [ambiguous]' : ''}`;
  if (!e.retryable) return { status: 'fail', error };
  // A rate-limit wait is the remote's pacing, not a failure of the job: it keeps its attempt.
  return {
    status: 'retry',
    error,
    retryAfterMs: e.retryAfterMs,
    refundAttempt: e.status === 429,
    ...(e.status === 429 ? { rateLimited: true } : {}),
    ...(remoteUnavailable(e) ? { unavailable: true, ...(e.remote ? { remote: e.remote } : {}) } : {}),
  };
}

/**
 * The remote is down or overloaded rather than refusing this request: a 5xx, a 408, or no answer at all
 * (connection refused or reset, a timeout). Retrying later is all there is to do, so the dispatcher keeps
 * the job's attempts while its outage patience lasts. A 429 is pacing, handled apart; other 4xx are the
 * request's own fault.
 */
export function remoteUnavailable(e: RemoteError): boolean {
  if (!e.retryable) return false;
  if (e.unavailable !== undefined) return e.unavailable;
  return e.status === undefined || e.status === 408 || e.status >= 500;
}
