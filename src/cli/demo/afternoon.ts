import type { ScheduledKind } from '../../sync/engineJobs.ts';
import type { ClickUpSandbox } from '../../sandbox/clickup/server.ts';
import type { TradingGridSandbox } from '../../sandbox/tradinggrid/index.ts';
import type { Bridge } from '../../server/bridge.ts';
import { getFlowRecord } from '../../store/ops/flowRecords.ts';
import { getLink } from '../../store/ops/links.ts';
import { ackFigures, type RolloutRecord } from '../../flows/08-rollouts/decisions/rollout.ts';
import { computeWebhookSignature, decodeWebhookSecret } from '../../connectors/tradinggrid/events.ts';

/**
 * Afternoon of the scripted day (flows 4, 6, 8): a new partner is onboarded (and re-imported by CSV), a
 * compliance requirement arrives, two approval requests are decided in ClickUp (one decision changed,
 * one request withdrawn), and a process change is rolled out with one partner never acknowledging.
 * Returns the summary lines.
 */
export async function playAfternoon(
  cu: ClickUpSandbox,
  tg: TradingGridSandbox,
  bridge: Bridge,
  quiet: () => Promise<void>,
): Promise<string[]> {
  const db = bridge.store.db;
  const tick = async (kind: ScheduledKind, at = Date.now()) => {
    await bridge.scheduler.runNow({ kind, cron: '* * * * *' }, at);
    bridge.dispatcher.wake();
    await quiet();
  };
  const lines = ['', 'Afternoon (flows 4, 6, 8):'];

  // Flow 4: a new partner, created twice (CSV re-import), and a compliance requirement.
  const nova = await tg.addPartner({
    name: 'Nova Foods',
    tier: 'standard',
    contacts: [{ name: 'Ines Nova', email: 'ines@nova.example' }],
  });
  const cr = await tg.addComplianceRequirement({
    partnerId: 'P-ACME',
    title: 'Conflict minerals declaration',
    category: 'sourcing',
    dueAt: '2030-06-30T00:00:00Z',
  });
  await quiet();
  const ev = tg.state().events.find((e) => e.type === 'trading_partner.created' && e.data.id === nova.id);
  if (ev)
    await fetch(`${bridge.url}/webhooks/tradinggrid`, {
      method: 'POST',
      ...(await signed({ ...ev, id: `accsv:${nova.id}:reimport` }, tg.webhookSecret)),
    });
  await quiet();
  // The fields of the ClickUp sandbox's raw tasks this summary reads.
  type SandboxTask = {
    id?: unknown;
    status?: { status?: string };
    custom_fields?: Array<{ name?: string; value?: unknown }>;
  };
  const sandboxTasks = () => cu.tasks() as SandboxTask[];
  const groupTasks = (g: string) =>
    sandboxTasks().filter((t) =>
      (t.custom_fields ?? []).some(
        (f) => f.name === 'Gridbridge key' && String(f.value ?? '').startsWith(`onboarding:${g}:`),
      ),
    );
  const step = async (g: string, k: string) => (await getLink(db, 'onboarding', `${g}:${k}`))?.cuTaskId;
  for (const k of ['contract_review', 'edi_setup']) {
    const id = await step(nova.id, k);
    if (id) cu.moveStatus(id, 'complete', 'chen.it@gridbridge.example');
  }
  await quiet();
  lines.push(
    `  onboarding  ${nova.id} Nova Foods → ${groupTasks(nova.id).length} tasks (parent + 6 steps, dependencies, checklists); CSV re-import made no second group`,
  );
  lines.push(
    `              contract review and EDI setup closed in ClickUp → partner status on Trading Grid: ${tg.state().partners.get(nova.id)?.status}`,
  );
  lines.push(`  compliance  ${cr.id} for Acme → ${groupTasks(`CR:${cr.id}`).length} tasks`);

  // Flow 6: a pricing exception approved then changed, a shipment change withdrawn.
  const pricing = await tg.requestApproval({
    partnerId: 'P-GLOBEX',
    kind: 'pricing_exception',
    summary: 'Hold Q3 price on SKU 4411',
    value: { amount: 18_000, currency: 'USD' },
  });
  const change = await tg.requestApproval({
    partnerId: 'P-INITECH',
    kind: 'shipment_change',
    summary: 'Split PO 7781 into two deliveries',
  });
  await quiet();
  const pTask = (await getLink(db, 'approval', pricing.id))?.cuTaskId;
  if (pTask) {
    cu.postComment(pTask, '@partner Approved for Q3 only.', 'dora.manager@gridbridge.example');
    cu.moveStatus(pTask, 'approved', 'dora.manager@gridbridge.example');
    await quiet();
    cu.postComment(pTask, 'Finance says no: the margin is below floor.', 'dora.manager@gridbridge.example');
    cu.moveStatus(pTask, 'rejected', 'dora.manager@gridbridge.example');
  }
  await tg.withdrawRequest(change.id);
  await tick('approvals.sweep');
  const revisions = [...tg.state().notices.values()].filter((n) => n.title.includes(`request ${pricing.id}`)).length;
  lines.push(
    `  approval    ${pricing.id} (Globex, 18,000 USD) → routed to Dora; approved, then changed to rejected → decision posted once (${tg.state().requests.get(pricing.id)?.status}) + ${revisions} revision notice`,
  );
  const cTask = (await getLink(db, 'approval', change.id))?.cuTaskId;
  lines.push(
    `  approval    ${change.id} (Initech) withdrawn by the partner → task ${cTask ? `moved to "${sandboxTasks().find((t) => t.id === cTask)?.status?.status}"` : 'never created'}`,
  );

  // Flow 8: a rollout started from a ClickUp task with the marker tag.
  const list = cu.lists.rollouts;
  const made = await fetch(`${cu.url}/v2/list/${list}/task`, {
    method: 'POST',
    headers: { authorization: cu.token, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'ASN required 2h before arrival',
      description: 'From 1 July every shipment needs an 856 two hours before arrival.',
      tags: ['rollout'],
    }),
  });
  const marker = (await made.json()) as { id: string };
  await tick('rollouts.scan');
  const rid = `cu:${marker.id}`;
  let rec = await getFlowRecord<RolloutRecord>(db, 'rollout', rid);
  if (rec?.data.noticeId) {
    for (const p of rec.data.recipients.filter((x) => x !== 'P-UMBRELLA'))
      await tg.acknowledgeNotice(rec.data.noticeId, p);
    await quiet();
    await tick('rollouts.remind');
    for (const k of ['training', 'documentation', 'testing']) {
      const id = (await getLink(db, 'rollout', `${rid}:${k}`))?.cuTaskId;
      if (id) cu.moveStatus(id, 'live');
    }
    await quiet();
    rec = await getFlowRecord<RolloutRecord>(db, 'rollout', rid);
  }
  if (rec) {
    const f = ackFigures(rec.data);
    const silent = rec.data.recipients.filter((p) => !rec.data.acks[p]);
    lines.push(
      `  rollout     "${rec.data.title}" → notice ${rec.data.noticeId} to ${f.total} partners; ${f.count} acknowledged (${f.pct}%), reminded: ${silent.join(', ') || 'nobody'}`,
    );
    lines.push(
      `              plan: training, documentation, testing, go-live readiness; rollout task now "${sandboxTasks().find((t) => t.id === marker.id)?.status?.status}" (gate ${rec.data.gateOpen ? 'open' : 'blocked'})`,
    );
  }
  return lines;
}

/** Sign a replayed event the way Trading Grid does (Standard Webhooks), as a CSV re-import would deliver it. */
async function signed(ev: { id: string }, secret: string): Promise<{ headers: Record<string, string>; body: string }> {
  const body = JSON.stringify(ev);
  const ts = Math.floor(Date.now() / 1000);
  const sig = computeWebhookSignature(decodeWebhookSecret(secret), ev.id, ts, body);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': ev.id,
      'webhook-timestamp': String(ts),
      'webhook-signature': `v1,${sig}`,
    },
  };
}
