import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { slotRunner } from '../helpers/runSlot.ts';
import { getCase } from '../../src/store/ops/cases.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { listAudit } from '../../src/store/ops/audit.ts';
import { buildReport } from '../../src/cli/commands/report.ts';
import { startSftpTestServer, type SftpTestServer } from '../../src/connectors/tradinggrid/mailbox/sftpTestServer.ts';
import { validateConfig } from '../../src/config/load.ts';

const EDI = new URL('../fixtures/edi/', import.meta.url);
const ACCSV = new URL('../fixtures/accsv/', import.meta.url);
const edi = (name: string) => readFileSync(new URL(name, EDI));

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
/** Enqueue one slot of a scheduled kind and wait until it and everything it caused is done. */
const runSlot = slotRunner(clock);

type Task = Record<string, any>;
const caseIdOf = (t: Task) =>
  ((t.custom_fields ?? []) as any[]).find((f) => f.name === 'TG case id')?.value as string | undefined;
/** Production EDI tasks (the [TEST] ones live in their own list). */
const ediTasks = (w: World) =>
  (w.cu.tasks() as Task[]).filter((t) => caseIdOf(t)?.startsWith('edi-') && !String(t.name).startsWith('[TEST]'));
const issue = (t: Task) =>
  /Issue type \|[^(|]*\((\w+)\)/.exec(String(t.markdown_description ?? t.description ?? ''))?.[1];

describe('EDI-only deployment (tradinggrid.driver: mailbox, no community endpoint, SFTP mailbox)', () => {
  it('runs flows 1, 2, 3, 5 and 7 from the mailbox and the Active Community CSV, and never calls a community endpoint', async () => {
    sftp = await startSftpTestServer();
    dir = mkdtempSync(join(tmpdir(), 'gb-edionly-'));
    for (const d of ['in', 'out', 'archive', 'quarantine']) mkdirSync(join(dir, 'ac', d), { recursive: true });
    process.env.GB_TEST_EDIONLY_SFTP_PASSWORD = sftp.password;
    offsetMs = 0;
    world = await createWorld({
      ediOnly: true,
      // C100 comes from the Active Community CSV (no name here); the others are named in the config only.
      partners: {
        C100: {},
        'P-GLOBEX': { name: 'Globex Logistics', tier: 'preferred' },
        'P-INITECH': { name: 'Initech Supply' },
      },
      extra: {
        mailbox: {
          name: 'acme-edi',
          transport: {
            type: 'sftp',
            host: sftp.host,
            port: sftp.port,
            username: sftp.username,
            password: { env: 'GB_TEST_EDIONLY_SFTP_PASSWORD' },
            host_key_sha256: sftp.hostKeySha256,
            folders: sftp.folders,
          },
          scan_cron: '0 0 1 1 *',
          our_ids: ['ZZ:GRIDBRIDGE'],
          defaults: { fa_hours: 24, asn_hours: 24 },
          partners: {
            'ZZ:ACMESUPPLY': { partner_id: 'C100' },
            '02:CARR': { partner_id: 'P-GLOBEX' },
            'mailbox:acme-edi': { partner_id: 'P-INITECH' },
          },
          // The customer's translator leaves what it sent in /sent on the same SFTP server: read, never moved.
          sent: { folder: '/sent' },
        },
        ac_csv: {
          transport: {
            type: 'folder',
            inbound: join(dir, 'ac', 'in'),
            outbound: join(dir, 'ac', 'out'),
            archive: join(dir, 'ac', 'archive'),
            quarantine: join(dir, 'ac', 'quarantine'),
          },
          scan_cron: '0 0 1 1 *',
        },
      },
    });
    const w = world;
    // Test interchanges go to their own list, never the production one.
    (w.config.mailbox as { test_interchanges: unknown }).test_interchanges = { list_id: w.cu.lists.ediTest };
    expect(w.config.tradinggrid).toEqual({ driver: 'mailbox' });
    expect(w.secrets.tgClientSecret).toBeNull();
    const b = await w.startBridge({ now: clock });
    // No community poll, no scorecard push to Trading Grid, no community webhook route.
    expect(b.scheduler.scheduledKinds()).not.toContain('tradinggrid.poll');
    expect(b.scheduler.scheduledKinds()).toContain('mailbox.scan');
    expect((await fetch(`${b.url}/webhooks/tradinggrid`, { method: 'POST', body: '{}' })).status).toBe(404);

    // Active Community export: C100 is "Acme Supply", strategic.
    copyFileSync(new URL('companies.csv', ACCSV), join(dir, 'ac', 'in', 'companies.csv'));
    await runSlot(b, 'accsv.scan');

    // The customer's translator sent invoice INV-9001 (810) to Acme: the bridge sees it in the sent folder.
    mkdirSync(join(sftp.root, 'sent'));
    writeFileSync(join(sftp.root, 'sent', 'inv-9001.x12'), edi('outbound-810.x12'));
    await runSlot(b, 'mailbox.scan');
    expect(readdirSync(join(sftp.root, 'sent'))).toEqual(['inv-9001.x12']);

    // Flow 1: the mailbox's exceptions become tasks, partner names from the CSV and the config.
    writeFileSync(join(sftp.root, 'in', '997-rejected.x12'), edi('997-rejected.x12'));
    writeFileSync(join(sftp.root, 'in', '214-at7.x12'), edi('214-at7.x12'));
    writeFileSync(join(sftp.root, 'in', 'broken.x12'), edi('truncated.x12'));
    // Acme's 855 changes a line of our order: quantity cut, the rest backordered.
    writeFileSync(join(sftp.root, 'in', '855-changed.x12'), edi('855-changed.x12'));
    // The same 214, sent as a test interchange (ISA15 T).
    writeFileSync(
      join(sftp.root, 'in', '214-test.x12'),
      Buffer.from(
        edi('214-at7.x12')
          .toString('latin1')
          .replace(/\*0\*P\*>~/, '*0*T*>~'),
        'latin1',
      ),
    );
    await runSlot(b, 'mailbox.scan');
    // Flow 3 (files in the mailbox): each task carries its EDI file.
    await eventually(
      'four tasks with their files',
      () => ediTasks(w).length === 4 && ediTasks(w).every((t) => (t.attachments ?? []).length === 1),
    );
    const byIssue = Object.fromEntries(ediTasks(w).map((t) => [issue(t), t]));
    expect(byIssue.fa_rejected!.name).toMatch(/^\[Acme Supply\] .*997 rejected 810 0001/);
    expect(byIssue.shipment_status_exception!.name).toMatch(/^\[Globex Logistics\] /);
    expect(byIssue.content_error!.name).toMatch(/^\[Initech Supply\] /);
    expect(byIssue.order_acknowledgment_exception!.name).toMatch(
      /^\[Acme Supply\] .*855 for PO PO-4711: line 2 SKU-2: IQ Item Accepted - Quantity Changed/,
    );
    // An EDI-derived case has no page on the Trading Grid side: the description links none.
    expect(String(byIssue.fa_rejected!.description)).toMatch(/\| Trading Grid case \| edi-[0-9a-f]{24} \|/);
    expect(readdirSync(join(sftp.root, 'in'))).toEqual([]);
    const caseId = caseIdOf(byIssue.shipment_status_exception)!;
    // Flow 1 for test traffic: one [TEST] task in the test list, no SLA due date; none in the production list.
    await eventually('the test task', () =>
      (w.cu.tasks() as Task[]).some((t) => t.list?.id === w.cu.lists.ediTest && (t.attachments ?? []).length === 1),
    );
    const testTasks = (w.cu.tasks() as Task[]).filter((t) => t.list?.id === w.cu.lists.ediTest);
    expect(testTasks.map((t) => t.name)).toEqual([
      expect.stringMatching(/^\[TEST\] \[Globex Logistics\] .*TEST interchange: 214 AT7/),
    ]);
    expect(testTasks[0]!.due_date).toBeNull();
    expect(ediTasks(w).filter((t) => t.list?.id === w.cu.lists.cases)).toHaveLength(4);

    // Flow 2: a status change in ClickUp is kept on our side; there is no community case to send it to.
    w.cu.moveStatus(byIssue.shipment_status_exception!.id, 'in review');
    await eventually(
      'the partner status on our side',
      async () => (await getCase(b.store.db, caseId))?.partnerStatus === 'in_review',
    );
    await eventually('the skipped Trading Grid effect in the audit', async () =>
      (await listAudit(b.store.db, 'case', caseId)).some((a) => a.action === 'skipped_no_tradinggrid_case'),
    );

    // Flow 5: the EDI exception (8 h to resolve) breaches: an escalation task, routed to IT.
    offsetMs = 9 * 3_600_000;
    await runSlot(b, 'sla.sweep');
    const escalations = () => (w.cu.tasks() as Task[]).filter((t) => String(t.name).startsWith('[Escalation L1]'));
    // Four production cases breach; the test case has no SLA and escalates nothing.
    await eventually('the escalation tasks', () => escalations().length === 4);
    expect(escalations().filter((t) => /TEST interchange/.test(String(t.name)))).toEqual([]);
    const link = await getLink(b.store.db, 'case', caseId);
    expect(escalations().some((t) => (t.linked_tasks ?? []).some((l: any) => l.link_id === link!.cuTaskId))).toBe(true);

    // Flow 7: the scorecards are reported from the store (nothing is pushed anywhere).
    const report = await buildReport(b.store.db, w.config, { format: 'csv', now: clock() });
    expect(report).toMatch(/C100/);
    expect(report).toMatch(/P-GLOBEX/);
    // The test case counts nowhere: Globex has its one production case open.
    expect(
      JSON.parse(await buildReport(b.store.db, w.config, { format: 'json', now: clock(), partner: 'P-GLOBEX' }))
        .scorecards[0],
    ).toMatchObject({ open_cases: 1 });

    expect(await b.store.db.selectFrom('dead_letters').select(['kind', 'error']).execute()).toEqual([]);
    // Not one request reached the community endpoint (the sandbox runs only to prove this).
    expect(w.tg.stats().requests).toEqual({});
  }, 60_000);

  it('a community deployment can turn the community poll off (poll_cron: off) and still pushes scorecards; an EDI-only one pushes none', async () => {
    world = await createWorld();
    const cfg = world.config as unknown as {
      tradinggrid: { poll_cron: string };
      metrics: { push_cron: string | null };
    };
    cfg.tradinggrid.poll_cron = 'off';
    cfg.metrics.push_cron = '0 * * * *';
    const b = await world.startBridge();
    expect(b.scheduler.scheduledKinds()).not.toContain('tradinggrid.poll');
    expect(b.scheduler.scheduledKinds()).toContain('metrics.push');
    await world.close();
    world = await createWorld({
      ediOnly: true,
      extra: {
        mailbox: {
          transport: {
            type: 'folder',
            inbound: '/tmp/gb-x/in',
            outbound: '/tmp/gb-x/out',
            archive: '/tmp/gb-x/a',
            quarantine: '/tmp/gb-x/q',
          },
          our_ids: ['ZZ:US'],
        },
        metrics: { push_cron: '0 * * * *' },
      },
    });
    const e = await world.startBridge();
    expect(e.scheduler.scheduledKinds()).not.toContain('metrics.push');
    expect(e.scheduler.scheduledKinds()).not.toContain('tradinggrid.poll');
  });

  it('refuses a config that asks an EDI-only deployment for what only the community API does', () => {
    const base = { clickup: { token: { env: 'X' }, team_id: '1', list_id: '2' }, tradinggrid: { driver: 'mailbox' } };
    const noMailbox = validateConfig(base);
    expect(noMailbox.ok).toBe(false);
    expect(!noMailbox.ok && noMailbox.problems).toEqual([
      { path: 'mailbox', message: expect.stringContaining('needs a mailbox section') },
    ]);
    const rollouts = validateConfig({
      ...base,
      mailbox: {
        transport: { type: 'folder', inbound: 'i', outbound: 'o', archive: 'a', quarantine: 'q' },
        our_ids: ['ZZ:US'],
      },
      flows: { rollouts: { list_id: 'L' } },
    });
    expect(!rollouts.ok && rollouts.problems.map((p) => p.path)).toContain('flows.rollouts');
  });
});
