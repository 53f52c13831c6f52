import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { throughout, until } from '../helpers/until.ts';
import pg from 'pg';
import Database from 'better-sqlite3';
import { eventually } from '../helpers/world.ts';
import { freePort, startBridgeProcess } from '../helpers/bridgeProcess.ts';
import { PG_ADMIN_URL } from '../helpers/pgStore.ts';
import { sql } from 'kysely';
import { openMigratedStore } from '../../src/store/db.ts';
import { runCli, startFaultProxy, startTarget, type FaultProxy, type Target } from './harness.ts';

// A dependency that fails under the running process: the database, the port, a second process, a job that kills its worker.

let t: Target | null = null;
let proxy: FaultProxy | null = null;
afterEach(async () => {
  await t?.close();
  await proxy?.close();
  t = null;
  proxy = null;
});

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
const dbName = (url: string) => new URL(url).pathname.slice(1);
/**
 * A bridge on PostgreSQL whose start-up is over: /healthz answers before it is, and a store failure during
 * start-up ends the process by design (tested below), so a test that breaks the database under a running bridge
 * must not break it sooner.
 */
async function startRunningPgTarget(): Promise<Target> {
  const target = await startTarget({ pg: true });
  t = target;
  await eventually('start-up finished', () => target.proc.output().includes('"gridbridge started"'), 30_000);
  return target;
}
const terminateAll = (name: string) =>
  admin((c) =>
    c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      name,
    ]),
  );
const linkedTask = (t: Target, caseId: string) =>
  t.world.cu
    .tasks()
    .find((x) => ((x as any).custom_fields ?? []).some((f: any) => f.name === 'TG case id' && f.value === caseId));

/** What the store and the log say about cases that have no task: the evidence a failure report needs. */
async function diagnose(t: Target, missing: string[]): Promise<string> {
  const c = new pg.Client({ connectionString: t.pgUrl });
  await c.connect();
  try {
    const out: string[] = [`cases without a task: ${missing.join(', ')}`];
    out.push(`trading grid sandbox: ${JSON.stringify(t.world.tg.stats())}`);
    for (const id of missing) {
      const like = `%${id}%`;
      const inbound = await c.query(
        'SELECT source, event_id, type, received_at FROM inbound_events WHERE payload LIKE $1',
        [like],
      );
      const jobs = await c.query(
        'SELECT id, kind, state, attempts, crashes, locked_by, locked_until, run_at, last_error FROM jobs WHERE payload LIKE $1 OR queue_key LIKE $1 OR key LIKE $1',
        [like],
      );
      const cs = await c.query('SELECT id, state, hold_reason FROM cases WHERE id = $1', [id]);
      out.push(
        `${id}: inbound ${JSON.stringify(inbound.rows)} jobs ${JSON.stringify(jobs.rows)} case ${JSON.stringify(cs.rows)}`,
      );
    }
    const dead = await c.query('SELECT kind, error FROM dead_letters');
    out.push(`dead letters: ${JSON.stringify(dead.rows)}`);
    const stuck = await c.query(
      "SELECT id, kind, state, run_at, locked_by, locked_until FROM jobs WHERE state IN ('ready', 'running')",
    );
    out.push(`jobs not done: ${JSON.stringify(stuck.rows)}; db clock ${Date.now()}`);
    out.push(
      t.proc
        .output()
        .split('\n')
        .filter((l) => missing.some((id) => l.includes(id)) || /"level":(40|50|60)/.test(l))
        .join('\n'),
    );
    return out.join('\n');
  } finally {
    await c.end();
  }
}

describe('PostgreSQL fails under the running bridge', () => {
  it('every backend of the bridge terminated (failover, pg_terminate_backend): the process survives and keeps working', async () => {
    t = await startRunningPgTarget();
    const before = await t.world.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Before the failover' });
    await eventually('the first task', () => linkedTask(t!, before.id), 20_000);
    const killed = await terminateAll(dbName(t.pgUrl!));
    expect(killed.rowCount).toBeGreaterThan(0);
    // Alive all along the second after, not just at its end.
    await throughout(
      'the bridge process alive',
      () => t!.proc.child.exitCode === null && t!.proc.child.signalCode === null,
      1_000,
    );
    await eventually('ready again', async () => (await fetch(`${t!.url}/readyz`)).status === 200, 20_000);
    const after = await t.world.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'After the failover' });
    await eventually('the task of a case raised after the failover', () => linkedTask(t!, after.id), 30_000);
  });

  it('every backend terminated again and again while cases flow in: each case gets exactly one task, nothing is dead-lettered, the process keeps serving', async () => {
    t = await startRunningPgTarget();
    const name = dbName(t.pgUrl!);
    const cases: string[] = [];
    let kills = 0;
    // 24 cases raised one after another; every fourth, every backend of the bridge's database is terminated
    // (pool, LISTEN connection, leadership lock), while the cases before it are still being worked on.
    for (let i = 1; i <= 24; i++) {
      const c = await t.world.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: `Under load ${i}` });
      cases.push(c.id);
      if (i % 4 === 0) {
        const r = await terminateAll(name);
        kills += r.rowCount ?? 0;
      }
    }
    expect(kills).toBeGreaterThan(0);
    const tasksOf = (id: string) =>
      t!.world.cu
        .tasks()
        .filter((x) => ((x as any).custom_fields ?? []).some((f: any) => f.name === 'TG case id' && f.value === id));
    try {
      await eventually('a task for every case', () => cases.every((id) => tasksOf(id).length >= 1), 90_000);
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n${await diagnose(
          t,
          cases.filter((id) => tasksOf(id).length === 0),
        )}`,
      );
    }
    expect(cases.filter((id) => tasksOf(id).length !== 1)).toEqual([]);
    expect(t.proc.child.exitCode).toBeNull();
    expect(t.proc.child.signalCode).toBeNull();
    const store = new pg.Client({ connectionString: t.pgUrl });
    await store.connect();
    const dead = await store.query('SELECT kind, error FROM dead_letters').finally(() => store.end());
    expect(dead.rows).toEqual([]);
    // Still serving: ready, and a case raised now is synced.
    await eventually('ready', async () => (await fetch(`${t!.url}/readyz`)).status === 200, 20_000);
    // The dedicated connections came back too: the LISTEN for new jobs (else idle workers only poll) and the leadership lock.
    const sessions = () =>
      admin(
        async (c) =>
          (await c.query('SELECT query FROM pg_stat_activity WHERE datname = $1', [name])).rows as Array<{
            query: string;
          }>,
      );
    await eventually(
      'the LISTEN connection back',
      async () => (await sessions()).some((r) => /^LISTEN /.test(r.query)),
      20_000,
    );
    await eventually(
      'leading again',
      async () => ((await (await fetch(`${t!.url}/healthz`)).json()) as { role?: string }).role === 'leader',
      20_000,
    );
    const after = await t.world.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'After the storm' });
    await eventually('the task of a case raised after the terminations', () => linkedTask(t!, after.id), 30_000);
  });

  it('a database that refuses connections: /readyz says "not ready" with an id, never the database name; the log has the detail', async () => {
    t = await startRunningPgTarget();
    const name = dbName(t.pgUrl!);
    await admin((c) => c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`));
    try {
      await terminateAll(name);
      // Which error a refused check meets first varies (a terminated connection, then "database … is not
      // currently accepting connections"): wait for a 503 whose id is logged with the database's name.
      let body: { ok: boolean; detail: string; id: string } | null = null;
      await eventually(
        'a refused readiness check logged with its detail',
        async () => {
          const x = await fetch(`${t!.url}/readyz`);
          if (x.status !== 503) return false;
          const text = await x.text();
          expect(text).not.toContain(name);
          expect(text).not.toMatch(/postgres|127\.0\.0\.1|5432/);
          body = JSON.parse(text) as { ok: boolean; detail: string; id: string };
          expect(body).toMatchObject({
            ok: false,
            detail: expect.stringMatching(/^not ready/),
            id: expect.stringMatching(/^[0-9a-f]{12}$/),
          });
          const id = body.id;
          return until('the error id in the log', () => t!.proc.output().includes(id), 2_000)
            .then(() =>
              t!.proc
                .output()
                .split('\n')
                .some((l) => l.includes(id) && l.includes(name)),
            )
            .catch(() => false);
        },
        20_000,
      );
      expect(body).not.toBeNull();
    } finally {
      await admin((c) => c.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`));
    }
    await eventually('ready again', async () => (await fetch(`${t!.url}/readyz`)).status === 200, 20_000);
  });
});

describe('the port is taken', () => {
  let squatter: Server | null = null;
  afterEach(async () => {
    await new Promise<void>((r) => (squatter ? squatter.close(() => r()) : r()));
    squatter = null;
  });
  const occupy = async () => {
    const port = await freePort();
    squatter = createServer();
    await new Promise<void>((r) => squatter!.listen(port, '127.0.0.1', () => r()));
    return port;
  };

  it('`gridbridge start` on a port in use says so and how to fix it, without a stack trace', async () => {
    t = await startTarget();
    const port = await occupy();
    // Its own store file: the running target holds the first one.
    const r = await runCli(
      [
        'start',
        '-c',
        t.writeConfig('busy', port, (c) => ({ ...c, store: { ...c.store, url: `sqlite:${t!.world.dir}/busy.db` } })),
      ],
      { cwd: t.world.dir, env: t.cliEnv() },
    );
    expect(r.code).toBe(1);
    expect(r.output).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(r.output).toMatch(/--port/);
    expect(r.output).not.toMatch(/^\s+at /m);
  });

  it('`gridbridge demo` on a port in use says so and how to fix it, without a stack trace, and exits', async () => {
    const port = await occupy();
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'gb-demo-busy-'));
    const r = await runCli(['demo', '--port', String(port), '--store', join(dir, 'demo.db'), '--once'], {
      cwd: dir,
      timeoutMs: 60_000,
    });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.output).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(r.output).not.toMatch(/^\s+at /m);
  });
});

describe('the store fails during start-up, after the port is open', () => {
  it('`gridbridge start` exits 1 with the reason instead of answering /healthz and taking events with no worker running', async () => {
    t = await startTarget();
    // A store whose cursors table is gone: start-up reads it only after the HTTP server listens.
    const file = `${t.world.dir}/broken.db`;
    const broken = await openMigratedStore(`sqlite:${file}`);
    await sql`DROP TABLE cursors`.execute(broken.db);
    await broken.close();
    const port = await freePort();
    const r = await runCli(
      ['start', '-c', t.writeConfig('broken', port, (c) => ({ ...c, store: { ...c.store, url: `sqlite:${file}` } }))],
      { cwd: t.world.dir, env: t.cliEnv(), timeoutMs: 60_000 },
    );
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/gridbridge cannot start: .*no such table: cursors/);
    // Nothing is left listening on its port.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});

describe('a second process on one SQLite file', () => {
  it('is refused with the reason, and the first keeps its running jobs', async () => {
    t = await startTarget();
    const port = await freePort();
    const r = await runCli(['start', '-c', t.writeConfig('second', port)], {
      cwd: t.world.dir,
      env: t.cliEnv(),
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1);
    expect(r.output).toContain('is in use by another gridbridge');
    expect(r.output).toContain(String(t.proc.child.pid));
    expect(t.proc.child.exitCode).toBeNull();
    // After the first stops, the file is free again.
    await t.proc.stop();
    const third = await startBridgeProcess(t.world.dir, t.config, t.world.secrets, 'third', t.env);
    await third.stop();
  });
});

describe('a job that kills its worker', () => {
  it('is dead-lettered after dispatcher.max_crashes (default 3) crashes instead of taking every restart down', async () => {
    let kills = 0;
    let pending = false;
    // The create may come while a restart is still waiting for /healthz (t.proc is then the dead one):
    // the kill is kept pending and hits the new process as soon as the test knows it.
    const tryKill = () => {
      const child = t?.proc.child;
      if (pending && child && child.exitCode === null && child.signalCode === null) {
        pending = false;
        child.kill('SIGKILL');
      }
    };
    t = await startTarget({
      // Every attempt to create the task of this case kills the process before ClickUp sees it (an out-of-memory, a spin).
      clickupVia: async (origin) => {
        proxy = await startFaultProxy(origin, (m, p) =>
          m === 'POST' && /\/list\/[^/]+\/task$/.test(p)
            ? () => {
                kills++;
                pending = true;
                tryKill();
              }
            : 'pass',
        );
        return proxy.url;
      },
    });
    const c = await t.world.tg.raiseCase({ partnerId: 'P-GLOBEX', kind: 'dispute', title: 'The poison case' });
    for (let round = 1; round <= 3; round++) {
      await eventually(`kill ${round}`, () => t!.proc.child.signalCode !== null, 40_000).catch((e) => {
        throw new Error(`${(e as Error).message}\n${proxy!.seen.join('\n')}\n${t!.proc.output()}`);
      });
      await t.restart(undefined, `crash-${round}`);
      tryKill();
    }
    // The third restart found the job running again: its third crash, so it is a dead letter and nothing kills this process.
    const db = new Database(t.config.store.url.slice('sqlite:'.length), { readonly: true });
    try {
      const dead = db.prepare('select error from dead_letters').all() as Array<{ error: string }>;
      expect(dead.map((d) => d.error).join('\n')).toMatch(/worker stopped while running it .* 3 time/);
    } finally {
      db.close();
    }
    await throughout(
      'the bridge process alive',
      () => t!.proc.child.exitCode === null && t!.proc.child.signalCode === null,
      2_000,
    );
    expect(kills).toBe(3);
    expect(c.id).toBeTruthy();
  });
});

describe('SIGTERM while remote calls wait', () => {
  it.each([
    [
      'answers every create with 429 and Retry-After: 60',
      { status: 429, headers: { 'retry-after': '60' }, body: '{"err":"Rate limit reached","ECODE":"APP_002"}' },
    ],
    ['never answers a create', 'hang' as const],
  ])(
    'ClickUp %s: SIGTERM exits within the shutdown deadline and the job is handed back, not left running',
    async (_what, decision) => {
      t = await startTarget({
        clickupVia: async (origin) => {
          proxy = await startFaultProxy(origin, (m, p) =>
            m === 'POST' && /\/list\/[^/]+\/task$/.test(p) ? decision : 'pass',
          );
          return proxy.url;
        },
      });
      await t.world.tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: 'Stuck on ClickUp' });
      await eventually('the create reaching ClickUp', () => proxy!.seen.some((s) => /^POST .*\/task$/.test(s)), 20_000);
      await new Promise((r) => setTimeout(r, 500)); // sleep-ok: the create stays stuck in flight a while before the stop
      const started = Date.now();
      const exited = new Promise<number | null>((r) => t!.proc.child.once('exit', (code) => r(code)));
      t.proc.child.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000)),
      ]);
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(20_000);
      const db = new Database(t.config.store.url.slice('sqlite:'.length), { readonly: true });
      try {
        expect(db.prepare("select count(*) as n from jobs where state = 'running'").get()).toEqual({ n: 0 });
      } finally {
        db.close();
      }
    },
  );
});
