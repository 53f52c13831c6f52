import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import pino, { type Logger } from 'pino';
import type { GridbridgeConfig } from '../../config/schema.ts';
import { loadConfigForCommand } from '../loadConfigForCommand.ts';
import { createClickUpClient, findFieldByName, type ClickUpClient } from '../../connectors/clickup/index.ts';
import { communityDriverFor } from '../../sync/tradingGridDriver.ts';
import type { TradingGridPort } from '../../connectors/tradinggrid/port.ts';
import { openMigratedStore, type Store } from '../../store/db.ts';
import { getLink, recordLink } from '../../store/ops/links.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { appendAudit } from '../../store/ops/audit.ts';

export interface BackfillDeps {
  store: Store;
  tg: Pick<TradingGridPort, 'listCases' | 'iterateCases'>;
  clickup: Pick<ClickUpClient, 'getListFields' | 'listTasks'>;
  config: GridbridgeConfig;
  now: () => number;
  logger?: Logger;
}

export type BackfillAction = 'already_linked' | 'linked' | 'queued' | 'ambiguous';

export interface BackfillReport {
  seen: number;
  linked: number;
  alreadyLinked: number;
  queued: number;
  /** Cases with several ClickUp tasks carrying their id: the first is linked, the others are named. */
  ambiguous: number;
  lines: string[];
}

/**
 * Index of a ClickUp list: TG case id → task ids, from one paged listing of the list (closed tasks and
 * subtasks too). One listing per list costs a call per 100 tasks, where a lookup per case would cost a
 * call per case against the same 100-a-minute budget.
 */
async function indexList(clickup: BackfillDeps['clickup'], listId: string, fieldName: string): Promise<Map<string, string[]>> {
  const fields = await clickup.getListFields(listId);
  if (!fields.ok) throw new Error(`reading the custom fields of ClickUp list ${listId}: ${fields.error.detail}`);
  const field = findFieldByName(fields.value, fieldName);
  if (!field) throw new Error(`ClickUp list ${listId} has no custom field "${fieldName}" (clickup.fields.tg_case_id): cannot match existing tasks`);
  const tasks = await clickup.listTasks(listId, { include_closed: true, subtasks: true });
  if (!tasks.ok) throw new Error(`listing the tasks of ClickUp list ${listId}: ${tasks.error.detail}`);
  const index = new Map<string, string[]>();
  for (const t of tasks.value) {
    const v = (t.custom_fields ?? []).find((f) => f.id === field.id)?.value;
    if (typeof v !== 'string' || v === '') continue;
    index.set(v, [...(index.get(v) ?? []), t.id]);
  }
  return index;
}

/**
 * Pull Trading Grid cases updated since `since` and join them to the ClickUp tasks that already exist
 * (by the "TG case id" field) instead of creating new ones. Cases without a task are queued for intake,
 * which creates it through the normal path (link store check first). Running it twice changes nothing.
 */
export async function runBackfill(d: BackfillDeps, opts: { since: Date; dryRun?: boolean; onProgress?: (done: number, total: number) => void; onTotal?: (total: number) => void }): Promise<BackfillReport> {
  const updatedAfter = opts.since.toISOString();
  const first = await d.tg.listCases({ updatedAfter, limit: 1 });
  if (!first.ok) throw new Error(`listing Trading Grid cases: ${first.error.detail}`);
  opts.onTotal?.(first.value.totalCount);
  const report: BackfillReport = { seen: 0, linked: 0, alreadyLinked: 0, queued: 0, ambiguous: 0, lines: [] };
  const indexes = new Map<string, Map<string, string[]>>();
  const fieldName = d.config.clickup.fields.tg_case_id;
  for await (const c of d.tg.iterateCases({ updatedAfter })) {
    report.seen++;
    const listId = d.config.partners.map[c.partner_id]?.list_id ?? d.config.clickup.list_id;
    const db = d.store.db;
    const existing = await getLink(db, 'case', c.id);
    if (existing) {
      report.alreadyLinked++;
    } else {
      if (!indexes.has(listId)) indexes.set(listId, await indexList(d.clickup, listId, fieldName));
      const taskIds = indexes.get(listId)!.get(c.id) ?? [];
      const now = d.now();
      // Intake refreshes the case record; with the link in place it creates no task.
      const intake = { kind: 'case.reintake', key: `backfill:case.reintake:${c.id}`, queueKey: `case:${c.id}`, payload: { caseId: c.id, source: 'community' } };
      if (taskIds.length > 0) {
        report.linked++;
        if (taskIds.length > 1) {
          report.ambiguous++;
          report.lines.push(`${c.id}: ${taskIds.length} ClickUp tasks carry this case id (${taskIds.join(', ')}); linking ${taskIds[0]}, look at the others`);
        }
        report.lines.push(`${c.id}: ${opts.dryRun ? 'would link' : 'linked'} to existing task ${taskIds[0]} (list ${listId})`);
        if (!opts.dryRun) {
          await db.transaction().execute(async (trx) => {
            await recordLink(trx, { entity: 'case', entityId: c.id, cuTaskId: taskIds[0]!, cuListId: listId }, now);
            await appendAudit(trx, { actor: 'backfill', entity: 'case', entityId: c.id, action: 'task_linked_by_backfill', after: { cuTaskId: taskIds[0], listId } }, now);
            await enqueueJobs(trx, [intake], now);
          });
        }
      } else {
        report.queued++;
        report.lines.push(`${c.id}: no ClickUp task yet; ${opts.dryRun ? 'would queue' : 'queued'} for intake (creates one)`);
        if (!opts.dryRun) await enqueueJobs(db, [intake], now);
      }
    }
    opts.onProgress?.(report.seen, Math.max(first.value.totalCount, report.seen));
  }
  return report;
}

/** `--since` accepts a date (2025-01-31) or a full ISO timestamp. */
export function parseSince(v: string): Date {
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime())) throw new Error(`--since: "${v}" is not a date (use YYYY-MM-DD or an ISO timestamp)`);
  return d;
}

export function registerBackfillCommand(program: Command): void {
  program
    .command('backfill')
    .description('link existing Trading Grid cases to their existing ClickUp tasks (no duplicates); queue the rest for intake')
    .requiredOption('--since <date>', 'cases updated since this date (YYYY-MM-DD or ISO timestamp)')
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .option('--dry-run', 'print what would be done, change nothing')
    .option('-v, --verbose', 'print one line per case')
    .action(async (opts: { since: string; config: string; dryRun?: boolean; verbose?: boolean }) => {
      let since: Date;
      try {
        since = parseSince(opts.since);
      } catch (e) {
        process.stderr.write(`${(e as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      const loaded = loadConfigForCommand(opts.config);
      if (!loaded) return;
      const r = { config: loaded.config };
      const s = { secrets: loaded.secrets };
      const config = r.config;
      const logger = pino({ level: 'warn' });
      const tg = communityDriverFor(config, s.secrets, { logger });
      if (!tg) {
        process.stderr.write('backfill links community cases to tasks, and tradinggrid.driver is mailbox (EDI only): there are no community cases to read\n');
        process.exitCode = 1;
        return;
      }
      const store = await openMigratedStore(config.store.url);
      const clickup = createClickUpClient({ baseUrl: config.clickup.base_url, token: s.secrets.clickupToken, teamId: config.clickup.team_id, logger });
      const bar = new cliProgress.SingleBar({ format: ' {bar} {percentage}% | {value}/{total} cases | ETA {eta_formatted}', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
      try {
        const report = await runBackfill({ store, tg, clickup, config, now: Date.now, logger }, {
          since,
          dryRun: opts.dryRun,
          onTotal: (total) => bar.start(total, 0),
          onProgress: (done, total) => {
            bar.setTotal(total);
            bar.update(done);
          },
        });
        bar.stop();
        const show = opts.verbose || opts.dryRun ? report.lines : report.lines.filter((l) => /carry this case id/.test(l));
        for (const l of show) process.stdout.write(`${l}\n`);
        process.stdout.write(`${opts.dryRun ? '(dry run) ' : ''}${report.seen} case(s) since ${since.toISOString()}: ${report.linked} linked to existing tasks, ${report.alreadyLinked} already linked, ${report.queued} queued for intake${report.ambiguous ? `, ${report.ambiguous} with several tasks (see above)` : ''}\n`);
        if (!opts.dryRun && report.queued + report.linked > 0) process.stdout.write('The running bridge picks up the queued work; see /ui or `gridbridge dlq list` if something fails.\n');
      } catch (e) {
        bar.stop();
        process.stderr.write(`backfill failed: ${(e as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await Promise.allSettled([clickup.close(), tg.close()]);
        await store.close();
      }
    });
}
