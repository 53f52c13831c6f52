import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Bridge } from '../../server/bridge.ts';
import { openMailboxDriver } from '../../channels/tradinggrid-mailbox/mailboxRuntime.ts';
import type { DemoCase } from './partnerDay.ts';
import { listMailboxCases } from '../../store/ops/listMailboxCases.ts';

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
    },
  };
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
  await bridge.scheduler.enqueueSlot({ kind: 'mailbox.scan', cron: cfg.scan_cron }, Date.now());
}

/** The EDI-derived cases the scan made (with the exception each came from), for the summary. */
export async function listDemoEdiCases(bridge: Bridge): Promise<DemoCase[]> {
  const rows = await listMailboxCases(bridge.store.db);
  return rows.map((r) => ({ label: `EDI ${r.type.replace(/^mailbox\./, '')}`, id: r.id, partnerId: r.partner_id }));
}
