import type { Command } from 'commander';
import { createLogger } from '../../server/logger.ts';
import { loadConfigForCommand } from '../loadConfigForCommand.ts';
import { startBridge, StartupError } from '../../server/bridge.ts';

/** Stop cleanly on SIGINT/SIGTERM: stop accepting, drain jobs in flight, close the store. */
export function onShutdown(stop: () => Promise<void>, hardDeadlineMs = 30_000): void {
  let stopping = false;
  const handler = (sig: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${sig}: draining jobs in flight…\n`);
    // The drain has its own deadlines; this one catches anything else that would hold the exit.
    setTimeout(() => {
      process.stderr.write(
        `shutdown took over ${hardDeadlineMs} ms; exiting anyway (jobs left running are taken up again at the next start)\n`,
      );
      process.exit(1);
    }, hardDeadlineMs).unref();
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
      const loaded = loadConfigForCommand(opts.config);
      if (!loaded) return;
      const r = { config: loaded.config };
      const s = { secrets: loaded.secrets };
      try {
        const bridge = await startBridge({
          config: r.config,
          secrets: s.secrets,
          port: opts.port,
          logger: createLogger({
            level: r.config.log_level,
            secrets: Object.values(s.secrets).filter((v): v is string => typeof v === 'string'),
          }),
        });
        onShutdown(bridge.stop, r.config.dispatcher.shutdown_deadline_ms + 20_000);
      } catch (e) {
        process.stderr.write(
          `${e instanceof StartupError ? e.message : `gridbridge cannot start: ${(e as Error).message}`}\n`,
        );
        process.exitCode = 1;
      }
    });
}
