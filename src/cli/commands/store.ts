import type { Command } from 'commander';
import { migrate, openStore } from '../../store/db.ts';
import { copyStore } from '../../store/copyStore.ts';

/** `gridbridge store copy --from sqlite:… --to postgres://…`: the upgrade path from one SQLite instance to PostgreSQL. */
export function registerStoreCommands(program: Command): void {
  const store = program.command('store').description('the store: copy between SQLite and PostgreSQL');
  store
    .command('copy')
    .description(
      'copy every table from one store to another, empty one (stop the bridge first); the target is migrated first',
    )
    .requiredOption('--from <url>', 'source store, e.g. sqlite:./data/gridbridge.db')
    .requiredOption('--to <url>', 'target store, e.g. postgres://gridbridge@db/gridbridge')
    .action(async (opts: { from: string; to: string }) => {
      const from = await openStore(opts.from);
      const to = await openStore(opts.to);
      try {
        await migrate(from);
        await migrate(to);
        const r = await copyStore(from, to, (t, n) => process.stdout.write(`${t}: ${n} row(s)\n`));
        if (r.releasedLeases > 0)
          process.stdout.write(
            `${r.releasedLeases} job(s) that were running in the source are ready again in the target\n`,
          );
        process.stdout.write(
          `copied ${from.location} → ${to.location}. Point store.url at the target and start the instances.\n`,
        );
      } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await Promise.allSettled([from.close(), to.close()]);
      }
    });
}
