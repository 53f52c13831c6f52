import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { throughout } from '../../test/helpers/until.ts';
import { holdLeadership, LEADER_LOCK, type Leadership } from './pgLeader.ts';
import { createPgDatabase, pgOrWarn } from '../../test/helpers/pgStore.ts';

const hasPg = await pgOrWarn('leader election');
const CHECK_MS = 200;

function recorder() {
  const log: string[] = [];
  return { log, events: { onGain: () => void log.push('gain'), onLose: () => void log.push('lose') } };
}

async function until(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20)); // sleep-ok: the poll interval of a condition wait
  }
}

/**
 * A TCP proxy in front of PostgreSQL that can slow down (or swallow) the server's answers: what a
 * loaded or cut-off database looks like to the leader's connection.
 */
async function slowProxy(target: URL) {
  let delayMs = 0;
  let swallow = false;
  let delayed = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((down) => {
    const up = tcpConnect(Number(target.port || 5432), target.hostname);
    sockets.add(down).add(up);
    let releaseAt = 0;
    down.pipe(up);
    up.on('data', (chunk) => {
      if (swallow) return;
      if (delayMs === 0 && releaseAt <= Date.now()) {
        down.write(chunk);
        return;
      }
      delayed++;
      releaseAt = Math.max(releaseAt, Date.now() + delayMs);
      setTimeout(() => down.writable && down.write(chunk), releaseAt - Date.now());
    });
    const end = () => {
      up.destroy();
      down.destroy();
    };
    up.on('error', end).on('close', end);
    down.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    urlFor: (dbUrl: string) => {
      const u = new URL(dbUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    slow: (ms: number) => {
      delayMs = ms;
    },
    swallow: () => {
      swallow = true;
    },
    delayed: () => delayed,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe.skipIf(!hasPg)('leader election over a PostgreSQL advisory lock', () => {
  let db: { url: string; drop: () => Promise<void> };
  const held: Leadership[] = [];
  beforeAll(async () => {
    db = await createPgDatabase();
  });
  afterAll(async () => {
    await Promise.allSettled(held.map((l) => l.stop()));
    await db?.drop();
  });
  const hold = async (events: { onGain(): void; onLose(): void }) => {
    const l = await holdLeadership(pg.Client, db.url, events, { checkMs: CHECK_MS });
    held.push(l);
    return l;
  };

  it('exactly one of three instances leads; when it stops, another takes over within a beat or two', async () => {
    const rs = [recorder(), recorder(), recorder()];
    const ls = await Promise.all(rs.map((r) => hold(r.events)));
    expect(ls.filter((l) => l.isLeader())).toHaveLength(1);
    const first = ls.findIndex((l) => l.isLeader());
    expect(rs[first]!.log).toEqual(['gain']);
    await ls[first]!.stop();
    await until('a new leader', () => ls.some((l, i) => i !== first && l.isLeader()), CHECK_MS * 5);
    // Every follower tries the lock each beat: over three beats, never a second leader.
    await throughout('exactly one leader', () => ls.filter((l) => l.isLeader()).length === 1, CHECK_MS * 3, 5);
    expect(rs.flatMap((r) => r.log).filter((x) => x === 'gain')).toHaveLength(2);
    await Promise.all(ls.map((l) => l.stop()));
  });

  it('a leader whose session is terminated steps down, and leadership is taken again (by it or another)', async () => {
    const a = recorder();
    const b = recorder();
    const la = await hold(a.events);
    const lb = await hold(b.events);
    expect(la.isLeader()).toBe(true);
    expect(lb.isLeader()).toBe(false);
    // What a crash of the leader's machine looks like to PostgreSQL: its session goes away.
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const r = await admin.query(
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND granted
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [LEADER_LOCK.classId, LEADER_LOCK.objId],
      );
      expect(r.rows).toHaveLength(1);
      await admin.query('SELECT pg_terminate_backend($1)', [r.rows[0].pid]);
    } finally {
      await admin.end();
    }
    await until('the old leader to step down', () => a.log.includes('lose'));
    await until('a leader again', () => la.isLeader() || lb.isLeader());
    expect([la.isLeader(), lb.isLeader()].filter(Boolean)).toHaveLength(1);
    await Promise.all([la.stop(), lb.stop()]);
  });

  it('a check slower than the beat but within the query timeout does not demote the leader', async () => {
    const proxy = await slowProxy(new URL(db.url));
    try {
      const r = recorder();
      const l = await holdLeadership(pg.Client, proxy.urlFor(db.url), r.events, {
        checkMs: CHECK_MS,
        queryTimeoutMs: 3_000,
      });
      held.push(l);
      expect(l.isLeader()).toBe(true);
      // Each SELECT 1 now answers after 2.5 beats: a busy server, not a dead one.
      proxy.slow(CHECK_MS * 2.5);
      await until('three slow checks answered', () => proxy.delayed() >= 3, 15_000);
      expect(r.log).toEqual(['gain']);
      expect(l.isLeader()).toBe(true);
      await l.stop();
    } finally {
      await proxy.close();
    }
  });

  it('a database that stops answering demotes the leader within the query timeout', async () => {
    const proxy = await slowProxy(new URL(db.url));
    try {
      const r = recorder();
      const l = await holdLeadership(pg.Client, proxy.urlFor(db.url), r.events, {
        checkMs: CHECK_MS,
        queryTimeoutMs: 600,
      });
      held.push(l);
      expect(l.isLeader()).toBe(true);
      const cut = Date.now();
      proxy.swallow();
      await until('the leader to step down', () => r.log.includes('lose'), 5_000);
      // One beat to the next check, then the query timeout (with slack for a loaded machine).
      expect(Date.now() - cut).toBeLessThan(CHECK_MS + 600 + 2_000);
      expect(l.isLeader()).toBe(false);
      await l.stop();
    } finally {
      await proxy.close();
    }
  });

  it('stopping releases the lock at once for anyone else', async () => {
    const l = await hold(recorder().events);
    expect(l.isLeader()).toBe(true);
    await l.stop();
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const r = await c.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [LEADER_LOCK.classId, LEADER_LOCK.objId]);
      expect(r.rows[0].ok).toBe(true);
    } finally {
      await c.end();
    }
  });
});
