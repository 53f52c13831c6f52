import type { Command } from 'commander';
import { openMigratedStore } from '../../store/db.ts';
import { listDeadLetters, replayDeadLetter } from '../../store/ops/replayDeadLetter.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { storeUrlFrom } from '../loadConfigForCommand.ts';

export function registerDlqCommands(program: Command): void {
  const dlq = program.command('dlq').description('dead letters: jobs that failed for good');
  dlq
    .command('list')
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .option('--store <url>', 'store URL (instead of the config file)')
    .option('--all', 'include replayed ones')
    .option('--json', 'print JSON')
    .action(async (opts: { config: string; store?: string; all?: boolean; json?: boolean }) => {
      const store = await openMigratedStore(storeUrlFrom(opts));
      try {
        const rows = await listDeadLetters(store.db, { includeReplayed: opts.all, limit: 1000 });
        if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else if (rows.length === 0) process.stdout.write('no dead letters\n');
        else
          for (const r of rows)
            process.stdout.write(
              `#${r.id}  ${new Date(r.failed_at).toISOString()}  ${r.kind}  ${r.key}\n    ${r.error.split('\n')[0]}\n`,
            );
      } finally {
        await store.close();
      }
    });
  dlq
    .command('replay [id]')
    .description('send a dead letter (or --all) back to the queue; the running bridge picks it up')
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .option('--store <url>', 'store URL (instead of the config file)')
    .option('--all', 'replay every dead letter not yet replayed')
    .action(async (id: string | undefined, opts: { config: string; store?: string; all?: boolean }) => {
      if (!id && !opts.all) {
        process.stderr.write('name a dead letter id, or --all\n');
        process.exitCode = 1;
        return;
      }
      const store = await openMigratedStore(storeUrlFrom(opts));
      try {
        const ids = opts.all ? (await listDeadLetters(store.db, { limit: 100_000 })).map((r) => r.id) : [Number(id)];
        let failed = 0;
        for (const i of ids) {
          const r = await replayDeadLetter(store.db, i, Date.now());
          if (r.ok) {
            await appendAudit(
              store.db,
              {
                actor: `cli:${process.env.USER ?? 'unknown'}`,
                entity: 'dead_letter',
                entityId: String(i),
                action: 'replayed',
                after: { jobId: r.jobId },
              },
              Date.now(),
            );
            process.stdout.write(`#${i} → job ${r.jobId} queued\n`);
          } else {
            failed++;
            process.stderr.write(`#${i}: ${r.reason}\n`);
          }
        }
        if (failed > 0) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
