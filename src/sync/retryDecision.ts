import { backoffMs } from '../connectors/http/decideRetry.ts';

/** A wait asked for by a remote (Retry-After, a rate-limit reset) is honoured up to this long (or the backoff cap when larger). */
export const MAX_REMOTE_WAIT_MS = 15 * 60_000;
/** 429s keep a job's attempt only this long after its failures began: an endless 429 ends in the dead letters, not in a loop. */
export const RATE_LIMIT_PATIENCE_MS = 6 * 3_600_000;

export interface RetryInput {
  outcome: {
    error: string;
    retryAfterMs?: number;
    refundAttempt?: boolean;
    rateLimited?: boolean;
    unavailable?: boolean;
  };
  /** Attempts used, counting this one. */
  attempts: number;
  maxAttempts: number;
  /**
   * How long the job has been failing: now − its `failing_since` (0 at its first failure). Not its age: a job
   * created long ago (scheduled ahead, waiting behind its queue) that starts failing now gets the full patience.
   */
  failingMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** dispatcher.outage_patience_minutes in ms; 0: an unavailable remote uses attempts like any failure. */
  outagePatienceMs: number;
  random?: () => number;
}

export type RetryDecision =
  { action: 'retry'; waitMs: number; refundAttempt: boolean } | { action: 'dead'; reason: string };

/**
 * Pure: what a 'retry' outcome does to the job. A rate limit (429) keeps the attempt for
 * RATE_LIMIT_PATIENCE_MS of failing. A remote that is unavailable (5xx, 408, refused or reset
 * connection, timeout) keeps it, after the first, for `outagePatienceMs` of failing, so an outage of the other side
 * delays work instead of dead-lettering it; its wait grows with how long the job has been failing (about half of it, jittered, capped at
 * backoffMaxMs), so a long outage costs each job a call per backoffMaxMs at most. Anything else uses an
 * attempt and waits the exponential backoff; the last attempt goes to the dead letters.
 */
export function decideRetry(i: RetryInput): RetryDecision {
  const random = i.random ?? Math.random;
  const o = i.outcome;
  const patient = !!o.unavailable && i.outagePatienceMs > 0 && i.failingMs < i.outagePatienceMs;
  // The first attempt counts even then: handlers take attempt > 1 to mean "an earlier run may have saved
  // its write" (flows/shared/saved.ts), and a 502, 504 or reset connection may have been applied.
  const outageRefund = patient && i.attempts > 1;
  const refund = outageRefund || (!!o.refundAttempt && !(o.rateLimited && i.failingMs > RATE_LIMIT_PATIENCE_MS));
  if (!refund && i.attempts >= i.maxAttempts) {
    const outage =
      o.unavailable && i.outagePatienceMs > 0
        ? `; the remote was still unavailable ${Math.round(i.failingMs / 60_000)} min after its failures began (outage patience ${Math.round(i.outagePatienceMs / 60_000)} min)`
        : '';
    return { action: 'dead', reason: `gave up after ${i.attempts} attempts${outage}: ${o.error}` };
  }
  const asked = Math.min(o.retryAfterMs ?? 0, Math.max(MAX_REMOTE_WAIT_MS, i.backoffMaxMs));
  let own: number;
  if (outageRefund) {
    const ceiling = Math.min(i.backoffMaxMs, Math.max(i.backoffBaseMs, i.failingMs / 2));
    own = Math.floor(ceiling / 2 + random() * (ceiling / 2));
  } else own = refund ? 0 : backoffMs(i.attempts, i.backoffBaseMs, i.backoffMaxMs, random);
  return { action: 'retry', waitMs: Math.max(asked, own), refundAttempt: refund };
}
