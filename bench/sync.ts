// sync: a person moves a ClickUp task; how many calls does the bridge make, what do echoes cost, and how
// long until the partner sees the new status. Baseline in the same run: the same status set by a direct
// Trading Grid call (the floor any bridge pays).
import pino from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClickUpSandbox } from '../src/sandbox/clickup/server.ts';
import { startTradingGridSandbox } from '../src/sandbox/tradinggrid/index.ts';
import { configForSandboxes } from '../src/cli/sandboxSetup.ts';
import { startBridge } from '../src/server/bridge.ts';
import { getLink } from '../src/store/ops/links.ts';
import { createCommunityDriver } from '../src/connectors/tradinggrid/community/index.ts';
import { percentile, round, summary } from './stats.ts';

const SET = 'POST /cases/{id}/status';

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setImmediate(r));
  }
}

async function oneRun(cases: number) {
  const cu = await startClickUpSandbox({ rateLimitPerMinute: null });
  const tg = await startTradingGridSandbox({ idTag: 'S' });
  const dir = mkdtempSync(join(tmpdir(), 'gb-sync-'));
  const { config, secrets } = configForSandboxes(
    { clickup: { url: cu.url, token: cu.token, teamId: cu.teamId, lists: cu.lists }, tradinggrid: tg },
    {
      storeUrl: `sqlite:${join(dir, 's.db')}`,
      extra: {
        dispatcher: { concurrency: 32, poll_ms: 10 },
        guards: {
          bulk_changes: { max_changes: 0 },
        } /* one scripted user moves every task: the bulk guard would hold them */,
      },
      clickupUnmetered: true,
    },
  );
  const bridge = await startBridge({ config, secrets, logger: pino({ level: 'silent' }) });
  tg.setWebhookUrl(`${bridge.url}/webhooks/tradinggrid`);
  const direct = createCommunityDriver({
    baseUrl: tg.url,
    tenantId: tg.tenantId,
    clientId: tg.clientId,
    clientSecret: tg.clientSecret,
  });
  try {
    const ids: Array<{ caseId: string; taskId: string }> = [];
    for (let i = 0; i < cases; i++) {
      const c = await tg.raiseCase({ partnerId: 'P-ACME', kind: 'dispute', title: `sync ${i}` });
      ids.push({ caseId: c.id, taskId: '' });
    }
    for (const x of ids) {
      await until(() => tg.state().cases.get(x.caseId)?.status === 'received');
      x.taskId = (await getLink(bridge.store.db, 'case', x.caseId))!.cuTaskId;
    }
    await Promise.all([cu.webhooksSettled(), tg.idle()]);
    await new Promise((r) => setTimeout(r, 300));
    const set0 = tg.stats().requests[SET] ?? 0;
    const tgTotal0 = Object.values(tg.stats().requests).reduce((a, b) => a + b, 0);
    // The minute's webhook check runs inside the window (twice: halfway and at the end), as it would in
    // production: its fixed part (the webhook list, one task list per linked list, and the mapping check's
    // read of each case list and its fields) is counted apart; its task reads are what a change costs.
    const req = (k: string) => cu.stats().requests[k] ?? 0;
    const fixed = () =>
      req('GET /api/v2/team/{team_id}/webhook') +
      req('GET /api/v2/list/{list_id}/task') +
      req('GET /api/v2/list/{list_id}') +
      req('GET /api/v2/list/{list_id}/field');
    const reads = () => req('GET /api/v2/task/{task_id}');
    const cuCount = () => cu.stats().total - fixed();
    const cu0 = cuCount();
    const fixed0 = fixed();
    const reads0 = reads();
    const check = async () => {
      await bridge.scheduler.enqueueSlot(
        { kind: 'clickup.webhook_health', cron: '* * * * *' },
        Date.now() + Math.random() * 1e6,
      );
      bridge.dispatcher.wake();
    };
    const checkDone = async (n: number) => {
      while (
        (
          await bridge.store.db
            .selectFrom('jobs')
            .select('id')
            .where('kind', '=', 'clickup.webhook_health')
            .where('state', '=', 'done')
            .execute()
        ).length < n
      )
        await new Promise((r) => setTimeout(r, 20));
    };
    const doneBefore = (
      await bridge.store.db
        .selectFrom('jobs')
        .select('id')
        .where('kind', '=', 'clickup.webhook_health')
        .where('state', '=', 'done')
        .execute()
    ).length;
    const lat: number[] = [];
    let checks = 0;
    for (const [i, x] of ids.entries()) {
      if (i === Math.floor(ids.length / 2)) {
        await check();
        checks++;
      }
      const t0 = performance.now();
      cu.moveStatus(x.taskId, 'in review');
      await until(() => tg.state().cases.get(x.caseId)?.status === 'in_review');
      lat.push(performance.now() - t0);
    }
    // Let every echo (Trading Grid's case.updated for our writes) arrive and be handled, then the check.
    await Promise.all([cu.webhooksSettled(), tg.idle()]);
    await check();
    checks++;
    await checkDone(doneBefore + checks);
    await new Promise((r) => setTimeout(r, 500));
    const sets = (tg.stats().requests[SET] ?? 0) - set0;
    const tgOther = Object.values(tg.stats().requests).reduce((a, b) => a + b, 0) - tgTotal0 - sets;
    const cuCalls = cuCount() - cu0;
    const taskReads = reads() - reads0;
    const checkFixedCalls = (fixed() - fixed0) / checks;
    // Baseline: the same change made by a direct call.
    const base: number[] = [];
    for (const x of ids) {
      const t0 = performance.now();
      const r = await direct.setCaseStatus(x.caseId, { status: 'awaiting_documents' }, `bench-${x.caseId}`);
      if (!r.ok) throw new Error(r.error.detail);
      base.push(performance.now() - t0);
    }
    lat.sort((a, b) => a - b);
    base.sort((a, b) => a - b);
    return {
      callsPerStatusChange: sets / cases,
      // Every ClickUp call but the checks' fixed part, plus Trading Grid calls other than the status sets:
      // the catch-up's task reads count here, as they are caused by the changes.
      callsPerEcho: (cuCalls + tgOther) / cases,
      catchUpReadsPerPersonChange: taskReads / cases,
      callsPerPersonChangeAll: (sets + tgOther + cuCalls) / cases,
      checkFixedCalls,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      baseP50: percentile(base, 50),
      baseP99: percentile(base, 99),
    };
  } finally {
    tg.setWebhookUrl(undefined);
    await bridge.stop();
    await direct.close();
    await Promise.allSettled([cu.close(), tg.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(opts: { cases?: number; runs?: number } = {}): Promise<object> {
  const rows: Array<Awaited<ReturnType<typeof oneRun>>> = [];
  for (let i = 0; i < (opts.runs ?? 3); i++) rows.push(await oneRun(opts.cases ?? 200));
  const pick = (k: keyof (typeof rows)[number]) => summary(rows.map((r) => r[k]));
  return {
    method: `${opts.cases ?? 200} cases per run; each task moved to "in review" by a person (sandbox control) one after another; latency until the Trading Grid sandbox shows in_review; echoes counted after all webhooks settled; the minute's webhook check runs inside the window (halfway and after the moves), its fixed calls (webhook list + one task list per linked list + the mapping check's list and field reads) reported per check, its task reads counted per change`,
    calls_per_status_change: pick('callsPerStatusChange'),
    calls_per_echo: pick('callsPerEcho'),
    catch_up_task_reads_per_person_change: pick('catchUpReadsPerPersonChange'),
    calls_per_person_change_all: pick('callsPerPersonChangeAll'),
    minute_check_fixed_calls: pick('checkFixedCalls'),
    latency_ms_p50: pick('p50'),
    latency_ms_p99: pick('p99'),
    baseline_direct_call_ms_p50: pick('baseP50'),
    baseline_direct_call_ms_p99: pick('baseP99'),
    ratio_p50_vs_direct_call: round(pick('p50').median / pick('baseP50').median),
    goals: { calls_per_status_change: 1, calls_per_echo: 0, catch_up_task_reads_per_person_change: 0 },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run({ cases: Number(process.env.CASES ?? 200) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  process.exit(0);
}
