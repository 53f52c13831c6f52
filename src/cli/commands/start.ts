import type { Command } from 'commander';
import { createLogger } from '../../server/logger.ts';
import { loadConfigFile, resolveSecrets } from '../../config/load.ts';
import { startBridge, StartupError } from '../../server/bridge.ts';

/** Stop cleanly on SIGINT/SIGTERM: stop accepting, drain jobs in flight, close the store. */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (sig: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${sig}: draining jobs in flight…\n`);
    stop().then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`shutdown failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => handler('SIGINT'));
  process.once('SIGTERM', () => handler('SIGTERM'));
}

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the bridge')
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .option('-p, --port <port>', 'override server.port', (v) => Number(v))
    .action(async (opts: { config: string; port?: number }) => {
      const r = loadConfigFile(opts.config);
      if (!r.ok) {
        for (const p of r.problems) process.stderr.write(`${opts.config}: ${p.path || '(file)'}: ${p.message}\n`);
        process.exitCode = 1;
        return;
      }
      const s = resolveSecrets(r.config);
      if (!s.ok) {
        for (const p of s.problems) process.stderr.write(`${opts.config}: ${p.path}: ${p.message}\n`);
        process.exitCode = 1;
        return;
      }
      try {
        const bridge = await startBridge({ config: r.config, secrets: s.secrets, port: opts.port, logger: createLogger({ level: r.config.log_level, secrets: Object.values(s.secrets).filter((v): v is string => typeof v === 'string') }) });
        onShutdown(bridge.stop);
      } catch (e) {
        process.stderr.write(`${e instanceof StartupError ? e.message : `gridbridge cannot start: ${(e as Error).message}`}\n`);
        process.exitCode = 1;
      }
    });
}
