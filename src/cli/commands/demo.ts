import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import pino from 'pino';
import { startClickUpSandbox } from '../../sandbox/clickup/server.ts';
import { startTradingGridSandbox } from '../../sandbox/tradinggrid/index.ts';
import { configForSandboxes } from '../sandboxSetup.ts';
import { startBridge, StartupError } from '../../server/bridge.ts';
import { raiseMorningCases } from '../demo/partnerDay.ts';
import { demoSlaConfig, playSlaEvening } from '../demo/slaEvening.ts';
import {
  countCommunityRequestsAbout,
  deliverDemoEdi,
  deliverEdiOnlyPartner,
  demoMailboxConfig,
  EDI_ONLY_PARTNER,
  EDI_ONLY_PARTNER_MAPPING,
  listDemoEdiCases,
} from '../demo/ediMailbox.ts';
import { playMiddaySync } from '../demo/middaySync.ts';
import { showMappingApplied } from '../demo/mappingSummary.ts';
import { getCase } from '../../store/ops/cases.ts';
import { getLink } from '../../store/ops/links.ts';
import { listDocuments } from '../../store/ops/documents.ts';
import { listDeadLetters } from '../../store/ops/replayDeadLetter.ts';
import { countDueJobs } from '../../store/ops/countDueJobs.ts';
import { onShutdown } from './start.ts';
import { playAfternoon } from '../demo/afternoon.ts';
import { demoGuardsConfig, playBulkSlip } from '../demo/bulkSlip.ts';
import { demoEmailPartnerConfig, EMAIL_PARTNER, playEmailPartner } from '../demo/emailPartner.ts';
import { startMailCatcher } from '../../sandbox/mail/server.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface DemoOptions {
  port: number;
  store: string;
  once?: boolean;
}

/** Both sandboxes, the bridge on a fresh SQLite file, a scripted partner day, and a summary of what happened. */
export async function runDemo(
  opts: DemoOptions,
  out: (s: string) => void = (s) => process.stdout.write(s),
): Promise<{ stop: () => Promise<void>; summary: DemoSummary }> {
  const file = resolve(opts.store);
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  const cu = await startClickUpSandbox({ rateLimitPerMinute: 1000 });
  const tg = await startTradingGridSandbox({ idTag: 'DEMO' });
  const mail = await startMailCatcher();
  const { config, secrets } = configForSandboxes(
    { clickup: { url: cu.url, token: cu.token, teamId: cu.teamId, lists: cu.lists }, tradinggrid: tg },
    {
      storeUrl: `sqlite:${file}`,
      port: opts.port,
      partners: {
        'P-ACME': { name: 'Acme Retail' },
        'P-GLOBEX': { name: 'Globex Logistics' },
        'P-INITECH': { name: 'Initech Supply' },
        [EMAIL_PARTNER]: { name: 'Hooli Foods' },
        [EDI_ONLY_PARTNER]: { ...EDI_ONLY_PARTNER_MAPPING },
      },
      extra: {
        mailbox: demoMailboxConfig(`${file}-mailbox`),
        ...demoSlaConfig(),
        ...demoGuardsConfig(),
        ...demoEmailPartnerConfig(mail),
      },
    },
  );
  // A fresh admin token per demo run, printed so a person can sign in to the console.
  const adminToken = randomBytes(24).toString('base64url');
  let bridge: Awaited<ReturnType<typeof startBridge>>;
  try {
    bridge = await startBridge({
      config,
      secrets,
      logger: pino({ level: 'warn' }),
      admin: { tokens: [{ name: 'demo', role: 'admin', token: adminToken }], users: [] },
    });
  } catch (e) {
    await Promise.allSettled([cu.close(), tg.close(), mail.close()]);
    throw e;
  }
  tg.setWebhookUrl(`${bridge.url}/webhooks/tradinggrid`);
  out(
    `gridbridge demo\n  bridge        ${bridge.url}\n  console       ${bridge.url}/ui/  (admin token ${adminToken})\n  ClickUp       ${cu.url}  (sandbox; control API ${cu.origin}/_sandbox)\n  Trading Grid  ${tg.url}  (sandbox)\n  SMTP          ${mail.host}:${mail.port}  (sandbox mail server: what partners without an API receive)\n  store         ${file}\n\n`,
  );

  out('Morning: partners raise cases on Trading Grid (flow 1)…\n');
  const cases = await raiseMorningCases(tg);
  await waitForQuiet(bridge, tg);
  out(
    '…and EDI files arrive in the Trading Grid mailbox (a folder here): a 997 rejecting our invoice, a 214 exception, a broken file…\n',
  );
  await deliverDemoEdi(bridge, `${file}-mailbox`);
  await waitForQuiet(bridge, tg);
  const ediOnlyReads = countCommunityRequestsAbout(tg, EDI_ONLY_PARTNER);
  const ediOnly = await deliverEdiOnlyPartner(bridge, `${file}-mailbox`, ediOnlyReads.count, () =>
    waitForQuiet(bridge, tg),
  ).finally(ediOnlyReads.stop);
  out(`${ediOnly.join('\n')}\n`);
  const ediCases = await listDemoEdiCases(bridge);

  const summary: DemoSummary = {
    cases: [],
    clickupCalls: cu.stats().requests,
    deadLetters: (await listDeadLetters(bridge.store.db)).length,
  };
  for (const c of [...cases, ...ediCases]) {
    const rec = await getCase(bridge.store.db, c.id);
    const link = await getLink(bridge.store.db, 'case', c.id);
    const docs = await listDocuments(bridge.store.db, c.id);
    summary.cases.push({
      label: c.label,
      caseId: c.id,
      partner: c.partnerId,
      state: rec?.state ?? 'missing',
      taskId: link?.cuTaskId ?? null,
      documents: docs.filter((d) => d.cu_attachment_id).length,
      holdReason: rec?.holdReason ?? null,
    });
  }
  out(formatSummary(summary, cu.origin));

  const quiet = async () => {
    await cu.webhooksSettled();
    await waitForQuiet(bridge, tg);
    await cu.webhooksSettled();
    await waitForQuiet(bridge, tg);
  };
  const midday = await playMiddaySync(cu, tg, bridge, cases, quiet);
  out(`${midday.join('\n')}\n`);
  const afternoon = await playAfternoon(cu, tg, bridge, quiet);
  out(`${afternoon.join('\n')}\n`);
  out(`${(await showMappingApplied(cu, tg, bridge, cases, quiet)).join('\n')}\n`);
  out(`${(await playSlaEvening(tg, bridge, cases, quiet)).join('\n')}\n`);
  out(`${(await playBulkSlip(cu, tg, bridge, quiet)).join('\n')}\n`);
  out(`${(await playEmailPartner(cu, tg, bridge, mail, quiet)).join('\n')}\n`);

  const stop = async () => {
    tg.setWebhookUrl(undefined);
    await bridge.stop();
    await Promise.allSettled([cu.close(), tg.close(), mail.close()]);
  };
  if (!opts.once) {
    out(
      `\nThe bridge keeps running.\n  Console:   ${bridge.url}/ui/  — sign in with the admin token ${adminToken}\n  Admin API: curl -H 'Authorization: Bearer ${adminToken}' ${bridge.url}/api/cases  (described at ${bridge.url}/api/openapi.json)\nTry the sandboxes' control APIs too, or press Ctrl-C to stop.\n`,
    );
    onShutdown(stop);
  }
  return { stop, summary };
}

export interface DemoSummary {
  cases: Array<{
    label: string;
    caseId: string;
    partner: string;
    state: string;
    taskId: string | null;
    documents: number;
    holdReason: string | null;
  }>;
  clickupCalls: Record<string, number>;
  deadLetters: number;
}

/** Wait until events are delivered and no job is due or running. */
async function waitForQuiet(
  bridge: Awaited<ReturnType<typeof startBridge>>,
  tg: { idle(): Promise<void> },
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await tg.idle();
  while (Date.now() < deadline) {
    const busy = await countDueJobs(bridge.store.db, Date.now() + 3000);
    if (busy === 0 && bridge.dispatcher.inFlightCount === 0) return;
    await sleep(50);
  }
}

function formatSummary(s: DemoSummary, cuOrigin: string): string {
  const lines = ['', 'Cases (Trading Grid → ClickUp):'];
  const idWidth = Math.max(...s.cases.map((c) => c.caseId.length));
  const labelWidth = Math.max(...s.cases.map((c) => c.label.length));
  for (const c of s.cases) {
    const target = c.taskId
      ? `task ${c.taskId}${c.documents ? ` + ${c.documents} attachment${c.documents > 1 ? 's' : ''}` : ''}`
      : `held: ${c.holdReason}`;
    lines.push(`  ${c.caseId.padEnd(idWidth)} ${c.label.padEnd(labelWidth)} ${c.partner.padEnd(11)} → ${target}`);
  }
  const creates = s.clickupCalls['POST /api/v2/list/{list_id}/task'] ?? 0;
  const uploads = s.clickupCalls['POST /api/v2/task/{task_id}/attachment'] ?? 0;
  lines.push(
    '',
    `ClickUp calls: ${creates} task creations, ${uploads} attachment uploads (one per case, one per file)`,
  );
  lines.push(`Dead letters: ${s.deadLetters}`);
  lines.push(`See the tasks: GET ${cuOrigin}/_sandbox/tasks (or the ClickUp API at ${cuOrigin}/api/v2/list/…/task)`);
  return `${lines.join('\n')}\n`;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run both sandboxes and the bridge on an embedded SQLite file, play a scripted partner day, print what happened',
    )
    .option('-p, --port <port>', 'bridge port (0 = any free one)', (v) => Number(v), 8787)
    .option('--store <file>', 'SQLite file (recreated)', './data/demo.db')
    .option('--once', 'exit after the summary instead of staying up')
    .action(async (opts: DemoOptions) => {
      let stop: () => Promise<void>;
      try {
        ({ stop } = await runDemo(opts));
      } catch (e) {
        // The problem and its fix, not a stack trace: a start-up problem is the user's to solve.
        if (!(e instanceof StartupError)) throw e;
        process.stderr.write(`${e.message}\n`);
        process.exitCode = 1;
        return;
      }
      if (opts.once) await stop();
    });
}
