import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { GridbridgeConfig } from '../../src/config/schema.ts';
import type { ResolvedSecrets } from '../../src/config/load.ts';

const root = new URL('../..', import.meta.url).pathname;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface BridgeProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGKILL: no drain, no cleanup, like a crash. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Run `gridbridge start` as a real child process (so it can be killed with SIGKILL) and wait until it answers
 * /healthz, for up to `readyMs`.
 */
export async function startBridgeProcess(
  dir: string,
  config: GridbridgeConfig,
  secrets: ResolvedSecrets,
  name = 'bridge',
  env: Record<string, string> = {},
  bin = join(root, 'bin/gridbridge.mjs'),
  readyMs = 90_000,
): Promise<BridgeProcess> {
  const port = await freePort();
  const file = join(dir, `${name}.yaml`);
  // JSON is YAML: the config goes through the same loader a user's file does.
  writeFileSync(file, JSON.stringify({ ...config, server: { ...config.server, port } }, null, 2));
  const child = spawn(process.execPath, [bin, 'start', '-c', file], {
    cwd: dir,
    env: {
      ...process.env,
      GRIDBRIDGE_SANDBOX_CLICKUP_TOKEN: secrets.clickupToken,
      ...(secrets.tgClientSecret !== null ? { GRIDBRIDGE_SANDBOX_TG_SECRET: secrets.tgClientSecret } : {}),
      ...(secrets.tgWebhookSecret !== null ? { GRIDBRIDGE_SANDBOX_TG_WEBHOOK_SECRET: secrets.tgWebhookSecret } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bridge exited with ${child.exitCode} before it was ready:\n${out}`);
    try {
      // Bounded: a connection that hangs must not stall the wait past its deadline.
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`bridge did not become ready in ${readyMs / 1000} s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100)); // sleep-ok: the poll interval of a readiness wait
  }
  return {
    url,
    child,
    output: () => out,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
