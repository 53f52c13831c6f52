import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { PASSWORD, runCli, startTarget, type Target } from './harness.ts';

// Sessions outliving the credentials that made them.

let t: Target | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function signIn(t: Target, user: string): Promise<{ cookie: string; csrf: string }> {
  const r = await fetch(`${t.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user, password: PASSWORD }),
  });
  expect(r.status).toBe(200);
  const cookie = r.headers.get('set-cookie')!.split(';')[0]!;
  return { cookie, csrf: ((await r.json()) as { csrfToken: string }).csrfToken };
}
const session = (t: Target, s: { cookie: string }) => fetch(`${t.url}/api/session`, { headers: { cookie: s.cookie } });

describe('a console session is only as good as the current credentials', () => {
  it('a user downgraded to read-only in the config is read-only at once, session or not', async () => {
    t = await startTarget();
    const s = await signIn(t, 'alice');
    await t.restart((c) => ({
      ...c,
      admin: {
        ...c.admin,
        users: c.admin.users.map((u) => (u.name === 'alice' ? { ...u, role: 'read_only' as const } : u)),
      },
    }));
    const r = await session(t, s);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ actor: 'alice', role: 'read_only' });
    const replay = await fetch(`${t.url}/api/dead-letters/replay`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
      body: '{"all":true}',
    });
    expect(replay.status).toBe(403);
  });

  it('a user removed from the config loses their session', async () => {
    t = await startTarget();
    const s = await signIn(t, 'alice');
    await t.restart((c) => ({ ...c, admin: { ...c.admin, users: c.admin.users.filter((u) => u.name !== 'alice') } }));
    expect((await session(t, s)).status).toBe(401);
  });

  it('a session used all the time still ends at its absolute lifetime (admin.session_max_hours)', async () => {
    t = await startTarget();
    const s = await signIn(t, 'alice');
    // A session made 25 hours ago that kept sliding: its expiry is still ahead.
    const db = new Database(t.config.store.url.slice('sqlite:'.length));
    db.pragma('busy_timeout = 5000');
    db.prepare('update admin_sessions set created_at = created_at - ?').run(25 * 3_600_000);
    db.close();
    expect((await session(t, s)).status).toBe(401);
  });

  it('`gridbridge admin revoke-sessions` signs everyone out of the running bridge', async () => {
    t = await startTarget();
    const a = await signIn(t, 'alice');
    const v = await signIn(t, 'victor');
    const r = await runCli(['admin', 'revoke-sessions', '--store', t.config.store.url], {
      cwd: t.world.dir,
      timeoutMs: 30_000,
    });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('2 session(s) revoked');
    expect((await session(t, a)).status).toBe(401);
    expect((await session(t, v)).status).toBe(401);
  });
});
