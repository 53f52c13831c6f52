import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import pino, { type Logger } from 'pino';
import type { GridbridgeConfig } from '../../config/schema.ts';
import { loadConfigForCommand } from '../loadConfigForCommand.ts';
import { createClickUpClient, findFieldByName, type ClickUpClient } from '../../connectors/clickup/index.ts';
import { communityDriverFor } from '../../sync/tradingGridDriver.ts';
import type { TradingGridPort } from '../../connectors/tradinggrid/port.ts';
import { openMigratedStore, type Store } from '../../store/db.ts';
import { getLink, getLinkByTask, recordLink } from '../../store/ops/links.ts';
import { getFlowRecord } from '../../store/ops/flowRecords.ts';
import { enqueueJobs } from '../../store/ops/enqueueJobs.ts';
import { newEngineJob } from '../../sync/engineJobs.ts';
import { newJob } from '../../flows/catalogue.ts';
import { appendAudit } from '../../store/ops/audit.ts';
import { rememberField } from '../../store/ops/fieldMemory.ts';
import { CASE_STATUSES } from '../../connectors/tradinggrid/events.ts';
import { decideFirstStatus, toPartnerStatus } from '../../flows/02-status-sync/decisions/statusMap.ts';
import { shareField } from '../../core/sharing/rules.ts';
import { sharingRulesOf } from '../../config/sharingSchema.ts';

export interface BackfillDeps {
  store: Store;
  tg: Pick<TradingGridPort, 'listCases' | 'iterateCases'> &
    Partial<Pick<TradingGridPort, 'listRequests' | 'iteratePartners'>>;
  clickup: Pick<ClickUpClient, 'getListFields' | 'listTasks'>;
  config: GridbridgeConfig;
  now: () => number;
  logger?: Logger;
}

export type BackfillAction = 'already_linked' | 'linked' | 'queued' | 'ambiguous';

export interface BackfillReport {
  seen: number;
  /** Cases whose partner status is outside `--status`: not linked, not queued. */
  outOfScope: number;
  /** Linked tasks whose status disagrees with the partner's: nothing is sent, a person settles it. */
  conflicts: number;
  /** Tasks to create whose partner will get `sync.status_on_task_created`. */
  statusesToPartner: number;
  /** Cases of partners with no mapping: intake holds them as needs_mapping. */
  held: number;
  linked: number;
  alreadyLinked: number;
  queued: number;
  /** Cases with several ClickUp tasks carrying their id: the first is linked, the others are named. */
  ambiguous: number;
  /** Pending requests (flow 6) that get an approval task; nothing reaches the partner before a decision. */
  requests: number;
  /** Partners still onboarding (flow 4) that get an onboarding group. */
  partners: number;
  /** Marker tasks in the rollouts list (flow 8) whose notice goes to partners as soon as the bridge starts. */
  notices: number;
  lines: string[];
}

/**
 * Index of a ClickUp list: TG case id → task ids, from one paged listing of the list (closed tasks and
 * subtasks too). One listing per list costs a call per 100 tasks, where a lookup per case would cost a
 * call per case against the same 100-a-minute budget.
 */
async function indexList(
  clickup: BackfillDeps['clickup'],
  listId: string,
  fieldName: string,
): Promise<Map<string, Array<{ id: string; status: string | null; updatedAt: number }>>> {
  const fields = await clickup.getListFields(listId);
  if (!fields.ok) throw new Error(`reading the custom fields of ClickUp list ${listId}: ${fields.error.detail}`);
  const field = findFieldByName(fields.value, fieldName);
  if (!field)
    throw new Error(
      `ClickUp list ${listId} has no custom field "${fieldName}" (clickup.fields.tg_case_id): cannot match existing tasks`,
    );
  const tasks = await clickup.listTasks(listId, { include_closed: true, subtasks: true });
  if (!tasks.ok) throw new Error(`listing the tasks of ClickUp list ${listId}: ${tasks.error.detail}`);
  const index = new Map<string, Array<{ id: string; status: string | null; updatedAt: number }>>();
  for (const t of tasks.value) {
    const v = (t.custom_fields ?? []).find((f) => f.id === field.id)?.value;
    if (typeof v !== 'string' || v === '') continue;
    index.set(v, [
      ...(index.get(v) ?? []),
      { id: t.id, status: t.status?.status ?? null, updatedAt: Number(t.date_updated ?? 0) || 0 },
    ]);
  }
  return index;
}

/**
 * Pull Trading Grid cases updated since `since` and join them to the ClickUp tasks that already exist
 * (by the "TG case id" field) instead of creating new ones. Cases without a task are queued for intake,
 * which creates it through the normal path (link store check first). Running it twice changes nothing.
 */
export async function runBackfill(
  d: BackfillDeps,
  opts: {
    since: Date;
    statuses?: readonly string[];
    dryRun?: boolean;
    onProgress?: (done: number, total: number) => void;
    onTotal?: (total: number) => void;
  },
): Promise<BackfillReport> {
  const updatedAfter = opts.since.toISOString();
  const first = await d.tg.listCases({ updatedAfter, limit: 1 });
  if (!first.ok) throw new Error(`listing Trading Grid cases: ${first.error.detail}`);
  opts.onTotal?.(first.value.totalCount);
  const report: BackfillReport = {
    seen: 0,
    outOfScope: 0,
    conflicts: 0,
    statusesToPartner: 0,
    held: 0,
    linked: 0,
    alreadyLinked: 0,
    queued: 0,
    ambiguous: 0,
    requests: 0,
    partners: 0,
    notices: 0,
    lines: [],
  };
  const indexes = new Map<string, Map<string, Array<{ id: string; status: string | null; updatedAt: number }>>>();
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
      const tasks = indexes.get(listId)!.get(c.id) ?? [];
      const taskIds = tasks.map((t) => t.id);
      const now = d.now();
      // Intake refreshes the case record; with the link in place it creates no task.
      const intake = newJob(
        'case.reintake',
        { caseId: c.id, source: 'community' },
        { key: `backfill:case.reintake:${c.id}`, queueKey: `case:${c.id}` },
      );
      if (opts.statuses && !opts.statuses.includes(c.status)) {
        report.outOfScope++;
        report.lines.push(`${c.id}: partner status ${c.status} is outside --status; left alone`);
      } else if (taskIds.length > 0) {
        report.linked++;
        if (taskIds.length > 1) {
          report.ambiguous++;
          report.lines.push(
            `${c.id}: ${taskIds.length} ClickUp tasks carry this case id (${taskIds.join(', ')}); linking ${taskIds[0]}, look at the others`,
          );
        }
        report.lines.push(
          `${c.id}: ${opts.dryRun ? 'would link' : 'linked'} to existing task ${taskIds[0]} (list ${listId})`,
        );
        // Linking sends no status either way; a task and a case that disagree are for a person to settle.
        const onTask = tasks[0]!.status ? toPartnerStatus(tasks[0]!.status, d.config.clickup.status_map) : null;
        if (onTask && onTask !== c.status) {
          report.conflicts++;
          report.lines.push(
            `${c.id}: CONFLICT task ${taskIds[0]} is "${tasks[0]!.status}" (${onTask}) but the partner sees ${c.status}: nothing is sent either way; move the task or the case to settle it`,
          );
        } else report.lines.push(`${c.id}: statuses agree (${c.status}); nothing sent`);
        if (!opts.dryRun) {
          await db.transaction().execute(async (trx) => {
            await recordLink(trx, { entity: 'case', entityId: c.id, cuTaskId: taskIds[0]!, cuListId: listId }, now);
            // Both sides' statuses as linked are known, not news: a catch-up replaying the task's history
            // sends nothing, and only a later change on either side syncs (a conflict waits for a person).
            if (onTask)
              await rememberField(trx, 'case', c.id, 'status', 'clickup', {
                value: onTask,
                at: tasks[0]!.updatedAt || now,
              });
            if (tasks[0]!.status)
              await rememberField(trx, 'case', c.id, 'status_name', 'clickup', {
                value: tasks[0]!.status,
                at: tasks[0]!.updatedAt || now,
              });
            await rememberField(trx, 'case', c.id, 'status', 'tradinggrid', {
              value: c.status,
              at: Date.parse(c.updated_at) || now,
            });
            if (!onTask || onTask === c.status)
              await rememberField(trx, 'case', c.id, 'status', 'agreed', { value: c.status, at: now });
            await appendAudit(
              trx,
              {
                actor: 'backfill',
                entity: 'case',
                entityId: c.id,
                action: 'task_linked_by_backfill',
                after: { cuTaskId: taskIds[0], listId },
              },
              now,
            );
            await enqueueJobs(trx, [intake], now);
          });
        }
      } else if (d.config.partners.require_mapping && !d.config.partners.map[c.partner_id]) {
        report.held++;
        report.lines.push(
          `${c.id}: partner ${c.partner_id} has no mapping (partners.map): ${opts.dryRun ? 'would be' : 'is'} held as needs_mapping, no task, nothing sent`,
        );
        if (!opts.dryRun) await enqueueJobs(db, [intake], now);
      } else {
        report.queued++;
        // The same decision the task's creation takes (createTask.ts): the task takes the case's state, and
        // the partner hears only a step forward.
        const first = decideFirstStatus({
          partnerSees: c.status,
          onCreated: d.config.sync.status_on_task_created,
          statusMap: d.config.clickup.status_map,
          back: d.config.clickup.status_to_clickup,
          direction: d.config.sync.status.direction,
        });
        const taskStatus = first.taskStatus ?? "the list's first status";
        const sendsStatus =
          first.toPartner && shareField(sharingRulesOf(d.config), 'cases', 'status').share ? first.toPartner : null;
        if (sendsStatus) report.statusesToPartner++;
        report.lines.push(
          `${c.id}: no ClickUp task yet; ${opts.dryRun ? 'would queue' : 'queued'} for intake: creates one in ${first.taskStatus ? `"${taskStatus}"` : taskStatus}; partner ${sendsStatus ? `gets ${sendsStatus} (sees ${c.status})` : `is told nothing (sees ${c.status})`}`,
        );
        if (!opts.dryRun) await enqueueJobs(db, [intake], now);
      }
    }
    opts.onProgress?.(report.seen, Math.max(first.value.totalCount, report.seen));
  }
  await planGroupFlows(d, opts, report);
  return report;
}

/** A Trading Grid event as a webhook would bring it: the real run hands it to the flow's own route. */
function syntheticEvent(type: 'request.created' | 'trading_partner.created', id: string, now: number) {
  return newEngineJob(
    'tg.event',
    { id: `backfill:${type}:${id}`, type, occurred_at: new Date(now).toISOString(), data: { id } },
    {
      key: `backfill:tg.event:${type}:${id}`,
      queueKey: type === 'request.created' ? `request:${id}` : `partner:${id}`,
    },
  );
}

/**
 * Requests, partners and notices (flows 6, 4, 8): what the first day does with what exists. Pending requests
 * created since `since` get an approval task (the partner hears nothing before a decision); partners still
 * onboarding get a group; marker tasks in the rollouts list publish their notice as soon as the bridge runs,
 * so the plan names each one and its audience. The real run queues the same requests and partners.
 */
async function planGroupFlows(
  d: BackfillDeps,
  opts: { since: Date; dryRun?: boolean },
  report: BackfillReport,
): Promise<void> {
  const db = d.store.db;
  const flows = d.config.flows;
  const since = opts.since.getTime();
  const jobs: Array<ReturnType<typeof syntheticEvent>> = [];
  if (flows?.approvals && d.tg.listRequests) {
    for (let offset = 0; ; offset += 100) {
      const page = await d.tg.listRequests({ status: 'pending', limit: 100, offset });
      if (!page.ok) throw new Error(`listing Trading Grid requests: ${page.error.detail}`);
      for (const r of page.value.data) {
        if (r.created_at && Date.parse(r.created_at) < since) continue;
        if (await getFlowRecord(db, 'approval', r.id)) {
          report.lines.push(`request ${r.id}: already has its approval task`);
          continue;
        }
        report.requests++;
        report.lines.push(
          `request ${r.id} (${r.partner_id}, ${r.kind}): ${opts.dryRun ? 'would create' : 'queued:'} an approval task in list ${flows.approvals.list_id}; the partner hears nothing until a decision`,
        );
        jobs.push(syntheticEvent('request.created', r.id, d.now()));
      }
      if (page.value.data.length === 0 || offset + page.value.data.length >= page.value.totalCount) break;
    }
  }
  if (flows?.onboarding && d.tg.iteratePartners) {
    for await (const p of d.tg.iteratePartners({ updatedAfter: opts.since.toISOString() })) {
      if (p.status === 'active' || p.status === 'inactive') continue;
      if (await getFlowRecord(db, 'onboarding', p.id)) {
        report.lines.push(`partner ${p.id}: already has its onboarding group`);
        continue;
      }
      report.partners++;
      report.lines.push(
        `partner ${p.id} (${p.name}, ${p.status}): ${opts.dryRun ? 'would start' : 'queued:'} an onboarding group; its Trading Grid status moves only as milestones close`,
      );
      jobs.push(syntheticEvent('trading_partner.created', p.id, d.now()));
    }
  }
  if (flows?.rollouts) {
    const tasks = await d.clickup.listTasks(flows.rollouts.list_id, { tags: [flows.rollouts.marker_tag] });
    if (!tasks.ok) throw new Error(`listing the rollouts list ${flows.rollouts.list_id}: ${tasks.error.detail}`);
    for (const t of tasks.value) {
      if (t.parent || (await getLinkByTask(db, t.id))) continue;
      const audience = flows.rollouts.fields.audience
        ? String((t.custom_fields ?? []).find((f) => f.name === flows.rollouts!.fields.audience)?.value ?? '')
        : '';
      report.notices++;
      report.lines.push(
        `rollout task ${t.id} "${t.name}": PUBLISHES a notice to ${audience || flows.rollouts.default_audience || 'the default audience'} as soon as the bridge runs (remove the "${flows.rollouts.marker_tag}" tag to stop it)`,
      );
    }
  }
  if (!opts.dryRun && jobs.length > 0) await enqueueJobs(db, jobs, d.now());
}

/** `--since` accepts a date (2025-01-31) or a full ISO timestamp. */
export function parseSince(v: string): Date {
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime())) throw new Error(`--since: "${v}" is not a date (use YYYY-MM-DD or an ISO timestamp)`);
  return d;
}

/** What one run reports, in one line after the per-case lines. */
export function summaryLine(report: BackfillReport, since: Date, dryRun: boolean): string {
  const parts = [
    `${report.linked} ${dryRun ? 'to link' : 'linked'} to existing tasks`,
    `${report.alreadyLinked} already linked`,
    `${report.queued} ${dryRun ? 'to create' : 'queued for intake'} (${report.statusesToPartner} with a status for the partner)`,
    ...(report.held ? [`${report.held} held (partner not mapped)`] : []),
    ...(report.conflicts ? [`${report.conflicts} conflict(s) for a person (nothing sent)`] : []),
    ...(report.outOfScope ? [`${report.outOfScope} outside --status`] : []),
    ...(report.ambiguous ? [`${report.ambiguous} with several tasks (see above)`] : []),
    ...(report.requests ? [`${report.requests} request(s) ${dryRun ? 'to get' : 'queued for'} an approval task`] : []),
    ...(report.partners
      ? [`${report.partners} partner(s) ${dryRun ? 'to get' : 'queued for'} an onboarding group`]
      : []),
    ...(report.notices ? [`${report.notices} rollout notice(s) published on start`] : []),
  ];
  return `${dryRun ? '(plan, nothing changed) ' : ''}${report.seen} case(s) since ${since.toISOString()}: ${parts.join(', ')}`;
}

async function runCommand(opts: {
  since: string;
  status?: string;
  config: string;
  dryRun?: boolean;
  verbose?: boolean;
}): Promise<void> {
  let since: Date;
  try {
    since = parseSince(opts.since);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  const statuses = opts.status
    ? opts.status
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;
  const bad = (statuses ?? []).filter((x) => !(CASE_STATUSES as readonly string[]).includes(x));
  if (bad.length > 0) {
    process.stderr.write(`--status: ${bad.join(', ')} is not a case status (one of ${CASE_STATUSES.join(', ')})\n`);
    process.exitCode = 1;
    return;
  }
  const loaded = loadConfigForCommand(opts.config);
  if (!loaded) return;
  const config = loaded.config;
  const logger = pino({ level: 'warn' });
  const tg = communityDriverFor(config, loaded.secrets, { logger });
  if (!tg) {
    process.stderr.write(
      'backfill links community cases to tasks, and tradinggrid.driver is mailbox (EDI only): there are no community cases to read\n',
    );
    process.exitCode = 1;
    return;
  }
  const store = await openMigratedStore(config.store.url);
  const clickup = createClickUpClient({
    baseUrl: config.clickup.base_url,
    token: loaded.secrets.clickupToken,
    teamId: config.clickup.team_id,
    logger,
  });
  const bar = new cliProgress.SingleBar(
    {
      format: ' {bar} {percentage}% | {value}/{total} cases | ETA {eta_formatted}',
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  try {
    const report = await runBackfill(
      { store, tg, clickup, config, now: Date.now, logger },
      {
        since,
        statuses,
        dryRun: opts.dryRun,
        onTotal: (total) => bar.start(total, 0),
        onProgress: (done, total) => {
          bar.setTotal(total);
          bar.update(done);
        },
      },
    );
    bar.stop();
    const show =
      opts.verbose || opts.dryRun
        ? report.lines
        : report.lines.filter((l) => /carry this case id|CONFLICT|PUBLISHES/.test(l));
    for (const l of show) process.stdout.write(`${l}\n`);
    process.stdout.write(`${summaryLine(report, since, Boolean(opts.dryRun))}\n`);
    if (!opts.dryRun && report.queued + report.linked > 0)
      process.stdout.write(
        'The running bridge picks up the queued work; see /ui or `gridbridge dlq list` if something fails.\n',
      );
  } catch (e) {
    bar.stop();
    process.stderr.write(`backfill failed: ${(e as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await Promise.allSettled([clickup.close(), tg.close()]);
    await store.close();
  }
}

export function registerBackfillCommand(program: Command): void {
  program
    .command('backfill')
    .description(
      'link existing Trading Grid cases to their existing ClickUp tasks (no duplicates); queue the rest for intake',
    )
    .requiredOption('--since <date>', 'cases updated since this date (YYYY-MM-DD or ISO timestamp)')
    .option('--status <list>', 'only cases whose partner status is one of these (comma-separated)')
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .option('--dry-run', 'print what would be done, change nothing (same as `gridbridge plan`)')
    .option('-v, --verbose', 'print one line per case')
    .action(runCommand);
  program
    .command('plan')
    .description(
      'print what the bridge would do for existing cases (link, create, statuses either way, conflicts), pending requests, onboarding partners and rollout marker tasks; changes nothing. `backfill` with the same options does exactly that',
    )
    .requiredOption('--since <date>', 'cases updated since this date (YYYY-MM-DD or ISO timestamp)')
    .option('--status <list>', 'only cases whose partner status is one of these (comma-separated)')
    .option('-c, --config <file>', 'config file', 'gridbridge.yaml')
    .action((opts: { since: string; status?: string; config: string }) => runCommand({ ...opts, dryRun: true }));
}
