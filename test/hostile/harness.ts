import { createHash, createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createWorld, type World } from '../helpers/world.ts';
import { startBridgeProcess, type BridgeProcess } from '../helpers/bridgeProcess.ts';
import { createPgDatabase } from '../helpers/pgStore.ts';
import { hashPassword } from '../../src/server/admin/password.ts';
import type { GridbridgeConfig } from '../../src/config/schema.ts';

export const ADMIN_TOKEN = 'hostile-admin-token-0123456789abcdef';
export const VIEWER_TOKEN = 'hostile-viewer-token-0123456789abcdef';
export const PASSWORD = 'correct horse battery staple';

export interface Target {
  world: World;
  /** Write this target's config (with `port`) to a file, for running the CLI on it. */
  writeConfig(name: string, port: number, patch?: (c: GridbridgeConfig) => GridbridgeConfig): string;
  /** The environment the config's secret references need. */
  cliEnv(): Record<string, string>;
  proc: BridgeProcess;
  config: GridbridgeConfig;
  url: string;
  env: Record<string, string>;
  /** PostgreSQL URL when the store is PostgreSQL. */
  pgUrl?: string;
  restart(patch?: (c: GridbridgeConfig) => GridbridgeConfig, name?: string): Promise<BridgeProcess>;
  close(): Promise<void>;
}

let hashes: Promise<{ admin: string; viewer: string }> | null = null;

/**
 * The real `gridbridge start` as a child process, against both sandboxes, with console credentials:
 * an admin and a read-only token, users `alice` (admin) and `victor` (read only), both with PASSWORD.
 */
export async function startTarget(
  o: {
    pg?: boolean;
    patch?: (c: GridbridgeConfig) => GridbridgeConfig;
    env?: Record<string, string>;
    clickupVia?: (cuOrigin: string) => Promise<string>;
  } = {},
): Promise<Target> {
  hashes ??= (async () => ({ admin: await hashPassword(PASSWORD), viewer: await hashPassword(PASSWORD) }))();
  const h = await hashes;
  const world = await createWorld();
  const db = o.pg ? await createPgDatabase() : null;
  const env: Record<string, string> = {
    GB_ADMIN_TOKEN: ADMIN_TOKEN,
    GB_VIEWER_TOKEN: VIEWER_TOKEN,
    GB_ALICE_HASH: h.admin,
    GB_VICTOR_HASH: h.viewer,
    ...o.env,
  };
  let config: GridbridgeConfig = {
    ...world.config,
    log_level: 'info',
    store: { ...world.config.store, url: db ? db.url : world.config.store.url },
    admin: {
      ...world.config.admin,
      tokens: [
        { name: 'ops', role: 'admin', token: { env: 'GB_ADMIN_TOKEN' } },
        { name: 'viewer', role: 'read_only', token: { env: 'GB_VIEWER_TOKEN' } },
      ],
      users: [
        { name: 'alice', role: 'admin', password_hash: { env: 'GB_ALICE_HASH' } },
        { name: 'victor', role: 'read_only', password_hash: { env: 'GB_VICTOR_HASH' } },
      ],
      sign_in_attempts_per_15_minutes: 5,
    },
  };
  if (o.clickupVia)
    config = { ...config, clickup: { ...config.clickup, base_url: `${await o.clickupVia(world.cu.origin)}/api` } };
  if (o.patch) config = o.patch(config);
  let proc = await startBridgeProcess(world.dir, config, world.secrets, 'hostile', env);
  world.tg.setWebhookUrl(`${proc.url}/webhooks/tradinggrid`);
  const t: Target = {
    world,
    proc,
    config,
    url: proc.url,
    env,
    pgUrl: db?.url,
    writeConfig(name, port, patch = (c) => c) {
      const file = join(world.dir, `${name}.yaml`);
      writeFileSync(file, JSON.stringify(patch({ ...t.config, server: { ...t.config.server, port } }), null, 2));
      return file;
    },
    cliEnv: () => ({
      GRIDBRIDGE_SANDBOX_CLICKUP_TOKEN: world.secrets.clickupToken,
      GRIDBRIDGE_SANDBOX_TG_SECRET: world.secrets.tgClientSecret ?? '',
      GRIDBRIDGE_SANDBOX_TG_WEBHOOK_SECRET: world.secrets.tgWebhookSecret ?? '',
      ...env,
    }),
    async restart(patch, name = 'hostile-2') {
      await proc.stop().catch(() => undefined);
      if (patch) t.config = patch(t.config);
      proc = await startBridgeProcess(world.dir, t.config, world.secrets, name, env);
      t.proc = proc;
      t.url = proc.url;
      world.tg.setWebhookUrl(`${proc.url}/webhooks/tradinggrid`);
      return proc;
    },
    async close() {
      await proc.stop().catch(() => undefined);
      await world.close();
      await db?.drop().catch(() => undefined);
    },
  };
  return t;
}

/** A Trading Grid delivery signed the way the sandbox signs (Standard Webhooks). */
export function signedTgDelivery(secret: string, body: string, id: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const sig = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': `v1,${sig}`,
  };
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * A raw HTTP request with control fetch lacks: a body streamed in chunks (no Content-Length), or a
 * declared length that is never sent. Resolves with the status and body, or the socket error.
 */
export function rawRequest(
  url: string,
  o: { method?: string; headers?: Record<string, string>; chunks?: () => AsyncIterable<Buffer>; timeoutMs?: number },
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: o.method ?? 'POST', headers: o.headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.setTimeout(o.timeoutMs ?? 30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: e.message }));
    void (async () => {
      try {
        if (o.chunks)
          for await (const c of o.chunks()) if (!req.write(c)) await new Promise((r) => req.once('drain', r));
        req.end();
      } catch (e) {
        req.destroy(e as Error);
      }
    })();
  });
}

/** The child's RSS in bytes (Linux /proc). */
export async function rssOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
}

export type FaultDecision =
  'pass' | 'hang' | { status: number; headers?: Record<string, string>; body?: string } | (() => void);

export interface FaultProxy {
  url: string;
  /** Requests seen, as "METHOD path". */
  seen: string[];
  close(): Promise<void>;
}

/**
 * A loopback proxy in front of a sandbox that decides per request, before forwarding: pass it on, never
 * answer ('hang'), answer itself, or run a function (a test kills the bridge there, before the remote
 * effect happens).
 */
export async function startFaultProxy(
  targetOrigin: string,
  decide: (method: string, path: string) => FaultDecision,
): Promise<FaultProxy> {
  const { createServer, request: forward } = await import('node:http');
  const target = new URL(targetOrigin);
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const d = decide(req.method ?? '', req.url ?? '');
    if (d === 'hang') {
      req.resume();
      return;
    }
    if (typeof d === 'function') {
      d();
      req.resume();
      return;
    }
    if (d !== 'pass') {
      req.resume();
      res.writeHead(d.status, { 'content-type': 'application/json', ...d.headers });
      res.end(d.body ?? '{}');
      return;
    }
    const up = forward(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Run the CLI to completion (or until `timeoutMs`), with its output. */
export async function runCli(
  args: string[],
  o: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<{ code: number | null; signal: string | null; output: string; ms: number }> {
  const { spawn } = await import('node:child_process');
  const { join } = await import('node:path');
  const root = new URL('../..', import.meta.url).pathname;
  const started = Date.now();
  const child = spawn(process.execPath, [join(root, 'bin/gridbridge.mjs'), ...args], {
    cwd: o.cwd,
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
  const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
    child.once('exit', (c, s) => r([c, s])),
  );
  clearTimeout(timer);
  return { code, signal, output, ms: Date.now() - started };
}
