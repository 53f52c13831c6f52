import type { ClickUpSandbox } from '../../sandbox/clickup/server.ts';
import type { TradingGridSandbox } from '../../sandbox/tradinggrid/index.ts';
import type { Bridge } from '../../server/bridge.ts';
import { getLink } from '../../store/ops/links.ts';
import { listAudit } from '../../store/ops/audit.ts';
import type { DemoCase } from './partnerDay.ts';

interface SandboxTaskJson {
  status?: { status?: string };
  assignees?: Array<{ id: number; username?: string }>;
  custom_fields?: Array<{
    name: string;
    type: string;
    value?: unknown;
    type_config?: { options?: Array<{ id: string; name?: string; orderindex?: number }> };
  }>;
}

/**
 * The configured mapping at work, read back from the sandboxes: the dispute's task is moved
 * to "qa", which the mapping groups with "in review" (the partner keeps in_review, no call), and the new
 * task's drop-down, currency field and assignee show what the value and user maps wrote.
 */
export async function showMappingApplied(
  cu: ClickUpSandbox,
  tg: TradingGridSandbox,
  bridge: Bridge,
  cases: DemoCase[],
  quiet: () => Promise<void>,
): Promise<string[]> {
  const dispute = cases.find((c) => c.label === 'dispute');
  const taskId = dispute ? (await getLink(bridge.store.db, 'case', dispute.id))?.cuTaskId : undefined;
  if (!dispute || !taskId) return [];
  const task = () => cu.tasks().find((t) => t.id === taskId) as SandboxTaskJson | undefined;
  const calls = () => tg.stats().requests['POST /cases/{id}/status'] ?? 0;
  if (task()?.status?.status !== 'in review') {
    cu.moveStatus(taskId, 'in review');
    await quiet();
  }
  const before = calls();
  cu.moveStatus(taskId, 'qa');
  await quiet();
  const t = task();
  const field = (name: string) => t?.custom_fields?.find((f) => f.name === name);
  const tier = field('Partner tier');
  const tierName =
    tier?.type_config?.options?.find((o) => o.orderindex === tier.value || o.id === tier.value)?.name ?? 'not set';
  const value = field('Value')?.value;
  const assignees = (t?.assignees ?? []).map((a) => a.username ?? String(a.id)).join(', ') || 'nobody';
  const mapped = (await listAudit(bridge.store.db, 'case', dispute.id)).some((a) => a.action === 'fields_mapped');
  return [
    '',
    'Mapping applied (the mapping: section of the config — see `gridbridge config validate --online`):',
    `  ${dispute.id}: task moved "in review" → "qa" (grouped as in_review): partner still sees "${tg.state().cases.get(dispute.id)?.status}", ${calls() - before} Trading Grid status calls`,
    `  ${dispute.id}: drop-down "Partner tier" = "${tierName}" (strategic|preferred grouped), currency "Value" = ${value !== undefined && value !== null && Number.isFinite(Number(value)) ? Number(value).toFixed(2) : 'not set'}, assigned to ${assignees} (user map: case-lead)${mapped ? '' : ' — not mapped!'}`,
  ];
}
