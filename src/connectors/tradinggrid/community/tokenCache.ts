import { err, ok, type RemoteError, type Result } from '../../../core/result.ts';
import type { HttpClient } from '../../http/httpClient.ts';
import { TokenResponseSchema, describeZodIssues } from '../events.ts';
import { extractTradingGridError } from './remoteError.ts';

export interface TokenCacheOptions {
  http: HttpClient;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  now: () => number;
  /** Refresh this long before expiry at most (default 30 s; never more than a tenth of the lifetime). */
  skewMs?: number;
}

/**
 * OAuth2 client-credentials token for one tenant, cached until shortly before expiry. Concurrent
 * callers share one in-flight token request, so a burst of 2,000 calls fetches one token.
 */
export class TokenCache {
  private token: { value: string; refreshAt: number } | undefined;
  private inflight: Promise<Result<string>> | undefined;
  /** Token requests made (for tests and metrics). */
  fetches = 0;

  constructor(private readonly o: TokenCacheOptions) {}

  /** A valid bearer token, from cache when fresh. */
  get(): Promise<Result<string>> {
    const t = this.token;
    if (t && this.o.now() < t.refreshAt) return Promise.resolve(ok(t.value));
    return (this.inflight ??= this.fetch().finally(() => {
      this.inflight = undefined;
    }));
  }

  /** Drop `value` if it is still the cached one (the server said 401 to it). */
  invalidate(value: string): void {
    if (this.token?.value === value) this.token = undefined;
  }

  private async fetch(): Promise<Result<string>> {
    this.fetches++;
    const path = `/tenants/${encodeURIComponent(this.o.tenantId)}/oauth2/token`;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.o.clientId,
      client_secret: this.o.clientSecret,
    }).toString();
    const r = await this.o.http.json<unknown>(
      {
        method: 'POST',
        path,
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      },
      extractTradingGridError,
    );
    if (!r.ok) {
      const s = r.error.status;
      if (s === 400 || s === 401 || s === 403)
        return err(
          credentialError(
            `token request for tenant ${this.o.tenantId} refused (${s}); check client_id/client_secret`,
            s,
          ),
        );
      return r;
    }
    const parsed = TokenResponseSchema.safeParse(r.value.data);
    if (!parsed.success) {
      return err({
        code: 'tg:bad_response',
        retryable: false,
        status: r.value.status,
        detail: `Trading Grid token response malformed: ${describeZodIssues(parsed.error.issues)}`,
      });
    }
    const lifeMs = parsed.data.expires_in * 1000;
    const skew = Math.min(this.o.skewMs ?? 30_000, lifeMs / 10);
    this.token = { value: parsed.data.access_token, refreshAt: this.o.now() + lifeMs - skew };
    return ok(parsed.data.access_token);
  }
}

export function credentialError(detail: string, status?: number): RemoteError {
  return { code: 'tg:credentials', retryable: false, detail, ...(status !== undefined ? { status } : {}) };
}
