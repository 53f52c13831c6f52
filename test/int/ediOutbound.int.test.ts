import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { slotRunner } from '../helpers/runSlot.ts';
import { edifactOracle, segmentsOf } from '../helpers/ediOracle.ts';
import { getLink } from '../../src/store/ops/links.ts';
import { getFlowRecord, listFlowRecords } from '../../src/store/ops/flowRecords.ts';
import type { ApprovalRecord } from '../../src/flows/06-approvals/decisions/approvals.ts';
import { listAudit } from '../../src/store/ops/audit.ts';
import { parseEdi } from '../../src/connectors/tradinggrid/edi/parseEdi.ts';
import { comps, el, first } from '../../src/connectors/tradinggrid/edi/segment.ts';
import { startSftpTestServer, type SftpTestServer } from '../../src/connectors/tradinggrid/mailbox/sftpTestServer.ts';
import type { Bridge } from '../../src/server/bridge.ts';

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

const runSlot = slotRunner(() => Date.now());

/** A buyer's purchase order change as its translator would send it (X12 004010 860). */
const X12_860 = readFileSync(new URL('../fixtures/edi/860-change-request.x12', import.meta.url));

/** The same kind of change in EDIFACT D.96A ORDCHG. */
const ORDCHG =
  "UNA:+.? 'UNB+UNOC:3+5790000000001:14+GRIDBRIDGE:ZZ+261206:1200+ICR77'UNH+M1+ORDCHG:D:96A:UN'" +
  "BGM+230+CHG-9+4'DTM+137:20261205:102'RFF+ON:PO-880'CUX+2:EUR:9'LIN+1+3+4000862141404:EN'QTY+21:40:PCE'" +
  "PRI+AAA:2.5'UNS+S'UNT+10+M1'UNZ+1+ICR77'";

async function quiet(w: World, b: Bridge): Promise<void> {
  await w.cu.webhooksSettled();
  await eventually(
    'no job due',
    async () => {
      const n = await b.store.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('state', 'in', ['ready', 'running'])
        .where('run_at', '<=', Date.now() + 2500)
        .executeTakeFirst();
      return Number(n?.n ?? 0) === 0 && b.dispatcher.inFlightCount === 0;
    },
    20_000,
  );
  await w.cu.webhooksSettled();
}

const outFiles = (s: SftpTestServer) => readdirSync(join(s.root, 'out')).filter((n) => !n.startsWith('.'));

describe('flow 6 over EDI (tradinggrid.driver: mailbox, no community endpoint, SFTP mailbox)', () => {
  it("a partner's 860 / ORDCHG becomes one approval task; the decision goes back once as an 865 / ORDRSP with only the shared comment", async () => {
    sftp = await startSftpTestServer();
    process.env.GB_TEST_EDIOUT_SFTP_PASSWORD = sftp.password;
    world = await createWorld({
      ediOnly: true,
      partners: {
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
            password: { env: 'GB_TEST_EDIOUT_SFTP_PASSWORD' },
            host_key_sha256: sftp.hostKeySha256,
            folders: sftp.folders,
          },
          scan_cron: '0 0 1 1 *',
          our_ids: ['ZZ:GRIDBRIDGE'],
          partners: {
            'ZZ:ACMESUPPLY': {
              partner_id: 'P-INITECH',
              send: { standard: 'x12', x12: { repetition: '^', component: '>' } },
            },
            '14:5790000000001': { partner_id: 'P-GLOBEX', send: { standard: 'edifact' } },
          },
        },
      },
    });
    const w = world;
    const b = await w.startBridge();
    writeFileSync(join(sftp.root, 'in', 'po-change.x12'), X12_860);
    writeFileSync(join(sftp.root, 'in', 'ordchg.edi'), ORDCHG);
    await runSlot(b, 'mailbox.scan');
    // The same files again (a partner resending) make no second request.
    writeFileSync(join(sftp.root, 'in', 'po-change-again.x12'), X12_860);
    await runSlot(b, 'mailbox.scan');
    const requests = await eventually('two EDI requests', async () => {
      const rows = await listFlowRecords<ApprovalRecord>(b.store.db, 'approval', ['open']);
      return rows.length === 2 ? rows : null;
    });
    const byPo = Object.fromEntries(requests.map((r) => [r.data.edi!.request.po, r.id]));
    const x12Id = byPo['PO-4711']!;
    const edifactId = byPo['PO-880']!;
    const x12Task = (await eventually('the 860 task', () => getLink(b.store.db, 'approval', x12Id))).cuTaskId;
    const edifactTask = (await eventually('the ORDCHG task', () => getLink(b.store.db, 'approval', edifactId)))
      .cuTaskId;
    const task = w.cu.tasks().find((t) => t.id === x12Task) as Record<string, any>;
    expect(task.name).toMatch(/^\[Initech Supply\] Approve pricing exception: Order PO-4711 change/);
    expect(String(task.markdown_description ?? task.description)).toContain(
      'line 2: PC SKU-2, quantity 50 EA, unit price 8',
    );
    expect(w.cu.tasks().filter((t) => String(t.name).includes('PO-4711'))).toHaveLength(1);

    // Before anything is decided nothing goes out.
    expect(outFiles(sftp)).toEqual([]);
    w.cu.postComment(x12Task, 'Margin is thin; approve anyway.', 'dora.manager@gridbridge.example');
    w.cu.postComment(x12Task, '@partner Approved: extra units ship Friday.', 'dora.manager@gridbridge.example');
    w.cu.moveStatus(x12Task, 'approved', 'dora.manager@gridbridge.example');
    w.cu.postComment(edifactTask, '@partner Not this quarter, sorry.', 'dora.manager@gridbridge.example');
    w.cu.moveStatus(edifactTask, 'rejected', 'dora.manager@gridbridge.example');
    await quiet(w, b);
    await eventually('two files in the outbound folder', () => outFiles(sftp!).length === 2);

    const files = outFiles(sftp).sort();
    expect(files).toEqual([
      expect.stringMatching(/^gridbridge-865-ZZ_ACMESUPPLY-000000001\.x12$/),
      expect.stringMatching(/^gridbridge-ORDRSP-14_5790000000001-1\.edi$/),
    ]);
    const x865 = readFileSync(join(sftp.root, 'out', files[0]!));
    const parsed = await parseEdi(x865);
    expect(parsed.errors).toEqual([]);
    expect(parsed.interchanges[0]).toMatchObject({
      control_number: '000000001',
      sender: { qualifier: 'ZZ', id: 'GRIDBRIDGE' },
      receiver: { qualifier: 'ZZ', id: 'ACMESUPPLY' },
      usage: 'production',
      groups: [{ control_number: '1', functional_id: 'CA', transactions: [{ set_id: '865', control_number: '0001' }] }],
    });
    const segs = await segmentsOf(x865);
    expect(segs[0]!.elements[11]).toBe('^');
    const bca = segs.find((s) => s.tag === 'BCA')!;
    expect([first(bca, 1), first(bca, 2), first(bca, 3), first(bca, 5), first(bca, 6)]).toEqual([
      '00',
      'AT',
      'PO-4711',
      '3',
      '20261201',
    ]);
    expect(segs.filter((s) => s.tag === 'ACK').map((s) => first(s, 1))).toEqual(['IA', 'IA']);
    const text = segs
      .filter((s) => s.tag === 'MSG')
      .map((s) => el(s, 1))
      .join(' ');
    expect(text).toBe('Dora Manager: Approved: extra units ship Friday.');
    expect(x865.toString()).not.toContain('Margin is thin');

    const ordrsp = readFileSync(join(sftp.root, 'out', files[1]!));
    const p2 = await parseEdi(ordrsp);
    expect(p2.errors).toEqual([]);
    expect(p2.interchanges[0]!.groups[0]!.transactions[0]).toMatchObject({ set_id: 'ORDRSP', control_number: '1' });
    const oracle = edifactOracle(ordrsp);
    expect(oracle.find((s) => s.name === 'BGM')!.elements).toEqual([['231'], [expect.stringMatching(/-0$/)], ['27']]);
    expect(oracle.find((s) => s.name === 'RFF')!.elements).toEqual([['ON', 'PO-880']]);
    expect(oracle.find((s) => s.name === 'LIN')!.elements).toEqual([['1'], ['7'], ['4000862141404']]);
    expect(oracle.filter((s) => s.name === 'FTX').map((s) => s.elements[3]![0])).toEqual([
      expect.stringContaining('Not this quarter, sorry.'),
    ]);
    const ftx = (await segmentsOf(ordrsp)).find((s) => s.tag === 'FTX')!;
    expect(comps(ftx, 4)[0]).toContain('Not this quarter');

    // Both decisions are recorded as sent, once, and the task says where the decision went.
    const audit = await listAudit(b.store.db, 'approval', x12Id);
    expect(audit.filter((a) => a.action === 'edi_sent')).toHaveLength(1);
    expect(audit.filter((a) => a.action === 'decision_posted')).toHaveLength(1);
    const notes = (w.cu.state.tasks.get(x12Task)?.comments ?? []).map((c) => c.text);
    expect(notes.find((c) => c.startsWith('gridbridge: decision "approved"'))).toContain('as EDI 865 to ZZ:ACMESUPPLY');
    expect((await getFlowRecord<any>(b.store.db, 'approval', x12Id))!.data.state).toBe('decided');

    // The 865 we sent waits for the partner's 997 like any transaction we send.
    const waiting = await b.store.db
      .selectFrom('mailbox_sent_transactions')
      .select(['transaction_control', 'fa'])
      .execute();
    expect(waiting).toEqual(expect.arrayContaining([{ transaction_control: '0001', fa: 'awaiting' }]));
  });

  it("with partner_channel naming edi for a partner's case statuses: its EDI case's status goes as an 824, its community case's status goes nowhere, said in the audit", async () => {
    dir = mkdtempSync(join(tmpdir(), 'gb-edistatus-'));
    const folders = Object.fromEntries(
      ['inbound', 'outbound', 'archive', 'quarantine'].map((f) => {
        mkdirSync(join(dir, f));
        return [f, join(dir, f)];
      }),
    );
    // A community deployment with a mailbox beside it: Globex trades over EDI and agreed to take 824s.
    world = await createWorld({
      extra: {
        mailbox: {
          transport: { type: 'folder', ...folders },
          scan_cron: '0 0 1 1 *',
          our_ids: ['ZZ:GRIDBRIDGE'],
          partners: { '02:CARR': { partner_id: 'P-GLOBEX', send: { standard: 'x12', status: '824' } } },
        },
        partner_channel: { partners: { 'P-GLOBEX': { flows: { case_status: ['edi'] } } } },
      },
    });
    const w = world;
    const b = await w.startBridge();
    copyFileSync(new URL('../fixtures/edi/214-at7.x12', import.meta.url), join(dir, 'inbound', '214.x12'));
    await runSlot(b, 'mailbox.scan');
    const outDir = join(dir, 'outbound');
    const out = await eventually('the 824', () => {
      const names = readdirSync(outDir).filter((n) => n.endsWith('.x12'));
      return names.length === 1 ? names[0]! : null;
    });
    const advice = readFileSync(join(outDir, out));
    expect((await parseEdi(advice)).acknowledgments).toEqual([
      expect.objectContaining({ kind: '824', normalized: 'accepted' }),
    ]);
    expect(advice.toString()).toContain('STATUS RECEIVED');

    // Globex's community case: statuses go by edi only for Globex, and a community case has no EDI document to
    // advise on, so its "received" reaches nobody: audited as not sent, with the reason, and no Trading Grid call.
    const c = await w.tg.raiseCase({ partnerId: 'P-GLOBEX', kind: 'dispute', title: 'Short shipment' });
    const notSent = await eventually('the status not sent', async () =>
      (await listAudit(b.store.db, 'case', c.id)).find((a) => a.action === 'status_not_sent'),
    );
    expect(JSON.parse(notSent.after!)).toMatchObject({
      status: 'received',
      channels: [],
      reason: expect.stringContaining('community API'),
    });
    await quiet(w, b);
    expect(w.tg.state().cases.get(c.id)?.status).toBe('open');
    expect(readdirSync(outDir).filter((n) => n.endsWith('.x12'))).toEqual([out]);
  });
});
