import type { ScheduledKind } from '../../sync/engineJobs.ts';
import type { TradingGridSandbox } from '../../sandbox/tradinggrid/index.ts';
import type { Bridge } from '../../server/bridge.ts';
import { getCase } from '../../store/ops/cases.ts';
import { getLink } from '../../store/ops/links.ts';
import { listEscalations } from '../../store/ops/listEscalations.ts';
import { countOpenCasesBySlaState, getCaseSla } from '../../store/ops/caseSlaReads.ts';
import { sandboxSla } from '../sandboxSla.ts';

/**
 * The demo's SLA settings: the sandbox's, plus a 3.6-second resolution SLA for strategic partners'
 * compliance issues, so Acme's ISO-certificate case of the morning ages past its SLA within the
 * scripted day; sweeps every minute and a scorecard push every 15 minutes while the demo stays up.
 */
export function demoSlaConfig(): Record<string, unknown> {
  const base = sandboxSla() as { sla: { default: unknown; policies: unknown[] } };
  return {
    ...base,
    sla: {
      ...base.sla,
      policies: [
        ...base.sla.policies,
        {
          kind: 'compliance_issue',
          tier: 'strategic',
          response_hours: 0.0005,
          resolution_hours: 0.001,
          reminder_at: [0.5, 0.75],
          escalation_levels: [{ after: 1, set_partner_status: true, resolution_hours: 8, priority: 1 }],
        },
      ],
    },
    sla_sweep_cron: '* * * * *',
    metrics: { push_cron: '*/15 * * * *', period_kind: 'month' },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Evening of the scripted day (flows 5 and 7): an SLA sweep over the open cases (Acme's compliance case
 * is past due: reminder, escalation routed to a manager, partner status escalated) and the scorecards
 * pushed to Trading Grid. Returns the summary lines.
 */
export async function playSlaEvening(
  tg: TradingGridSandbox,
  bridge: Bridge,
  cases: ReadonlyArray<{ label: string; id: string }>,
  quiet: () => Promise<void>,
): Promise<string[]> {
  const db = bridge.store.db;
  const tick = async (kind: ScheduledKind) => {
    await bridge.scheduler.runNow({ kind, cron: '* * * * *' });
    bridge.dispatcher.wake();
    await quiet();
  };
  const lines = ['', 'Evening (flows 5 and 7):'];
  const aged = cases.find((c) => c.label === 'compliance issue');
  const rec = aged ? await getCase(db, aged.id) : null;
  if (rec?.slaDueAt) await sleep(Math.max(0, rec.slaDueAt + 250 - Date.now()));
  await tick('sla.sweep');
  await tick('sla.sweep'); // a second sweep: nothing new is sent

  if (aged) {
    const link = await getLink(db, 'case', aged.id);
    const ladder = await listEscalations(db, aged.id);
    const sla = await getCaseSla(db, aged.id);
    const tgCase = tg.state().cases.get(aged.id);
    lines.push(
      `  ${aged.id} (Acme's ISO certificate, a 3.6-second SLA in the demo config) aged past its due date: SLA ${sla?.state ?? '?'}, reminders sent at ${
        JSON.parse(sla?.reminders ?? '[]')
          .map((t: number) => `${t * 100} %`)
          .join(' + ') || 'none'
      }`,
    );
    for (const r of ladder) {
      lines.push(
        `    → escalated, level ${r.level}: task ${r.task_id ?? '(pending)'} for ${r.manager ?? 'nobody'} (urgent, linked to case task ${link?.cuTaskId ?? '?'}, due ${r.due_at ? new Date(r.due_at).toISOString() : '–'})`,
      );
      lines.push(`      why: ${r.explanation}`);
    }
    if (ladder.length === 0) lines.push('    → not escalated (its clock may be paused)');
    lines.push(`    partner-visible status on Trading Grid: ${tgCase?.status ?? '?'}`);
  }
  const states = await countOpenCasesBySlaState(db);
  lines.push(`  Open cases by SLA state: ${states.map((s) => `${s.state} ${Number(s.n)}`).join(', ') || 'none swept'}`);

  await tick('metrics.push');
  const pushed = [...tg.state().scorecards.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  lines.push(
    `  Scorecards pushed to Trading Grid: ${pushed.map(([id, s]) => `${id} ${String(s.period)} (open ${String(s.open_cases)}, overdue ${String(s.overdue_tasks)}, SLA met ${String(s.sla_met_pct)} %)`).join('; ') || 'none'}`,
  );
  const period = (pushed[0]?.[1].period as string | undefined) ?? '';
  lines.push(
    `  Metrics: ${bridge.url}/metrics (Prometheus) · ${bridge.url}/api/scorecards (JSON, admin token) · gridbridge report --partner P-ACME --period ${period} --store sqlite:<demo store>`,
  );
  return lines;
}
