import type { Command } from 'commander';
import { configJsonSchema, loadConfigFile, resolveSecrets } from '../../config/load.ts';
import { formatOnlineReport, sharingFlowsIn, validateOnline } from './configOnline.ts';
import { sharingRulesOf } from '../../config/sharingSchema.ts';
import { sharingWarnings, unsharedFieldWarnings } from '../../core/sharing/rules.ts';
import { effectiveFieldMappings } from '../../config/mappingSchema.ts';
import { resolveSecretBox } from '../../server/secretKeys.ts';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('check or describe the configuration file');
  config
    .command('validate')
    .description('check a config file and print every mistake with its path')
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .option('--no-secrets', 'do not check that the secrets can be read')
    .option(
      '--online',
      'also check every mapping against the real ClickUp lists and workspace and the Trading Grid side, and print what will sync where',
    )
    .action(async (opts: { config: string; secrets: boolean; online?: boolean }) => {
      const r = loadConfigFile(opts.config);
      if (!r.ok) {
        process.stderr.write(`${opts.config}: ${r.problems.length} problem(s)\n`);
        for (const p of r.problems) process.stderr.write(`  ${p.path || '(file)'}: ${p.message}\n`);
        process.exitCode = 1;
        return;
      }
      if (opts.secrets) {
        const s = resolveSecrets(r.config);
        if (!s.ok) {
          process.stderr.write(`${opts.config}: secrets cannot be read\n`);
          for (const p of s.problems) process.stderr.write(`  ${p.path}: ${p.message}\n`);
          process.exitCode = 1;
          return;
        }
        const k = resolveSecretBox(r.config);
        if (!k.ok) {
          process.stderr.write(`${opts.config}: the key sealing stored secrets cannot be used\n`);
          for (const p of k.problems) process.stderr.write(`  ${p.path}: ${p.message}\n`);
          process.exitCode = 1;
          return;
        }
        if (opts.online) {
          const report = await validateOnline(r.config, s.secrets);
          process.stdout.write(formatOnlineReport(report));
          if (!report.ok) process.exitCode = 1;
        }
      } else if (opts.online) {
        process.stderr.write('--online needs the secrets (drop --no-secrets)\n');
        process.exitCode = 1;
        return;
      }
      const towardPartner = effectiveFieldMappings(r.config)
        .filter((m) => m.direction === 'both' || m.direction === 'to_tradinggrid')
        .map((m) => ({ field: m.tradinggrid, mapping: `mapping.fields "${m.name ?? m.tradinggrid}"` }));
      for (const w of [
        ...sharingWarnings(sharingRulesOf(r.config), sharingFlowsIn(r.config)),
        ...unsharedFieldWarnings(sharingRulesOf(r.config), towardPartner),
      ])
        process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(
        `${opts.config}: ok (store ${r.config.store.url.replace(/\/\/[^@]*@/, '//***@')}, ClickUp list ${r.config.clickup.list_id}, Trading Grid driver ${r.config.tradinggrid.driver}, ${Object.keys(r.config.partners.map).length} mapped partner(s))\n`,
      );
    });
  config
    .command('schema')
    .description('print the JSON Schema of the config file (for editor completion)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });
}
