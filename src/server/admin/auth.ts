import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { createAdminSession, deleteAdminSession, deleteExpiredAdminSessions, findAdminSession, touchAdminSession } from '../../store/ops/adminSessions.ts';
import { matchToken, type AdminCredentials, type AdminRole } from './credentials.ts';
import { verifyPassword } from './password.ts';
import { SignInLimiter } from './signInLimiter.ts';

export const SESSION_COOKIE = 'gb_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Who is calling: by a bearer token (API clients) or by a console session (cookie + CSRF token). */
export interface Principal {
  actor: string;
  role: AdminRole;
  via: 'token' | 'session';
  csrfToken: string | null;
  expiresAt: number | null;
}

export type AdminEnv = { Variables: { principal: Principal } };

export interface AuthOptions {
  db: Kysely<Database>;
  credentials: AdminCredentials;
  sessionTtlMs: number;
  secureCookies: 'auto' | 'always' | 'never';
  signInAttemptsPer15Minutes: number;
  now: () => number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const sameSecret = (a: string, b: string) => {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
};
// Spent on unknown user names too, so a wrong name takes as long as a wrong password.
const DUMMY_HASH = 'scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA$' + Buffer.alloc(64, 1).toString('base64url');

function clientAddress(c: Context): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

/** Sessions, sign-in, and the guards every admin route goes through. */
export class AdminAuth {
  readonly limiter: SignInLimiter;
  private lastSweep = 0;

  constructor(private readonly o: AuthOptions) {
    this.limiter = new SignInLimiter(o.signInAttemptsPer15Minutes);
  }

  get configured(): boolean {
    return this.o.credentials.tokens.length + this.o.credentials.users.length > 0;
  }

  /** POST /api/session body: {token} or {user, password}. */
  async signIn(c: Context): Promise<Response> {
    const now = this.o.now();
    const addr = clientAddress(c);
    const wait = this.limiter.retryAfterMs(addr, now);
    if (wait > 0) {
      c.header('Retry-After', String(Math.ceil(wait / 1000)));
      return c.json({ error: `too many failed sign-ins from this address; try again in ${Math.ceil(wait / 60_000)} minute(s)` }, 429);
    }
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) return c.json({ error: 'send the credentials as application/json' }, 415);
    let body: { token?: unknown; user?: unknown; password?: unknown };
    try {
      body = (await c.req.json()) as typeof body;
    } catch {
      return c.json({ error: 'body is not valid JSON' }, 400);
    }
    if (!this.configured) return c.json({ error: 'no admin token or user is configured (admin.tokens / admin.users in the config); run `gridbridge doctor`' }, 401);
    let who: { name: string; role: AdminRole } | null = null;
    if (typeof body.token === 'string' && body.token.length > 0) {
      const t = matchToken(this.o.credentials, body.token);
      if (t) who = { name: `token:${t.name}`, role: t.role };
    } else if (typeof body.user === 'string' && typeof body.password === 'string') {
      const u = this.o.credentials.users.find((x) => x.name === body.user);
      const good = await verifyPassword(body.password, u?.passwordHash ?? DUMMY_HASH);
      if (u && good) who = { name: u.name, role: u.role };
    } else {
      return c.json({ error: 'send {"token": "…"} or {"user": "…", "password": "…"}' }, 400);
    }
    if (!who) {
      this.limiter.fail(addr, now);
      return c.json({ error: 'sign-in refused: unknown token, user or password' }, 401);
    }
    this.limiter.succeed(addr);
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const expiresAt = now + this.o.sessionTtlMs;
    await createAdminSession(this.o.db, { id_hash: sha256(id), actor: who.name, role: who.role, csrf_token: csrf, created_at: now, expires_at: expiresAt, last_seen_at: now });
    this.setSessionCookie(c, id);
    if (now - this.lastSweep > 3_600_000) {
      this.lastSweep = now;
      await deleteExpiredAdminSessions(this.o.db, now);
    }
    return c.json({ actor: who.name, role: who.role, csrfToken: csrf, expiresAt });
  }

  async signOut(c: Context<AdminEnv>): Promise<Response> {
    const id = getCookie(c, SESSION_COOKIE);
    if (id) await deleteAdminSession(this.o.db, sha256(id));
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: this.secure(c), httpOnly: true, sameSite: 'Strict' });
    return c.json({ signedOut: true });
  }

  /** Every /api route but sign-in and the OpenAPI document: 401 without a valid token or session; CSRF on changes. */
  authenticate(): MiddlewareHandler<AdminEnv> {
    return async (c, next) => {
      const principal = await this.principalOf(c);
      if (!principal) return c.json({ error: 'sign in first: send Authorization: Bearer <admin token>, or sign in at /ui' }, 401);
      if (principal.via === 'session' && !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
        const presented = c.req.header(CSRF_HEADER) ?? '';
        if (!presented || !sameSecret(presented, principal.csrfToken!)) return c.json({ error: `CSRF check failed: send this session's token in the ${CSRF_HEADER} header` }, 403);
      }
      c.set('principal', principal);
      await next();
    };
  }

  /** Changes need the admin role. */
  requireAdmin(): MiddlewareHandler<AdminEnv> {
    return async (c, next) => {
      if (c.get('principal').role !== 'admin') return c.json({ error: `${c.get('principal').actor} is read-only: this action needs the admin role` }, 403);
      await next();
    };
  }

  private async principalOf(c: Context): Promise<Principal | null> {
    const auth = c.req.header('authorization');
    if (auth) {
      const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
      const t = m ? matchToken(this.o.credentials, m[1]!) : null;
      return t ? { actor: `token:${t.name}`, role: t.role, via: 'token', csrfToken: null, expiresAt: null } : null;
    }
    const id = getCookie(c, SESSION_COOKIE);
    if (!id) return null;
    const now = this.o.now();
    const s = await findAdminSession(this.o.db, sha256(id), now);
    if (!s) return null;
    let expiresAt = s.expires_at;
    // Sliding expiry, written at most once a minute.
    if (now - s.last_seen_at > 60_000) {
      expiresAt = now + this.o.sessionTtlMs;
      await touchAdminSession(this.o.db, s.id_hash, now, expiresAt);
      this.setSessionCookie(c, id);
    }
    return { actor: s.actor, role: s.role, via: 'session', csrfToken: s.csrf_token, expiresAt };
  }

  private secure(c: Context): boolean {
    return this.o.secureCookies === 'always' || (this.o.secureCookies === 'auto' && isHttps(c));
  }

  private setSessionCookie(c: Context, id: string): void {
    setCookie(c, SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'Strict', secure: this.secure(c), maxAge: Math.floor(this.o.sessionTtlMs / 1000) });
  }
}
