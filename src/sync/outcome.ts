import { remoteUnavailable, type RemoteError } from '../core/result.ts';
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
