import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { HttpClient, type HttpRequest, type StreamResponse } from '../http/httpClient.ts';
import { backoffMs, mayRepeatInPlace } from '../http/decideRetry.ts';
import { err, ok, remoteUnavailable, type RemoteError, type Result } from '../../core/result.ts';
import type { ClickUpRateLimiter } from './rateLimiter.ts';
import { currentJobSignal, jobStopped, unlessAborted } from '../../core/jobSignal.ts';

export interface RetryPolicy {
  /** Attempts for 5xx, resets and timeouts (429s wait for the reset and do not count). */
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
  /** Upper bound on consecutive 429s for one call, so a broken remote cannot hold a caller forever. */
  max429: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseMs: 250, maxMs: 15_000, max429: 50 };

export interface ClickUpCall {
  method: Dispatcher.HttpMethod;
  path: string;
  query?: HttpRequest['query'];
  json?: unknown;
  body?: HttpRequest['body'];
  headers?: Record<string, string>;
  timeoutMs?: number;
  /**
   * Whether sending the call twice has the effect of sending it once. Default: by method (GET, PUT and
   * DELETE yes; POST no). Creates pass false whatever their method; a POST that sets a value passes true.
   */
  idempotent?: boolean;
}

/** ClickUp error bodies are `{err, ECODE}`. */
export function clickUpRemote(body: unknown): { code?: string; message?: string } {
  if (body && typeof body === 'object') {
    const b = body as { err?: unknown; ECODE?: unknown };
    return {
      code: typeof b.ECODE === 'string' ? b.ECODE : undefined,
      message: typeof b.err === 'string' ? b.err : undefined,
    };
  }
  return {};
}

/**
 * A 401 from ClickUp is one of two different things. "Team not authorized" (OAUTH_027 and its family) answers an id the
 * token cannot reach (it does not exist, or its Workspace, Space or List is not shared with the token's
 * user): the token is fine, the id or the sharing is wrong. Any other 401 (OAUTH_017 no header,
 * OAUTH_019/021/025/077 "Token not found") means the token itself is refused.
 */
/** "Team not authorized": OAUTH_023, OAUTH_026, OAUTH_027 and OAUTH_029 to OAUTH_045 (developer.clickup.com/docs/common_errors). */
const TEAM_NOT_AUTHORIZED = /^OAUTH_0(?:23|26|27|29|3\d|4[0-5])$/;

export function explainClickUpAuth(e: RemoteError, method: string, path: string): RemoteError {
  if (e.status !== 401) return e;
  const ecode = e.code.startsWith('http_401:') ? e.code.slice('http_401:'.length) : undefined;
  if (ecode !== undefined && TEAM_NOT_AUTHORIZED.test(ecode)) {
    const m = /\/v2\/(list|task|team|folder|space|checklist|webhook)\/([^/?]+)/.exec(path);
    const what = m ? `${m[1] === 'team' ? 'workspace' : m[1]} ${decodeURIComponent(m[2]!)}` : path;
    return {
      ...e,
      code: 'clickup:cannot_see',
      detail: `${method} ${path}: the token cannot see ${what} (${ecode} Team not authorized): check the id, or share it with the token's user`,
    };
  }
  return {
    ...e,
    code: 'clickup:token_refused',
    detail: `${method} ${path}: ClickUp refused the token (${ecode ?? 'no ECODE'}): put a valid token where clickup.token points`,
  };
}

/**
 * The one HTTP helper every resource file goes through: auth header, rate limiter, retries with
 * backoff for 429/5xx/resets/timeouts, ClickUp's {err, ECODE} in the error.
 */
export class ClickUpTransport {
  readonly http: HttpClient;
  private readonly auth: string;
  /** When ClickUp last started failing to answer (5xx, 408, no answer) with no answer since; null while it answers. */
  private downSince: number | null = null;
  private readonly recovered = new Set<(downSince: number) => void>();

  constructor(
    baseUrl: string,
    token: string,
    readonly limiter: ClickUpRateLimiter,
    private readonly retry: RetryPolicy,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly logger?: Logger,
    timeoutMs?: number,
  ) {
    this.http = new HttpClient(baseUrl, { name: 'clickup', now, timeoutMs: timeoutMs ?? 30_000 });
    // Personal tokens (pk_…) go as-is; OAuth access tokens as Bearer.
    this.auth = token.startsWith('pk_') || /^bearer /i.test(token) ? token : `Bearer ${token}`;
  }

  /**
   * `fn` is called each time ClickUp answers again after being unavailable (5xx, 408, refused or reset connection,
   * timeout): any answer that is not one of those (2xx, 4xx, 429) ends the outage. Returns the unsubscribe.
   */
  onRecovered(fn: (downSince: number) => void): () => void {
    this.recovered.add(fn);
    return () => this.recovered.delete(fn);
  }

  /** Notes whether ClickUp answered; the first answer after an outage tells the `onRecovered` listeners. */
  private observe(r: Result<unknown>): void {
    const e = r.ok ? null : r.error;
    if (e && remoteUnavailable(e)) {
      this.downSince ??= this.now();
      return;
    }
    if (e && e.status === undefined) return;
    const since = this.downSince;
    if (since === null) return;
    this.downSince = null;
    for (const fn of this.recovered) {
      try {
        fn(since);
      } catch (err) {
        this.logger?.warn({ err }, 'a ClickUp recovery listener failed');
      }
    }
  }

  private async withRetry<T>(call: ClickUpCall, once: () => Promise<Result<T>>, metered = true): Promise<Result<T>> {
    let attempt = 0;
    let limited = 0;
    for (;;) {
      if (metered && !(await this.acquireUnlessStopped()))
        return {
          ok: false,
          error: {
            code: 'job_stopped',
            retryable: true,
            detail: `clickup ${call.method} ${call.path}: not sent: ${jobStopped()}`,
          },
        };
      const r = await once();
      if (r.ok) return r;
      const e: RemoteError = r.error;
      if (e.status === 429 && metered) {
        this.limiter.onRateLimited(e.retryAfterMs);
        if (++limited <= this.retry.max429) continue;
        return r;
      }
      attempt++;
      if (!mayRepeatInPlace(call.method, e, call.idempotent)) {
        if (e.retryable && e.ambiguous) {
          // Never repeated blindly: the caller finds out whether it was saved before sending it again.
          this.logger?.debug(
            { code: e.code },
            `clickup ${call.method} ${call.path} may have been applied; not repeated in place`,
          );
          return {
            ok: false,
            error: { ...e, detail: `${e.detail} (the request may have been applied; not repeated)` },
          };
        }
        return r;
      }
      if (attempt >= this.retry.maxAttempts) return r;
      // A 5xx's own backoff; an explicit Retry-After is honoured up to the policy's cap.
      const wait = Math.max(
        backoffMs(attempt, this.retry.baseMs, this.retry.maxMs),
        Math.min(e.retryAfterMs ?? 0, this.retry.maxMs),
      );
      this.logger?.debug({ code: e.code, attempt, wait }, `clickup ${call.method} ${call.path} retrying`);
      // A stopped job (shutdown, deadline, lost lease) does not sit out its retry wait.
      await unlessAborted(this.sleep(wait), currentJobSignal(), undefined);
    }
  }

  /**
   * Wait for the limiter, unless the running job is stopped first (a 429 wait can be a minute). A slot
   * granted after we gave up is handed back at once, so the limiter's count stays right.
   */
  private async acquireUnlessStopped(): Promise<boolean> {
    const signal = currentJobSignal();
    const slot = this.limiter.acquire();
    if (!signal) {
      await slot;
      return true;
    }
    const got = await unlessAborted(
      slot.then(() => true),
      signal,
      false,
    );
    if (!got) void slot.then(() => this.limiter.done(undefined));
    return got;
  }

  /** JSON call; resolves to the parsed body (or undefined for an empty one). */
  request<T>(call: ClickUpCall): Promise<Result<T>> {
    // The file marks Content-Type as a required header on several body-less calls (GET fields, DELETE task).
    const headers: Record<string, string> =
      call.json === undefined && call.body === undefined
        ? { authorization: this.auth, 'content-type': 'application/json', ...call.headers }
        : { authorization: this.auth, ...call.headers };
    const req: HttpRequest = {
      method: call.method,
      path: call.path,
      query: call.query,
      json: call.json,
      body: call.body,
      headers,
      timeoutMs: call.timeoutMs,
    };
    return this.withRetry(call, async () => {
      const r = await this.http.json<T>(req, clickUpRemote);
      // Error answers carry the budget too (ClickUp sends X-RateLimit-* on 4xx and 5xx).
      this.limiter.done(r.ok ? r.value.headers : r.error.rateLimitHeaders);
      this.observe(r);
      return r.ok
        ? ok(r.value.data)
        : err({ ...explainClickUpAuth(r.error, call.method, call.path), remote: 'clickup' });
    });
  }

  /**
   * Streamed GET of an absolute URL on an already-checked host (attachments). `metered` when the URL
   * is on the API host itself (counts against the token's budget); attachment storage is not.
   */
  async stream(url: URL, withAuth: boolean, metered: boolean): Promise<Result<StreamResponse>> {
    const client = new HttpClient(url.origin, { name: 'clickup-download', now: this.now });
    const call: ClickUpCall = { method: 'GET', path: url.pathname + url.search };
    const r = await this.withRetry(
      call,
      async () => {
        const res = await client.stream({
          method: 'GET',
          path: url.pathname + url.search,
          headers: withAuth ? { authorization: this.auth } : {},
        });
        if (metered) {
          this.limiter.done(res.ok ? res.value.headers : res.error.rateLimitHeaders);
          this.observe(res);
        }
        return res.ok ? res : err({ ...res.error, remote: 'clickup' });
      },
      metered,
    );
    if (!r.ok) {
      await client.close();
      return r;
    }
    r.value.body.once('close', () => void client.close());
    return r;
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

export function invalidInput(where: string, detail: string): Result<never> {
  return err({ code: 'clickup:invalid_input', retryable: false, detail: `${where}: ${detail}` });
}
