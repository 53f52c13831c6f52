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
import { parseEdi } from '../../src/connectors/tradinggrid/edi/parseEdi.ts';
import { el, first, type Segment } from '../../src/connectors/tradinggrid/edi/segment.ts';
import { edifactOracle, segmentsOf } from '../helpers/ediOracle.ts';
import { listFlowRecords } from '../../src/store/ops/flowRecords.ts';
import type { ApprovalRecord } from '../../src/flows/06-approvals/decisions/approvals.ts';

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

/** One file the bridge wrote to the mailbox's outbound folder, as our parser and segment reader see it. */
interface OutFile {
  name: string;
  data: Buffer;
  set: string;
  receiver: string;
  usage: string;
  segments: Segment[];
}
async function outbound(s: SftpTestServer): Promise<OutFile[]> {
  const out: OutFile[] = [];
  for (const name of readdirSync(join(s.root, 'out'))
    .filter((n) => !n.startsWith('.'))
    .sort()) {
    const data = readFileSync(join(s.root, 'out', name));
    const p = await parseEdi(data);
    expect(p.errors, name).toEqual([]);
    const ic = p.interchanges[0]!;
    out.push({
      name,
      data,
      set: ic.groups[0]!.transactions[0]!.set_id,
      receiver: `${ic.receiver.qualifier}:${ic.receiver.id}`,
      usage: ic.usage,
      segments: await segmentsOf(data),
    });
  }
  return out;
}
/** The status an 824 / 864 / APERAK we wrote carries, in words. */
function adviceStatus(f: OutFile): string | undefined {
  const seg = (tag: string) => f.segments.find((x) => x.tag === tag);
  if (f.set === '824') return /^STATUS (.*)$/.exec(first(seg('REF')!, 3))?.[1];
  if (f.set === '864') return /^STATUS (.*)$/.exec(el(seg('MSG')!, 1))?.[1];
  if (f.set === 'APERAK')
    return /^STATUS (.*)$/.exec(edifactOracle(f.data).find((x) => x.name === 'FTX')!.elements[3]![0]!)?.[1];
  return undefined;
}

describe('EDI-only deployment (tradinggrid.driver: mailbox, no community endpoint, SFTP mailbox)', () => {
  it('runs flows 1, 2 (824 / 864 / APERAK), 3, 5, 6 (860 → 865) and 7 from the mailbox and the Active Community CSV, and never calls a community endpoint', async () => {
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
        'P-WAYNE': { name: 'Wayne Fasteners' },
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
          // Case statuses go back as EDI where the partner agreed to one: Acme takes 864 text messages (and the
          // 865 for its 860), Globex 824 application advices, Wayne (EDIFACT) APERAK; Initech takes none.
          partners: {
            'ZZ:ACMESUPPLY': {
              partner_id: 'C100',
              send: { standard: 'x12', status: '864', x12: { component: '>', repetition: '^' } },
            },
            '02:CARR': { partner_id: 'P-GLOBEX', send: { standard: 'x12', status: '824' } },
            'ZZ:CARRIER01': { partner_id: 'P-WAYNE', send: { standard: 'edifact', status: 'APERAK' } },
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
    // Wayne's carrier reports cartons crushed (EDIFACT IFTSTA, STS reason 14).
    copyFileSync(new URL('edifact/iftsta-d01b.edi', EDI), join(sftp.root, 'in', 'iftsta.edi'));
    await runSlot(b, 'mailbox.scan');
    // Flow 3 (files in the mailbox): each task carries its EDI file.
    await eventually(
      'five tasks with their files',
      () => ediTasks(w).length === 5 && ediTasks(w).every((t) => (t.attachments ?? []).length === 1),
    );
    const byIssue = Object.fromEntries(ediTasks(w).map((t) => [issue(t), t]));
    expect(byIssue.fa_rejected!.name).toMatch(/^\[Acme Supply\] .*997 rejected 810 0001/);
    const shipment = ediTasks(w).filter((t) => issue(t) === 'shipment_status_exception');
    expect(shipment.map((t) => String(t.name).match(/^\[([^\]]+)\]/)?.[1]).sort()).toEqual([
      'Globex Logistics',
      'Wayne Fasteners',
    ]);
    byIssue.shipment_status_exception = shipment.find((t) => String(t.name).startsWith('[Globex'))!;
    const wayneTask = shipment.find((t) => String(t.name).startsWith('[Wayne'))!;
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
    expect(ediTasks(w).filter((t) => t.list?.id === w.cu.lists.cases)).toHaveLength(5);

    // Flow 2 over EDI. Each new task made its case "received" (a step forward from "open"): the partners that
    // take statuses got that advice in the outbound folder, the test case's as a test interchange. Initech got none.
    const received = async () => (await outbound(sftp!)).filter((f) => adviceStatus(f) === 'RECEIVED');
    await eventually('five "received" advices', async () => (await received()).length === 5);
    const firsts = await received();
    expect(firsts.map((f) => [f.set, f.receiver, f.usage]).sort()).toEqual(
      [
        ['824', '02:CARR', 'production'],
        ['824', '02:CARR', 'test'],
        ['864', 'ZZ:ACMESUPPLY', 'production'],
        ['864', 'ZZ:ACMESUPPLY', 'production'],
        ['APERAK', 'ZZ:CARRIER01', 'production'],
      ].sort(),
    );
    // The 824 is an accepted application advice on Globex's 214 (its group, transaction and set), an original.
    const first824 = firsts.find((f) => f.set === '824' && f.usage === 'production')!;
    expect((await parseEdi(first824.data)).acknowledgments).toEqual([
      expect.objectContaining({
        kind: '824',
        normalized: 'accepted',
        acknowledges: { group_control_number: '701', transaction_control_number: '0001' },
      }),
    ]);
    const oti = first824.segments.find((x) => x.tag === 'OTI')!;
    expect([1, 2, 3, 10].map((n) => first(oti, n))).toEqual(['TA', 'BT', 'SHIP-55', '214']);
    expect(
      first(
        first824.segments.find((x) => x.tag === 'BGN')!,
        1,
      ),
    ).toBe('00');
    expect(
      first(
        first824.segments.find((x) => x.tag === 'BGN')!,
        2,
      ),
    ).toBe(caseId);
    // The APERAK, read by the edifact package too: about Wayne's IFTSTA (UNH IFT1), no error (no ERC), an original.
    const aperak = firsts.find((f) => f.set === 'APERAK')!;
    const o = edifactOracle(aperak.data);
    expect(o.find((x) => x.name === 'BGM')!.elements).toEqual([['23'], [caseIdOf(wayneTask)], ['9']]);
    expect(o.find((x) => x.name === 'RFF')!.elements).toEqual([['ACW', 'IFT1']]);
    expect(o.some((x) => x.name === 'ERC')).toBe(false);
    expect((await parseEdi(aperak.data)).acknowledgments).toEqual([
      expect.objectContaining({ kind: 'APERAK', normalized: 'accepted' }),
    ]);
    // Each file waits for the partner's FA like anything we send.
    // (Recorded once the file is written: the file shows in the folder a moment before.)
    const acme864 = async () =>
      (
        await b.store.db
          .selectFrom('mailbox_sent_transactions')
          .select(['data', 'fa'])
          .where('partner_key', '=', 'ZZ:ACMESUPPLY')
          .execute()
      ).filter((r) => (JSON.parse(r.data) as { setId: string }).setId === '864');
    await eventually('both 864s recorded as sent', async () => (await acme864()).length === 2);
    expect((await acme864()).map((r) => r.fa)).toEqual(['awaiting', 'awaiting']);

    // A person moves Globex's task: an 824 "IN REVIEW" replaces the first advice, audited with its rule.
    w.cu.moveStatus(byIssue.shipment_status_exception!.id, 'in review');
    await eventually(
      'the partner status on our side',
      async () => (await getCase(b.store.db, caseId))?.partnerStatus === 'in_review',
    );
    const inReview = await eventually('the 824 in review', async () =>
      (await outbound(sftp!)).find((f) => adviceStatus(f) === 'IN REVIEW'),
    );
    expect([inReview.set, inReview.receiver]).toEqual(['824', '02:CARR']);
    expect(
      first(
        inReview.segments.find((x) => x.tag === 'BGN')!,
        1,
      ),
    ).toBe('05');
    const sent = (await listAudit(b.store.db, 'case', caseId)).filter((a) => a.action === 'status_to_partner');
    expect(sent.map((a) => JSON.parse(a.after!))).toEqual([
      expect.objectContaining({
        status: 'received',
        rule: expect.stringMatching(/^sync.status_on_task_created/),
        channels: ['edi'],
      }),
      expect.objectContaining({
        status: 'in_review',
        rule: 'sharing.cases.fields: status',
        channels: ['edi'],
        edi: { set: '824', partner: '02:CARR', file: inReview.name },
      }),
    ]);
    await eventually(
      'both 824s delivered',
      async () => (await listAudit(b.store.db, 'case', caseId)).filter((a) => a.action === 'edi_sent').length === 2,
    );
    // Initech takes no EDI status: its case's status is kept on our side, there being no community case either.
    const initechCase = caseIdOf(byIssue.content_error)!;
    w.cu.moveStatus(byIssue.content_error!.id, 'in review');
    await eventually('the skipped Trading Grid effect in the audit', async () =>
      (await listAudit(b.store.db, 'case', initechCase)).some(
        (a) => a.action === 'skipped_no_tradinggrid_case' && a.after!.includes('in_review'),
      ),
    );

    // Flow 5: the EDI exception (8 h to resolve) breaches: an escalation task, routed to IT.
    offsetMs = 9 * 3_600_000;
    await runSlot(b, 'sla.sweep');
    const escalations = () => (w.cu.tasks() as Task[]).filter((t) => String(t.name).startsWith('[Escalation L1]'));
    // Five production cases breach; the test case has no SLA and escalates nothing.
    await eventually('the escalation tasks', () => escalations().length === 5);
    expect(escalations().filter((t) => /TEST interchange/.test(String(t.name)))).toEqual([]);
    const link = await getLink(b.store.db, 'case', caseId);
    expect(escalations().some((t) => (t.linked_tasks ?? []).some((l: any) => l.link_id === link!.cuTaskId))).toBe(true);
    // The partners that take statuses are told "escalated" in their document, with the escalation's note.
    const escalated = await eventually('four "escalated" advices', async () => {
      const f = (await outbound(sftp!)).filter((x) => adviceStatus(x) === 'ESCALATED');
      return f.length === 4 ? f : null;
    });
    expect(escalated.map((f) => [f.set, f.receiver]).sort()).toEqual(
      [
        ['824', '02:CARR'],
        ['864', 'ZZ:ACMESUPPLY'],
        ['864', 'ZZ:ACMESUPPLY'],
        ['APERAK', 'ZZ:CARRIER01'],
      ].sort(),
    );
    expect(escalated.find((f) => f.set === '824')!.data.toString()).toContain('past its agreed resolution time');
    expect(
      edifactOracle(escalated.find((f) => f.set === 'APERAK')!.data).find((x) => x.name === 'BGM')!.elements[2],
    ).toEqual(['5']);

    // Flow 7: the scorecards are reported from the store (nothing is pushed anywhere).
    const report = await buildReport(b.store.db, w.config, { format: 'csv', now: clock() });
    expect(report).toMatch(/C100/);
    expect(report).toMatch(/P-GLOBEX/);
    // The test case counts nowhere: Globex has its one production case open.
    expect(
      JSON.parse(await buildReport(b.store.db, w.config, { format: 'json', now: clock(), partner: 'P-GLOBEX' }))
        .scorecards[0],
    ).toMatchObject({ open_cases: 1 });

    // Flow 6: Acme's 860 becomes an approval task; the decision goes back as an 865 beside its 864s.
    copyFileSync(new URL('860-change-request.x12', EDI), join(sftp.root, 'in', 'po-change.x12'));
    await runSlot(b, 'mailbox.scan');
    const request = await eventually('the EDI request', async () => {
      const rows = await listFlowRecords<ApprovalRecord>(b.store.db, 'approval', ['open']);
      return rows.length === 1 ? rows[0]! : null;
    });
    const requestTask = (await eventually('its task', () => getLink(b.store.db, 'approval', request.id))).cuTaskId;
    w.cu.postComment(requestTask, '@partner Approved: extra units ship Friday.', 'dora.manager@gridbridge.example');
    w.cu.moveStatus(requestTask, 'approved', 'dora.manager@gridbridge.example');
    const x865 = await eventually('the 865', async () => (await outbound(sftp!)).find((f) => f.set === '865'));
    expect(x865.receiver).toBe('ZZ:ACMESUPPLY');
    const bca = x865.segments.find((x) => x.tag === 'BCA')!;
    expect([first(bca, 2), first(bca, 3)]).toEqual(['AT', 'PO-4711']);
    // Every X12 file we wrote, to any partner, has its own interchange, group and transaction numbers: what we
    // sent is recorded, and acknowledgements matched, by our address and these numbers.
    const x12Files = (await outbound(sftp)).filter((f) => f.name.endsWith('.x12'));
    const numbers = x12Files.map((f) =>
      ['ISA', 'GS', 'ST']
        .map(
          (tag) => f.segments.find((x) => x.tag === tag)!.elements[tag === 'ISA' ? 13 : tag === 'GS' ? 6 : 2]![0]![0],
        )
        .join('/'),
    );
    // 824 received (and its test twin), in review, escalated; 864 received and escalated twice; the 865.
    expect(x12Files.length).toBe(9);
    expect(new Set(numbers).size).toBe(x12Files.length);
    // All but the test interchange wait for their FA (a test interchange waits for no production FA).
    const recorded = async () =>
      (await b.store.db.selectFrom('mailbox_sent_transactions').select('data').execute()).filter((r) =>
        ['824', '864', '865'].includes((JSON.parse(r.data) as { setId: string }).setId),
      ).length;
    await eventually('eight of them recorded as sent', async () => (await recorded()) === 8);

    expect(await b.store.db.selectFrom('dead_letters').select(['kind', 'error']).execute()).toEqual([]);
    // Not one request reached the community endpoint (the sandbox runs only to prove this).
    expect(w.tg.stats().requests).toEqual({});
  }, 120_000);

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
