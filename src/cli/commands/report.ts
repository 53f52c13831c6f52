import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { existsSync } from 'node:fs';
import { loadConfigFile } from '../../config/load.ts';
import { CalendarSection, MetricsSection } from '../../config/slaSchema.ts';
import type { GridbridgeConfig } from '../../config/schema.ts';
import { parsePeriod } from '../../core/metrics/period.ts';
import { renderScorecardCsv } from '../../core/metrics/scorecardCsv.ts';
import { openMigratedStore } from '../../store/db.ts';
import type { Database } from '../../store/schema.ts';
import { listPartnerNames } from '../../store/ops/listPartnerNames.ts';
import { loadScorecards } from '../../flows/07-scorecards/loadScorecards.ts';

/** The config a report reads: the calendar's time zone (periods), the period kind, partner names. */
export type ReportConfig = Pick<GridbridgeConfig, 'calendar' | 'metrics' | 'partners'>;

export interface ReportOptions {
  partner?: string;
  /** Default: the running period of `metrics.period_kind`. */
  period?: string;
  format: 'csv' | 'json';
  now: number;
}

/** A partner's (or every partner's) scorecard of one period as CSV (partner review meetings) or JSON. */
export async function buildReport(db: Kysely<Database>, config: ReportConfig, o: ReportOptions): Promise<string> {
  if (o.period !== undefined && !parsePeriod(o.period))
    throw new RangeError(`unknown period '${o.period}': expected YYYY, YYYY-Qn, YYYY-MM or YYYY-Www (ISO week)`);
  const include = o.partner ? [o.partner] : Object.keys(config.partners.map);
  const { window, scorecards } = await loadScorecards(db, config, {
    period: o.period,
    partnerId: o.partner,
    now: o.now,
    include,
  });
  const names = await listPartnerNames(
    db,
    scorecards.map((s) => s.partner_id),
  );
  for (const [id, m] of Object.entries(config.partners.map)) if (m.name && !names.has(id)) names.set(id, m.name);
  if (o.format === 'csv') return renderScorecardCsv(scorecards, names);
  return `${JSON.stringify({ period: window.period, time_zone: config.calendar.time_zone, scorecards: scorecards.map((s) => ({ ...s, partner_name: names.get(s.partner_id) ?? null })) }, null, 2)}\n`;
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('scorecards of a period from the store (flow 7): CSV for partner review meetings, or JSON')
    .option('--partner <id>', 'one Trading Grid partner id (default: every partner)')
    .option(
      '--period <label>',
      'YYYY, YYYY-Qn, YYYY-MM or YYYY-Www (default: the running period of metrics.period_kind)',
    )
    .option('--format <csv|json>', 'output format', 'csv')
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .option('--store <url>', 'store URL; without a config file, periods are read in UTC (or --time-zone)')
    .option('--time-zone <iana>', 'time zone of the period boundaries when no config file is used', 'UTC')
    .action(
      async (opts: {
        partner?: string;
        period?: string;
        format: string;
        config: string;
        store?: string;
        timeZone: string;
      }) => {
        if (opts.format !== 'csv' && opts.format !== 'json') {
          process.stderr.write(`--format must be csv or json (got ${opts.format})\n`);
          process.exitCode = 1;
          return;
        }
        let config: ReportConfig;
        let storeUrl = opts.store;
        if (opts.store && !existsSync(opts.config)) {
          const tz = CalendarSection.safeParse({ time_zone: opts.timeZone, working_hours: { mon: ['09:00-17:00'] } });
          if (!tz.success) {
            process.stderr.write(`--time-zone: ${tz.error.issues[0]?.message}\n`);
            process.exitCode = 1;
            return;
          }
          config = {
            calendar: tz.data,
            metrics: MetricsSection.parse(undefined),
            partners: { require_mapping: false, map: {} },
          };
        } else {
          const r = loadConfigFile(opts.config);
          if (!r.ok) {
            process.stderr.write(
              `${opts.config}:\n${r.problems.map((p) => `  ${p.path || '(file)'}: ${p.message}`).join('\n')}\n`,
            );
            process.exitCode = 1;
            return;
          }
          config = r.config;
          storeUrl ??= r.config.store.url;
        }
        const store = await openMigratedStore(storeUrl!);
        try {
          process.stdout.write(
            await buildReport(store.db, config, {
              partner: opts.partner,
              period: opts.period,
              format: opts.format,
              now: Date.now(),
            }),
          );
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          process.stderr.write(`${e.message}\n`);
          process.exitCode = 1;
        } finally {
          await store.close();
        }
      },
    );
}
