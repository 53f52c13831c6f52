import type { Command } from 'commander';
import { openMigratedStore } from '../../store/db.ts';
import { listHeldChanges, type HeldSelector } from '../../store/ops/partnerChanges.ts';
import { settleHeldChanges } from '../../flows/shared/partnerGuard.ts';
import { storeUrlFrom } from '../loadConfigForCommand.ts';

/**
 * `gridbridge held`: partner-visible changes the bulk-change guard holds (guards.bulk_changes), and changes the
 * mapping check holds (actor `gridbridge:mapping:…`: a name renamed in ClickUp, a status the map does not know).
 */
export function registerHeldCommands(program: Command): void {
  const held = program
    .command('held')
    .description(
      'changes held by the bulk-change guard or the mapping check: list, release (send to the partner) or drop',
    );
  held
    .command('list')
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .option('--store <url>', 'store URL (instead of the config file)')
    .option('--json', 'print JSON')
    .action(async (opts: { config: string; store?: string; json?: boolean }) => {
      const store = await openMigratedStore(storeUrlFrom(opts));
      try {
        const rows = await listHeldChanges(store.db);
        if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else if (rows.length === 0) process.stdout.write('no held changes\n');
        else {
          for (const r of rows) {
            process.stdout.write(
              `#${r.id}  ${new Date(r.at).toISOString()}  ${r.actor}  case ${r.caseId ?? '-'}  ${r.summary}\n`,
            );
            // Held for the mapping: the reason says what to fix (released by itself once it is fixed).
            if (r.actor.startsWith('gridbridge:mapping:') && r.reason) process.stdout.write(`      ${r.reason}\n`);
          }
          process.stdout.write(
            `${rows.length} held change(s); release with \`gridbridge held release --all\` (or --actor / ids), or drop them\n`,
          );
        }
      } finally {
        await store.close();
      }
    });
  for (const [name, to] of [
    ['release', 'released'],
    ['drop', 'dropped'],
  ] as const) {
    held
      .command(`${name} [ids...]`)
      .description(
        name === 'release'
          ? 'send held changes to the partner (a status the task has moved on from is not sent)'
          : 'drop held changes: the partner never sees them',
      )
      .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
      .option('--store <url>', 'store URL (instead of the config file)')
      .option('--actor <name>', 'all held changes of this person, as `held list` shows it')
      .option('--all', 'every held change')
      .action(async (ids: string[], opts: { config: string; store?: string; actor?: string; all?: boolean }) => {
        const nums = ids.map(Number);
        if (nums.some((n) => !Number.isInteger(n) || n <= 0)) {
          process.stderr.write(`ids must be numbers as \`gridbridge held list\` shows them (got ${ids.join(' ')})\n`);
          process.exitCode = 1;
          return;
        }
        const sel: HeldSelector | null = opts.all
          ? { all: true }
          : opts.actor
            ? { actor: opts.actor }
            : nums.length > 0
              ? { ids: nums }
              : null;
        if (!sel) {
          process.stderr.write('name held change ids, --actor NAME or --all\n');
          process.exitCode = 1;
          return;
        }
        const store = await openMigratedStore(storeUrlFrom(opts));
        try {
          const n = await settleHeldChanges(store.db, sel, to, `cli:${process.env.USER ?? 'unknown'}`, Date.now(), 10);
          process.stdout.write(
            `${n} held change(s) ${to}${to === 'released' && n > 0 ? '; the running bridge sends them' : ''}\n`,
          );
        } finally {
          await store.close();
        }
      });
  }
}
