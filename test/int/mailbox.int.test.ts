import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { slotRunner } from '../helpers/runSlot.ts';
import { getCase } from '../../src/store/ops/cases.ts';
import { listAudit } from '../../src/store/ops/audit.ts';
import { openMailboxDriver } from '../../src/channels/tradinggrid-mailbox/mailboxRuntime.ts';
import { acquireNamedLease, releaseNamedLease } from '../../src/store/ops/namedLease.ts';
import { startSftpTestServer, type SftpTestServer } from '../../src/connectors/tradinggrid/mailbox/sftpTestServer.ts';

const EDI = new URL('../fixtures/edi/', import.meta.url);
const ACCSV = new URL('../fixtures/accsv/', import.meta.url);
const edi = (name: string) => readFileSync(new URL(name, EDI));
/** The 180 return of the fixtures, sent from an EDI address nobody mapped (ISA06 keeps its 15-character width). */
const unmapped180 = () =>
  Buffer.from(edi('180-return.x12').toString('latin1').replace('ZZ*ACMESUPPLY     ', 'ZZ*NEWPARTNER     '), 'latin1');
/** Always open: windows in plain hours, through the business-calendar path. */
const ALWAYS = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, ['00:00-24:00']]));

let world: World | null = null;
let sftp: SftpTestServer | null = null;
let dir = '';
afterEach(async () => {
  await world?.close();
  world = null;
  await sftp?.close();
  sftp = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

let offsetMs = 0;
const clock = () => Date.now() + offsetMs;

function mailboxConfig(transport: Record<string, unknown>) {
  return {
    name: 'acme-edi',
    transport,
    scan_cron: '0 0 1 1 *', // the tests trigger scans themselves
    our_ids: ['ZZ:GRIDBRIDGE'],
    defaults: { fa_hours: 24, asn_hours: 24 },
    partners: {
      'ZZ:ACMESUPPLY': { partner_id: 'P-ACME' },
      '02:CARR': { partner_id: 'P-GLOBEX', fa_hours: 4 },
      'mailbox:acme-edi': { partner_id: 'P-INITECH' },
    },
    calendar: { time_zone: 'UTC', working_hours: ALWAYS },
  };
}

function folders(root: string) {
  for (const d of ['in', 'out', 'archive', 'quarantine']) mkdirSync(join(root, d), { recursive: true });
  return {
    type: 'folder',
    inbound: join(root, 'in'),
    outbound: join(root, 'out'),
    archive: join(root, 'archive'),
    quarantine: join(root, 'quarantine'),
  };
}

/** Enqueue one slot of a scheduled kind and wait until it and everything it caused is done. */
const runSlot = slotRunner(clock);

type Task = Record<string, any>;
const caseIdOf = (t: Task) =>
  ((t.custom_fields ?? []) as any[]).find((f) => f.name === 'TG case id')?.value as string | undefined;
const ediTasks = (w: World) => (w.cu.tasks() as Task[]).filter((t) => caseIdOf(t)?.startsWith('edi-'));
const issue = (t: Task) => /\((\w+)\)/.exec(String(t.markdown_description ?? t.description ?? ''))?.[1];

async function attachmentBytes(t: Task): Promise<Buffer> {
  const a = (t.attachments as any[])[0];
  return Buffer.from(await (await fetch(a.url)).arrayBuffer());
}

describe('mailbox driver wired into the bridge (folder mailbox)', () => {
  it('EDI exceptions become one ClickUp task each with the raw file attached, never twice after a rescan or a restart; an unmapped EDI address is held naming it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gb-mbx-'));
    offsetMs = 0;
    world = await createWorld({ extra: { mailbox: mailboxConfig(folders(dir)) } });
    const w = world;
    let b = await w.startBridge({ now: clock });
    const cfg = w.config.mailbox!;

    // We sent invoice INV-9001 (810) to Acme: it waits for its 997.
    const driver = await openMailboxDriver(b.ctx, cfg);
    if (!driver.ok) throw new Error(driver.error.detail);
    expect((await driver.value.send('inv-9001.x12', edi('outbound-810.x12'), new Date(clock()))).ok).toBe(true);
    await driver.value.close();

    const drop = (name: string, data: Buffer) => writeFileSync(join(dir, 'in', name), data);
    drop('997-rejected.x12', edi('997-rejected.x12')); // AK5 R on our 810
    drop('214-at7.x12', edi('214-at7.x12')); // AT7 reason AJ
    drop('850-orders.x12', edi('unusual-separators.x12')); // two 850s, no 856 yet
    drop('broken.x12', edi('truncated.x12')); // does not parse
    drop('180-unmapped.x12', unmapped180()); // from ZZ:NEWPARTNER, which nobody mapped
    await runSlot(b, 'mailbox.scan');

    expect(readdirSync(join(dir, 'in'))).toEqual([]);
    expect(readdirSync(join(dir, 'quarantine')).filter((n) => !n.endsWith('.error.txt'))).toEqual([
      expect.stringMatching(/_broken\.x12$/),
    ]);
    await eventually(
      'three tasks with their files',
      () => ediTasks(w).length === 3 && ediTasks(w).every((t) => (t.attachments ?? []).length === 1),
    );
    const byIssue = Object.fromEntries(ediTasks(w).map((t) => [issue(t), t]));
    expect(Object.keys(byIssue).sort()).toEqual(['content_error', 'fa_rejected', 'shipment_status_exception']);
    expect(ediTasks(w)).toHaveLength(3);
    expect(byIssue.fa_rejected.name).toMatch(
      /^\[Acme Retail\] Edi exception: Functional acknowledgement rejected: 997 rejected 810 0001 \(invoice INV-9001\)/,
    );
    expect(byIssue.fa_rejected.attachments[0].title).toBe('EDI file - 997-rejected.x12');
    expect(await attachmentBytes(byIssue.fa_rejected)).toEqual(edi('997-rejected.x12'));
    expect(byIssue.shipment_status_exception.name).toMatch(/^\[Globex Logistics\] .*214 AT7 status X6 reason AJ/);
    expect(byIssue.content_error.name).toMatch(
      /^\[Initech Supply\] .*EDI file does not parse: file broken\.x12 quarantined: byte 639, segment 20/,
    );
    expect(await attachmentBytes(byIssue.content_error)).toEqual(edi('truncated.x12'));
    const fields = Object.fromEntries((byIssue.fa_rejected.custom_fields as any[]).map((f) => [f.name, f.value]));
    expect(fields['Transaction reference']).toBe('invoice INV-9001 · X12 · ICN 000002001 · GCN 2001 · TCN 0001');

    // The unmapped EDI partner: held, and the reason names the EDI address and where to map it.
    const held = await b.store.db
      .selectFrom('cases')
      .select(['id', 'hold_reason'])
      .where('state', '=', 'needs_mapping')
      .execute();
    expect(held).toHaveLength(1);
    expect(held[0]!.hold_reason).toContain('EDI address ZZ:NEWPARTNER has no Trading Grid partner');
    expect(held[0]!.hold_reason).toContain('mailbox.partners');
    expect((await getCase(b.store.db, held[0]!.id))!.holdReason).toBe(held[0]!.hold_reason);

    // The 850s pass their 24-hour window without an 856: one asn_missing case per PO.
    offsetMs = 25 * 3_600_000;
    await runSlot(b, 'mailbox.scan');
    await eventually(
      'the asn_missing tasks with their files',
      () => ediTasks(w).filter((t) => issue(t) === 'asn_missing' && (t.attachments ?? []).length === 1).length === 2,
    );
    expect(
      ediTasks(w)
        .filter((t) => issue(t) === 'asn_missing')
        .map((t) => t.attachments[0].title),
    ).toEqual(['EDI file - 850-orders.x12', 'EDI file - 850-orders.x12']);

    // While another scan holds the mailbox's lease (another instance), a slot is skipped and the file waits.
    drop('214-at7.x12', edi('214-at7.x12'));
    await acquireNamedLease(b.store.db, 'mailbox.scan:acme-edi', 'other-instance', 60_000, clock());
    await runSlot(b, 'mailbox.scan');
    expect(readdirSync(join(dir, 'in'))).toEqual(['214-at7.x12']);
    await releaseNamedLease(b.store.db, 'mailbox.scan:acme-edi', 'other-instance');

    // A rescan, the same file dropped again, and the same content under a new name after a restart: nothing new.
    drop('214-at7.x12', edi('214-at7.x12'));
    await runSlot(b, 'mailbox.scan');
    await b.stop();
    w.bridge = null;
    b = await w.startBridge({ now: clock });
    drop('214-at7-resent.x12', edi('214-at7.x12'));
    offsetMs = 60 * 3_600_000;
    await runSlot(b, 'mailbox.scan');
    expect(ediTasks(w)).toHaveLength(5);
    const calls = w.cu.stats().requests;
    expect(calls['POST /api/v2/list/{list_id}/task']).toBe(5);
    expect(calls['POST /api/v2/task/{task_id}/attachment']).toBe(5);
    expect(await b.store.db.selectFrom('dead_letters').selectAll().execute()).toEqual([]);

    // Mapping the EDI address and restarting takes the held case up again, with its file.
    await b.stop();
    w.bridge = null;
    (w.config.mailbox!.partners as Record<string, { partner_id: string }>)['ZZ:NEWPARTNER'] = { partner_id: 'P-ACME' };
    b = await w.startBridge({ now: clock });
    await runSlot(b, 'mailbox.scan');
    await eventually('the formerly held case as a task with its file', () =>
      ediTasks(w).some((t) => issue(t) === 'return_requested' && (t.attachments ?? []).length === 1),
    );
    expect((await getCase(b.store.db, held[0]!.id))!).toMatchObject({
      state: 'active',
      partnerId: 'P-ACME',
      holdReason: null,
    });
    expect(ediTasks(w)).toHaveLength(6);
  }, 60_000);

  it('an AC CSV export becomes trading_partner events for the good rows; each bad row is kept with its file and line', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gb-accsv-'));
    world = await createWorld({ extra: { ac_csv: { transport: folders(dir), scan_cron: '0 0 1 1 *' } } });
    const b = await world.startBridge({ now: clock });
    copyFileSync(new URL('companies.csv', ACCSV), join(dir, 'in', 'companies.csv'));
    copyFileSync(new URL('contacts.csv', ACCSV), join(dir, 'in', 'contacts.csv'));
    await runSlot(b, 'accsv.scan');
    const events = await b.store.db
      .selectFrom('inbound_events')
      .select(['event_id', 'type'])
      .where('source', '=', 'ac_csv')
      .orderBy('event_id')
      .execute();
    expect(events).toEqual([
      { event_id: 'ac_csv:C100:created', type: 'trading_partner.created' },
      { event_id: 'ac_csv:C200:created', type: 'trading_partner.created' },
      { event_id: 'ac_csv:C500:created', type: 'trading_partner.created' },
    ]);
    // Queued as tg.event jobs in the contract's shape (full partner data, marked source ac_csv) for the flows that route them.
    const jobs = await b.store.db
      .selectFrom('jobs')
      .select(['key', 'queue_key', 'payload'])
      .where('kind', '=', 'tg.event')
      .orderBy('key')
      .execute();
    expect(jobs.map((j) => [j.key, j.queue_key])).toEqual([
      ['tg.event:ac_csv:C100:created', 'partner:C100'],
      ['tg.event:ac_csv:C200:created', 'partner:C200'],
      ['tg.event:ac_csv:C500:created', 'partner:C500'],
    ]);
    expect(JSON.parse(jobs[0]!.payload)).toMatchObject({
      id: 'ac_csv:C100:created',
      type: 'trading_partner.created',
      source: 'ac_csv',
      data: { id: 'C100', name: 'Acme Supply', tier: 'strategic', status: 'active', contacts: [{ name: 'Ana Lopez' }] },
    });
    const rejected = [
      ...(await listAudit(b.store.db, 'ac_csv_file', 'companies.csv')),
      ...(await listAudit(b.store.db, 'ac_csv_file', 'contacts.csv')),
    ].map((a) => `${a.entity_id}:${JSON.parse(a.after!).line}`);
    expect(rejected).toEqual(['companies.csv:4', 'companies.csv:5', 'companies.csv:6', 'contacts.csv:4']);
    expect(readdirSync(join(dir, 'in'))).toEqual([]);

    // The next export: status changes against the snapshot kept in the store.
    copyFileSync(new URL('companies-next.csv', ACCSV), join(dir, 'in', 'companies.csv'));
    await runSlot(b, 'accsv.scan');
    const next = await b.store.db
      .selectFrom('inbound_events')
      .select('event_id')
      .where('source', '=', 'ac_csv')
      .where('type', '=', 'trading_partner.status_changed')
      .orderBy('event_id')
      .execute();
    expect(next.map((e) => e.event_id.replace(/:\d{4}-.*$/, ''))).toEqual([
      'ac_csv:C100:status:active->inactive',
      'ac_csv:C200:status:testing->active',
    ]);
  });
});

describe('mailbox driver wired into the bridge (SFTP mailbox on 127.0.0.1)', () => {
  it('scans over SFTP with a pinned host key and a password from the environment, and attaches the archived file', async () => {
    sftp = await startSftpTestServer();
    process.env.GB_TEST_MAILBOX_SFTP_PASSWORD = sftp.password;
    offsetMs = 0;
    world = await createWorld({
      extra: {
        mailbox: mailboxConfig({
          type: 'sftp',
          host: sftp.host,
          port: sftp.port,
          username: sftp.username,
          password: { env: 'GB_TEST_MAILBOX_SFTP_PASSWORD' },
          host_key_sha256: sftp.hostKeySha256,
          folders: sftp.folders,
        }),
      },
    });
    const w = world;
    const b = await w.startBridge({ now: clock });
    writeFileSync(join(sftp.root, 'in', '214-at7.x12'), edi('214-at7.x12'));
    writeFileSync(join(sftp.root, 'in', 'broken.x12'), edi('truncated.x12'));
    await runSlot(b, 'mailbox.scan');
    await eventually(
      'two tasks with their files',
      () => ediTasks(w).length === 2 && ediTasks(w).every((t) => (t.attachments ?? []).length === 1),
    );
    expect(readdirSync(join(sftp.root, 'in'))).toEqual([]);
    expect(readdirSync(join(sftp.root, 'archive'))).toEqual([expect.stringMatching(/_214-at7\.x12$/)]);
    const byIssue = Object.fromEntries(ediTasks(w).map((t) => [issue(t), t]));
    expect(await attachmentBytes(byIssue.shipment_status_exception)).toEqual(edi('214-at7.x12'));
    expect(await attachmentBytes(byIssue.content_error)).toEqual(edi('truncated.x12'));
    // A rescan over a fresh connection finds nothing new.
    writeFileSync(join(sftp.root, 'in', '214-at7.x12'), edi('214-at7.x12'));
    await runSlot(b, 'mailbox.scan');
    expect(ediTasks(w)).toHaveLength(2);
    expect(readdirSync(join(sftp.root, 'in'))).toEqual([]);
  }, 30_000);

  it('a host key that does not match the pin is a dead letter naming the problem, and nothing is read', async () => {
    sftp = await startSftpTestServer();
    process.env.GB_TEST_MAILBOX_SFTP_PASSWORD = sftp.password;
    world = await createWorld({
      extra: {
        mailbox: mailboxConfig({
          type: 'sftp',
          host: sftp.host,
          port: sftp.port,
          username: sftp.username,
          password: { env: 'GB_TEST_MAILBOX_SFTP_PASSWORD' },
          host_key_sha256: `SHA256:${'A'.repeat(43)}`,
          folders: sftp.folders,
        }),
      },
    });
    const b = await world.startBridge({ now: clock });
    writeFileSync(join(sftp.root, 'in', '214-at7.x12'), edi('214-at7.x12'));
    await runSlot(b, 'mailbox.scan');
    const dead = await b.store.db.selectFrom('dead_letters').select(['kind', 'error']).execute();
    expect(dead).toEqual([{ kind: 'mailbox.scan', error: expect.stringContaining('host key does not match') }]);
    expect(readdirSync(join(sftp.root, 'in'))).toEqual(['214-at7.x12']);
    await runSlot(b, 'mailbox.scan'); // still failing: filed once, not once per slot
    expect(await b.store.db.selectFrom('dead_letters').select('kind').execute()).toHaveLength(1);
  });
});
