import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import {
  createAdminSession,
  deleteAdminSession,
  deleteExpiredAdminSessions,
  findAdminSession,
  touchAdminSession,
} from '../../store/ops/adminSessions.ts';
import { matchToken, type AdminCredentials, type AdminRole } from './credentials.ts';
import { verifyPassword } from './password.ts';
import { addressPrefix, SignInLimiter, WorkGate } from './signInLimiter.ts';
import { readJsonBody } from '../rawBody.ts';
import { clientAddress } from '../peerAddress.ts';

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
  /** Absolute lifetime of a session, however often it is used. */
  sessionMaxMs?: number;
  now: () => number;
  logger?: { warn(obj: object, msg: string): void };
}

/** Sign-in bodies are a user and a password or a token: a few hundred bytes. */
const SIGN_IN_BODY_LIMIT = 8 * 1024;
/** Each scrypt check takes 32 MB and ~100 ms of a libuv thread shared with DNS and files: two at a time, a short queue. */
const SCRYPT_CONCURRENCY = 2;
const SCRYPT_QUEUE = 16;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const sameSecret = (a: string, b: string) => {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
};
// Spent on unknown user names too, so a wrong name takes as long as a wrong password.
const DUMMY_HASH = 'scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA$' + Buffer.alloc(64, 1).toString('base64url');

function isHttps(c: Context): boolean {
  return (
    new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https'
  );
}

/** Sessions, sign-in, and the guards every admin route goes through. */
export class AdminAuth {
  readonly limiter: SignInLimiter;
  /** All sign-ins from one address prefix, whatever the user: ten users' worth of failures. */
  private readonly addressLimiter: SignInLimiter;
  /** Wrong bearer tokens on /api per address prefix. */
  private readonly bearerLimiter: SignInLimiter;
  private readonly scrypt = new WorkGate(SCRYPT_CONCURRENCY, SCRYPT_QUEUE);
  private readonly sessionMaxMs: number;
  private lastSweep = 0;

  constructor(private readonly o: AuthOptions) {
    this.limiter = new SignInLimiter(o.signInAttemptsPer15Minutes);
    this.addressLimiter = new SignInLimiter(o.signInAttemptsPer15Minutes * 10);
    this.bearerLimiter = new SignInLimiter(o.signInAttemptsPer15Minutes);
    this.sessionMaxMs = o.sessionMaxMs ?? 24 * 3_600_000;
  }

  get configured(): boolean {
    return this.o.credentials.tokens.length + this.o.credentials.users.length > 0;
  }

  /** POST /api/session body: {token} or {user, password}. */
  async signIn(c: Context): Promise<Response> {
    const now = this.o.now();
    const prefix = addressPrefix(clientAddress(c));
    // The whole address prefix waits once it has failed far beyond any one user's limit (guessing across user names).
    const addrWait = this.addressLimiter.retryAfterMs(`${prefix}|*`, now);
    if (addrWait > 0) return this.tooMany(c, addrWait);
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json'))
      return c.json({ error: 'send the credentials as application/json' }, 415);
    const read = await readJsonBody(c, SIGN_IN_BODY_LIMIT);
    if (!read.ok) return c.json({ error: read.error }, read.status);
    const body = (read.value && typeof read.value === 'object' ? read.value : {}) as {
      token?: unknown;
      user?: unknown;
      password?: unknown;
    };
    if (!this.configured)
      return c.json(
        {
          error:
            'no admin token or user is configured (admin.tokens / admin.users in the config); run `gridbridge doctor`',
        },
        401,
      );
    const byToken = typeof body.token === 'string' && body.token.length > 0;
    const byPassword = !byToken && typeof body.user === 'string' && typeof body.password === 'string';
    if (!byToken && !byPassword) return c.json({ error: 'send {"token": "…"} or {"user": "…", "password": "…"}' }, 400);
    const key = `${prefix}|${byToken ? 'token:' : 'user:'}${byToken ? '' : String(body.user).slice(0, 200)}`;
    // Counted before any await: parallel guesses each take a place in the window, and only the ones within the limit go on.
    const wait = this.limiter.begin(key, now);
    if (wait > 0) return this.tooMany(c, wait);
    this.addressLimiter.fail(`${prefix}|*`, now);
    let who: { name: string; role: AdminRole } | null = null;
    if (byToken) {
      const t = matchToken(this.o.credentials, body.token as string);
      if (t) who = { name: `token:${t.name}`, role: t.role };
    } else {
      const u = this.o.credentials.users.find((x) => x.name === body.user);
      const checked = await this.scrypt.run(() =>
        verifyPassword(String(body.password).slice(0, 1024), u?.passwordHash ?? DUMMY_HASH),
      );
      if (!checked.ok) {
        c.header('Retry-After', '1');
        return c.json({ error: 'too many sign-ins are being checked at once; try again in a second' }, 503);
      }
      if (u && checked.value) who = { name: u.name, role: u.role };
    }
    if (!who) return c.json({ error: 'sign-in refused: unknown token, user or password' }, 401);
    // Only this (address, user) pair is cleared: a good sign-in as someone else does not wipe the guesses against this one.
    this.limiter.succeed(key);
    this.addressLimiter.undo(`${prefix}|*`);
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const expiresAt = Math.min(now + this.o.sessionTtlMs, now + this.sessionMaxMs);
    await createAdminSession(this.o.db, {
      id_hash: sha256(id),
      actor: who.name,
      role: who.role,
      csrf_token: csrf,
      created_at: now,
      expires_at: expiresAt,
      last_seen_at: now,
    });
    this.setSessionCookie(c, id);
    if (now - this.lastSweep > 3_600_000) {
      this.lastSweep = now;
      await deleteExpiredAdminSessions(this.o.db, now);
    }
    return c.json({ actor: who.name, role: who.role, csrfToken: csrf, expiresAt });
  }

  private tooMany(c: Context, wait: number): Response {
    c.header('Retry-After', String(Math.ceil(wait / 1000)));
    return c.json(
      { error: `too many failed sign-ins from this address; try again in ${Math.ceil(wait / 60_000)} minute(s)` },
      429,
    );
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
      const bearer = c.req.header('authorization') !== undefined;
      const key = `${addressPrefix(clientAddress(c))}|bearer`;
      const now = this.o.now();
      if (bearer) {
        // Refused before the token is compared, right or wrong: otherwise a 200 among 429s would still tell a guess.
        const wait = this.bearerLimiter.retryAfterMs(key, now);
        if (wait > 0) {
          c.header('Retry-After', String(Math.ceil(wait / 1000)));
          return c.json(
            {
              error: `too many wrong bearer tokens from this address; try again in ${Math.ceil(wait / 60_000)} minute(s)`,
            },
            429,
          );
        }
      }
      const principal = await this.principalOf(c);
      if (!principal) {
        if (bearer) this.bearerLimiter.fail(key, now);
        return c.json({ error: 'sign in first: send Authorization: Bearer <admin token>, or sign in at /ui' }, 401);
      }
      if (principal.via === 'session' && !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
        const presented = c.req.header(CSRF_HEADER) ?? '';
        if (!presented || !sameSecret(presented, principal.csrfToken!))
          return c.json({ error: `CSRF check failed: send this session's token in the ${CSRF_HEADER} header` }, 403);
      }
      c.set('principal', principal);
      await next();
    };
  }

  /** Changes need the admin role. */
  requireAdmin(): MiddlewareHandler<AdminEnv> {
    return async (c, next) => {
      if (c.get('principal').role !== 'admin')
        return c.json({ error: `${c.get('principal').actor} is read-only: this action needs the admin role` }, 403);
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
    // A session is only as good as the credentials that made it: a removed user or token ends it, a
    // changed role applies at once, and no amount of use keeps it past its absolute lifetime.
    const current = this.currentRole(s.actor);
    if (!current || now >= s.created_at + this.sessionMaxMs) {
      await deleteAdminSession(this.o.db, s.id_hash);
      return null;
    }
    let expiresAt = s.expires_at;
    // Sliding expiry, written at most once a minute, never past the absolute lifetime.
    if (now - s.last_seen_at > 60_000) {
      expiresAt = Math.min(now + this.o.sessionTtlMs, s.created_at + this.sessionMaxMs);
      await touchAdminSession(this.o.db, s.id_hash, now, expiresAt);
      this.setSessionCookie(c, id);
    }
    return { actor: s.actor, role: current, via: 'session', csrfToken: s.csrf_token, expiresAt };
  }

  /** The role the configured credentials give `actor` now (null: no longer configured). */
  private currentRole(actor: string): AdminRole | null {
    if (actor.startsWith('token:'))
      return this.o.credentials.tokens.find((t) => `token:${t.name}` === actor)?.role ?? null;
    return this.o.credentials.users.find((u) => u.name === actor)?.role ?? null;
  }

  private secure(c: Context): boolean {
    return this.o.secureCookies === 'always' || (this.o.secureCookies === 'auto' && isHttps(c));
  }

  private setSessionCookie(c: Context, id: string): void {
    setCookie(c, SESSION_COOKIE, id, {
      path: '/',
      httpOnly: true,
      sameSite: 'Strict',
      secure: this.secure(c),
      maxAge: Math.floor(this.o.sessionTtlMs / 1000),
    });
  }
}
