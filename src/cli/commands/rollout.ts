import { createHash } from 'node:crypto';
import type { Command } from 'commander';
import { loadConfigFile } from '../../config/load.ts';
import { openMigratedStore } from '../../store/db.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { parseAudience } from '../../flows/08-rollouts/decisions/rollout.ts';
import { newJob } from '../../flows/catalogue.ts';

/** The same job the ClickUp marker task starts (`rollout.start`), keyed so running the command twice starts one rollout. */
export function rolloutStartJob(input: { title: string; body: string; audience: string; key?: string }) {
  const key =
    input.key ??
    `cli:${createHash('sha256').update(`${input.title}\n${input.body}\n${input.audience}`).digest('hex').slice(0, 16)}`;
  return newJob(
    'rollout.start',
    { rolloutId: key, title: input.title, body: input.body, audience: input.audience },
    { key: `rollout.start:${key}`, queueKey: `rollout:${key}` },
  );
}

export function registerRolloutCommands(program: Command): void {
  const rollout = program
    .command('rollout')
    .description('process changes (flow 8): notify partners, collect acknowledgements, build the rollout plan');
  rollout
    .command('start')
    .description('start a rollout; the running bridge publishes the notice and builds the plan in ClickUp')
    .requiredOption('--title <text>', 'the change, as partners will read it')
    .option('--body <text>', 'details for partners', '')
    .option('--audience <who>', '"all", "tier:strategic,preferred" or partner ids "P-1,P-2"', 'all')
    .option('--key <key>', 'your own id for the change (default: derived from title, body and audience)')
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .option('--store <url>', 'store URL (instead of the config file)')
    .action(
      async (opts: { title: string; body: string; audience: string; key?: string; config: string; store?: string }) => {
        let url = opts.store;
        if (!url) {
          const r = loadConfigFile(opts.config);
          if (!r.ok) {
            for (const p of r.problems) process.stderr.write(`${opts.config}: ${p.path || '(file)'}: ${p.message}\n`);
            process.exitCode = 1;
            return;
          }
          if (!r.config.flows?.rollouts) {
            process.stderr.write(
              `${opts.config}: flows.rollouts is not configured, so no bridge would run the rollout\n`,
            );
            process.exitCode = 1;
            return;
          }
          url = r.config.store.url;
        }
        const audience = parseAudience(opts.audience);
        if ('partner_ids' in audience && audience.partner_ids.length === 0) {
          process.stderr.write(
            `--audience: expected "all", "tier:…" or partner ids (got ${JSON.stringify(opts.audience)})\n`,
          );
          process.exitCode = 1;
          return;
        }
        const job = rolloutStartJob(opts);
        const store = await openMigratedStore(url);
        try {
          const n = await enqueueJobs(store.db, [job], Date.now());
          process.stdout.write(
            n > 0
              ? `rollout ${job.payload.rolloutId} queued: the bridge publishes the notice to ${opts.audience} and builds the plan\n`
              : `rollout ${job.payload.rolloutId} was already started\n`,
          );
        } finally {
          await store.close();
        }
      },
    );
}
