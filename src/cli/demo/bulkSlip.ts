import type { ClickUpSandbox } from '../../sandbox/clickup/server.ts';
import type { TradingGridSandbox } from '../../sandbox/tradinggrid/index.ts';
import type { Bridge } from '../../server/bridge.ts';
import { getLink } from '../../store/ops/links.ts';
import { listHeldChanges } from '../../store/ops/partnerChanges.ts';

/** The demo's bulk-change guard: six partner-visible changes per person in five minutes, then held. */
export function demoGuardsConfig(): Record<string, unknown> {
  return { guards: { bulk_changes: { max_changes: 6, window_minutes: 5 } } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Late evening: ten old Initech cases come in, and Ben, tidying up, moves all ten tasks to "resolved" in
 * one go. The first six reach the partner; the rest are held for an admin (console "Held" view,
 * /metrics, `gridbridge held list`), who can release or drop them.
 */
export async function playBulkSlip(
  cu: ClickUpSandbox,
  tg: TradingGridSandbox,
  bridge: Bridge,
  quiet: () => Promise<void>,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= 10; i++)
    ids.push(
      (await tg.raiseCase({ partnerId: 'P-INITECH', kind: 'document_mismatch', title: `Old ASN mismatch #${i}` })).id,
    );
  const tasks: string[] = [];
  const deadline = Date.now() + 30_000;
  for (const id of ids) {
    for (;;) {
      const link = await getLink(bridge.store.db, 'case', id);
      if (link) {
        tasks.push(link.cuTaskId);
        break;
      }
      if (Date.now() > deadline)
        return ['', `Late evening: the ten Initech cases did not get their tasks in time (${id}); bulk move skipped`];
      await sleep(50);
    }
  }
  await quiet();
  for (const t of tasks) cu.moveStatus(t, 'resolved', 'ben.legal@gridbridge.example');
  await quiet();
  const resolved = ids.filter((id) => tg.state().cases.get(id)?.status === 'resolved').length;
  const held = (await listHeldChanges(bridge.store.db)).filter((h) => ids.includes(h.caseId ?? ''));
  return [
    '',
    'Late evening: Ben moves 10 Initech tasks to "resolved" at once (bulk-change guard: 6 per person in 5 minutes in the demo config)…',
    `  ${resolved} reached the partner; ${held.length} held for an admin (${held.map((h) => `#${h.id} ${h.caseId}`).join(', ')})`,
    '  Release or drop them in the console ("Held"), with POST /api/held-changes/release|drop, or `gridbridge held release --all --store sqlite:<demo store>`',
  ];
}
