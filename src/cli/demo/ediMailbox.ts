import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Bridge } from '../../server/bridge.ts';
import type { TradingGridSandbox } from '../../sandbox/tradinggrid/index.ts';
import { openMailboxDriver } from '../../channels/tradinggrid-mailbox/mailboxRuntime.ts';
import type { DemoCase } from './partnerDay.ts';
import { listMailboxCases } from '../../store/ops/listMailboxCases.ts';
import { getCase } from '../../store/ops/cases.ts';
import { getLink } from '../../store/ops/links.ts';

const FIXTURES = new URL('../../../test/fixtures/edi/', import.meta.url);

/** The demo's mailbox: a local folder (recreated) standing in for the Trading Grid SFTP mailbox. */
export function demoMailboxConfig(dir: string) {
  rmSync(dir, { recursive: true, force: true });
  const f = (d: string) => join(dir, d);
  for (const d of ['inbound', 'outbound', 'archive', 'quarantine']) mkdirSync(f(d), { recursive: true });
  return {
    name: 'demo-edi',
    transport: {
      type: 'folder',
      inbound: f('inbound'),
      outbound: f('outbound'),
      archive: f('archive'),
      quarantine: f('quarantine'),
    },
    scan_cron: '*/2 * * * *',
    our_ids: ['ZZ:GRIDBRIDGE'],
    partners: {
      'ZZ:ACMESUPPLY': { partner_id: 'P-ACME' },
      '02:CARR': { partner_id: 'P-GLOBEX' },
      'mailbox:demo-edi': { partner_id: 'P-INITECH' },
      // The EDI-only partner's EDIFACT address (UNB sender 4012345000009, qualifier 14: GS1).
      '14:4012345000009': { partner_id: EDI_ONLY_PARTNER },
    },
  };
}

/** A supplier that trades with us over the EDI mailbox only: no community account (partners.map community: false). */
export const EDI_ONLY_PARTNER = 'P-WAYNE';
export const EDI_ONLY_PARTNER_MAPPING = { name: 'Wayne Fasteners', tier: 'preferred', community: false } as const;

/**
 * Count the requests to the community API about one partner from now on: those naming it in the path
 * (`/trading_partners/{id}` and below, any method) or filtering by it (`where_partner_id`). Requests about other
 * partners do not count, so work still settling for them cannot be mistaken for a read of this one.
 */
export function countCommunityRequestsAbout(
  tg: Pick<TradingGridSandbox, 'onRequest'>,
  partnerId: string,
): { count: () => number; stop: () => void } {
  let n = 0;
  const stop = tg.onRequest(({ route, params, query }) => {
    const named = /^\w+ \/trading_partners\/\{id\}/.test(route) && params.id === partnerId;
    if (named || query.getAll('where_partner_id').includes(partnerId)) n++;
  });
  return { count: () => n, stop };
}

/**
 * The EDI-only partner's day: our order PO-E4711 (EDIFACT ORDERS) leaves through the mailbox, then its despatch
 * advice and invoice arrive as files; the invoice bills a price and a quantity that match neither. One scan turns
 * them into a task without one request to the community API about that partner (counted on the sandbox, for this
 * partner only: other partners' work may still be settling).
 */
export async function deliverEdiOnlyPartner(
  bridge: Bridge,
  dir: string,
  /** Requests to the community API about the EDI-only partner so far (countCommunityRequestsAbout). */
  communityReads: () => number,
  settle: () => Promise<void>,
): Promise<string[]> {
  const cfg = bridge.ctx.config.mailbox;
  if (!cfg) throw new Error('the demo mailbox is not configured');
  const d = await openMailboxDriver(bridge.ctx, cfg);
  if (!d.ok) throw new Error(d.error.detail);
  const sent = await d.value.send(
    'WAYNE-ORDERS-E4711.edi',
    readFileSync(new URL('edifact/orders-d96a.edi', FIXTURES)),
    new Date(),
  );
  await d.value.close();
  if (!sent.ok) throw new Error(sent.error.detail);
  const before = communityReads();
  for (const [fixture, name] of [
    ['edifact/desadv-d96a.edi', 'WAYNE-DESADV-8812.edi'],
    ['edifact/invoic-d01b.edi', 'WAYNE-INVOIC-E9001.edi'],
  ] as const)
    copyFileSync(new URL(fixture, FIXTURES), join(dir, 'inbound', name));
  await bridge.scheduler.runNow({ kind: 'mailbox.scan', cron: cfg.scan_cron });
  await settle();
  const cases = (await listDemoEdiCases(bridge)).filter((c) => c.partnerId === EDI_ONLY_PARTNER);
  const lines = [
    `Wayne Fasteners trades over EDI only (no community account): we sent order PO-E4711 (EDIFACT ORDERS), its DESADV and INVOIC arrived in the mailbox folder.`,
  ];
  for (const c of cases) {
    const rec = await getCase(bridge.store.db, c.id);
    const link = await getLink(bridge.store.db, 'case', c.id);
    lines.push(
      `  ${c.id} ${c.label} → ${link ? `task ${link.cuTaskId}` : `held: ${rec?.holdReason ?? 'no task yet'}`}`,
    );
    if (rec) lines.push(`    ${rec.title}`);
  }
  lines.push(
    `  requests to the community API about Wayne Fasteners while its files became tasks: ${communityReads() - before}`,
  );
  return lines;
}

/**
 * Flow 1 from EDI: we send invoice INV-9001 (810) through the mailbox, then the partners' files arrive —
 * a 997 rejecting it (AK5 R), a 214 with an AT7 exception, and a file cut short — and one scan runs.
 */
export async function deliverDemoEdi(bridge: Bridge, dir: string): Promise<void> {
  const cfg = bridge.ctx.config.mailbox;
  if (!cfg) throw new Error('the demo mailbox is not configured');
  const d = await openMailboxDriver(bridge.ctx, cfg);
  if (!d.ok) throw new Error(d.error.detail);
  const sent = await d.value.send('INV-9001.x12', readFileSync(new URL('outbound-810.x12', FIXTURES)), new Date());
  await d.value.close();
  if (!sent.ok) throw new Error(sent.error.detail);
  for (const [fixture, name] of [
    ['997-rejected.x12', 'ACME-997-0502.x12'],
    ['214-at7.x12', 'CARR-214-0701.x12'],
    ['truncated.x12', 'ACME-850-1201.x12'],
  ] as const)
    copyFileSync(new URL(fixture, FIXTURES), join(dir, 'inbound', name));
  await bridge.scheduler.runNow({ kind: 'mailbox.scan', cron: cfg.scan_cron });
}

/** The EDI-derived cases the scan made (with the exception each came from), for the summary. */
export async function listDemoEdiCases(bridge: Bridge): Promise<DemoCase[]> {
  const rows = await listMailboxCases(bridge.store.db);
  return rows.map((r) => ({ label: `EDI ${r.type.replace(/^mailbox\./, '')}`, id: r.id, partnerId: r.partner_id }));
}
