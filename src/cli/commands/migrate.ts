import type { Command } from 'commander';
import { migrate, openStore } from '../../store/db.ts';
import { storeUrlFrom } from '../loadConfigForCommand.ts';

/** `gridbridge migrate`: apply pending migrations to the configured store (SQLite or PostgreSQL), then exit. */
export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      'apply pending store migrations (safe to run while other instances run: PostgreSQL migrations take a lock)',
    )
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .option('--store <url>', 'store URL (instead of the config file)')
    .action(async (opts: { config: string; store?: string }) => {
      const store = await openStore(storeUrlFrom(opts));
      try {
        const applied = await migrate(store);
        process.stdout.write(
          applied.length > 0
            ? `applied to ${store.location}: ${applied.join(', ')}\n`
            : `${store.location} is up to date\n`,
        );
      } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
