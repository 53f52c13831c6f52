import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
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
export async function startTarget(o: { pg?: boolean; patch?: (c: GridbridgeConfig) => GridbridgeConfig; env?: Record<string, string> } = {}): Promise<Target> {
  hashes ??= (async () => ({ admin: await hashPassword(PASSWORD), viewer: await hashPassword(PASSWORD) }))();
  const h = await hashes;
  const world = await createWorld();
  const db = o.pg ? await createPgDatabase() : null;
  const env: Record<string, string> = { GB_ADMIN_TOKEN: ADMIN_TOKEN, GB_VIEWER_TOKEN: VIEWER_TOKEN, GB_ALICE_HASH: h.admin, GB_VICTOR_HASH: h.viewer, ...o.env };
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
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` };
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * A raw HTTP request with control fetch lacks: a body streamed in chunks (no Content-Length), or a
 * declared length that is never sent. Resolves with the status and body, or the socket error.
 */
export function rawRequest(url: string, o: { method?: string; headers?: Record<string, string>; chunks?: () => AsyncIterable<Buffer>; timeoutMs?: number }): Promise<{ status: number; body: string } | { error: string }> {
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
        if (o.chunks) for await (const c of o.chunks()) if (!req.write(c)) await new Promise((r) => req.once('drain', r));
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
