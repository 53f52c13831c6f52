import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { loadConfigFile } from '../../config/load.ts';
import type { GridbridgeConfig } from '../../config/schema.ts';
import { parsePeriod } from '../../core/metrics/period.ts';
import { renderScorecardCsv } from '../../core/metrics/scorecardCsv.ts';
import { openMigratedStore } from '../../store/db.ts';
import type { Database } from '../../store/schema.ts';
import { listPartnerNames } from '../../store/ops/listPartnerNames.ts';
import { loadScorecards } from '../../sync/metrics/loadScorecards.ts';

export interface ReportOptions {
  partner?: string;
  /** Default: the running period of `metrics.period_kind`. */
  period?: string;
  format: 'csv' | 'json';
  now: number;
}

/** A partner's (or every partner's) scorecard of one period as CSV (partner review meetings) or JSON. */
export async function buildReport(db: Kysely<Database>, config: GridbridgeConfig, o: ReportOptions): Promise<string> {
  if (o.period !== undefined && !parsePeriod(o.period)) throw new RangeError(`unknown period '${o.period}': expected YYYY, YYYY-Qn, YYYY-MM or YYYY-Www (ISO week)`);
  const include = o.partner ? [o.partner] : Object.keys(config.partners.map);
  const { window, scorecards } = await loadScorecards(db, config, { period: o.period, partnerId: o.partner, now: o.now, include });
  const names = await listPartnerNames(db, scorecards.map((s) => s.partner_id));
  for (const [id, m] of Object.entries(config.partners.map)) if (m.name && !names.has(id)) names.set(id, m.name);
  if (o.format === 'csv') return renderScorecardCsv(scorecards, names);
  return `${JSON.stringify({ period: window.period, time_zone: config.calendar.time_zone, scorecards: scorecards.map((s) => ({ ...s, partner_name: names.get(s.partner_id) ?? null })) }, null, 2)}\n`;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('scorecards of a period from the store (flow 7): CSV for partner review meetings, or JSON')
    .option('--partner <id>', 'one Trading Grid partner id (default: every partner)')
    .option('--period <label>', 'YYYY, YYYY-Qn, YYYY-MM or YYYY-Www (default: the running period of metrics.period_kind)')
    .option('--format <csv|json>', 'output format', 'csv')
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .option('--store <url>', 'store URL (instead of the one in the config file)')
    .action(async (opts: { partner?: string; period?: string; format: string; config: string; store?: string }) => {
      if (opts.format !== 'csv' && opts.format !== 'json') {
        process.stderr.write(`--format must be csv or json (got ${opts.format})\n`);
        process.exitCode = 1;
        return;
      }
      const r = loadConfigFile(opts.config);
      if (!r.ok) {
        process.stderr.write(`${opts.config}:\n${r.problems.map((p) => `  ${p.path || '(file)'}: ${p.message}`).join('\n')}\n`);
        process.exitCode = 1;
        return;
      }
      const store = await openMigratedStore(opts.store ?? r.config.store.url);
      try {
        process.stdout.write(await buildReport(store.db, r.config, { partner: opts.partner, period: opts.period, format: opts.format, now: Date.now() }));
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        process.stderr.write(`${e.message}\n`);
        process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
