import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, eventually, type World } from '../helpers/world.ts';
import { slotRunner } from '../helpers/runSlot.ts';
import { edifactOracle, segmentsOf } from '../helpers/ediOracle.ts';
import { parseEdi, type ParsedEdi } from '../../src/connectors/tradinggrid/edi/parseEdi.ts';
import { listAudit } from '../../src/store/ops/audit.ts';
import type { Bridge } from '../../src/server/bridge.ts';
import { startSftpTestServer, type SftpTestServer } from '../../src/connectors/tradinggrid/mailbox/sftpTestServer.ts';

let world: World | null = null;
let dir: string | null = null;
let sftp: SftpTestServer | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
  await sftp?.close();
  sftp = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

const runSlot = slotRunner(() => Date.now());

/** Acme's purchase orders (two 850s in one group), asking for a TA1 (ISA14 = 1). */
const x12Orders = (icn: string, gcn: string) =>
  `ISA*00*          *00*          *ZZ*ACMESUPPLY     *ZZ*GRIDBRIDGE     *261206*1200*U*00401*${icn}*1*P*>~` +
  `GS*PO*ACMESUPPLY*GRIDBRIDGE*20261206*1200*${gcn}*X*004010~` +
  'ST*850*0001~BEG*00*SA*PO-1**20261206~PO1*1*10*EA*2.5**BP*SKU-1~SE*4*0001~' +
  'ST*850*0002~BEG*00*SA*PO-2**20261206~PO1*1*5*EA*4**BP*SKU-2~SE*4*0002~' +
  `GE*2*${gcn}~IEA*1*${icn}~`;

/** Its trailer names another control number: the file is quarantined, the interchange rejected by a TA1. */
const X12_BROKEN =
  'ISA*00*          *00*          *ZZ*ACMESUPPLY     *ZZ*GRIDBRIDGE     *261206*1200*U*00401*000000903*0*P*>~' +
  'GS*PO*ACMESUPPLY*GRIDBRIDGE*20261206*1200*903*X*004010~ST*850*0001~BEG*00*SA*PO-3**20261206~SE*3*0001~' +
  'GE*1*903~IEA*1*000000999~';

/** Globex's order, asking for a CONTRL (UNB 0031 = 1), syntax version 4. */
const ORDERS =
  "UNA:+.? 'UNB+UNOC:4+5790000000001:14+GRIDBRIDGE:ZZ+20261206:1200+ICR78++++1'UNH+M1+ORDERS:D:96A:UN'" +
  "BGM+220+PO-77+9'DTM+137:20261205:102'LIN+1++4000862141404:EN'QTY+21:40:PCE'UNS+S'UNT+7+M1'UNZ+1+ICR78'";

/** A partner that takes no acknowledgement from us (its translator's default: the customer acknowledges). */
const OTHER =
  'ISA*00*          *00*          *ZZ*INITECH        *ZZ*GRIDBRIDGE     *261206*1200*U*00401*000000400*1*P*>~' +
  'GS*PO*INITECH*GRIDBRIDGE*20261206*1200*400*X*004010~ST*850*0001~BEG*00*SA*PO-9**20261206~SE*3*0001~' +
  'GE*1*400~IEA*1*000000400~';

const outFiles = (root: string) =>
  readdirSync(join(root, 'out'))
    .filter((n) => !n.startsWith('.'))
    .sort();

async function quiet(b: Bridge): Promise<void> {
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
}

describe.each(['folder', 'sftp'] as const)(
  'functional acknowledgements from the bridge as the receiving endpoint (%s mailbox, real driver)',
  (kind) => {
    it('997 with TA1, a TA1 rejection for a broken file, CONTRL for EDIFACT; after a restart nothing twice and no control number reused', async () => {
      let root: string;
      let transport: Record<string, unknown>;
      if (kind === 'sftp') {
        sftp = await startSftpTestServer();
        process.env.GB_TEST_EDIFA_SFTP_PASSWORD = sftp.password;
        root = sftp.root;
        transport = {
          type: 'sftp',
          host: sftp.host,
          port: sftp.port,
          username: sftp.username,
          password: { env: 'GB_TEST_EDIFA_SFTP_PASSWORD' },
          host_key_sha256: sftp.hostKeySha256,
          folders: sftp.folders,
        };
      } else {
        dir = mkdtempSync(join(tmpdir(), 'gb-fa-'));
        root = dir;
        for (const f of ['in', 'out', 'archive', 'quarantine']) mkdirSync(join(root, f));
        transport = {
          type: 'folder',
          inbound: join(root, 'in'),
          outbound: join(root, 'out'),
          archive: join(root, 'archive'),
          quarantine: join(root, 'quarantine'),
        };
      }
      world = await createWorld({
        ediOnly: true,
        partners: {
          'P-ACME': { name: 'Acme Supply' },
          'P-GLOBEX': { name: 'Globex' },
          'P-INITECH': { name: 'Initech' },
        },
        extra: {
          mailbox: {
            name: 'acme-edi',
            transport,
            scan_cron: '0 0 1 1 *',
            our_ids: ['ZZ:GRIDBRIDGE'],
            partners: {
              'ZZ:ACMESUPPLY': { partner_id: 'P-ACME', send: { standard: 'x12', ack: '997' } },
              '14:5790000000001': { partner_id: 'P-GLOBEX', send: { standard: 'edifact', ack: 'CONTRL' } },
              'ZZ:INITECH': { partner_id: 'P-INITECH', send: { standard: 'x12' } },
            },
          },
        },
      });
      const w = world;
      let b = await w.startBridge();
      writeFileSync(join(root, 'in', 'orders.x12'), x12Orders('000000901', '901'));
      writeFileSync(join(root, 'in', 'broken.x12'), X12_BROKEN);
      writeFileSync(join(root, 'in', 'orders.edi'), ORDERS);
      writeFileSync(join(root, 'in', 'initech.x12'), OTHER);
      await runSlot(b, 'mailbox.scan');
      await quiet(b);
      const first = await eventually('three acknowledgements written', () => {
        const f = outFiles(root);
        return f.length === 3 ? f : null;
      });

      const x12Acks = await Promise.all(
        first.filter((n) => n.endsWith('.x12')).map(async (n) => parseEdi(readFileSync(join(root, 'out', n)))),
      );
      for (const p of x12Acks) expect(p.errors).toEqual([]);
      // Control numbers from Acme's counter: 1 and 2 (in the order the jobs ran), never the same.
      expect(x12Acks.map((p) => Number(p.interchanges[0]!.control_number)).sort()).toEqual([1, 2]);
      for (const p of x12Acks)
        expect(p.interchanges[0]).toMatchObject({
          sender: { qualifier: 'ZZ', id: 'GRIDBRIDGE' },
          receiver: { qualifier: 'ZZ', id: 'ACMESUPPLY' },
        });
      const byTa1: Record<string, ParsedEdi> = Object.fromEntries(
        x12Acks.map((p) => [
          p.acknowledgments.find((a) => a.kind === 'TA1')!.acknowledges.interchange_control_number,
          p,
        ]),
      );
      // The good interchange: TA1 A (asked for by ISA14), one 997 accepting both 850s.
      expect(byTa1['000000901']!.acknowledgments.map((a) => [a.kind, a.normalized, a.acknowledges])).toEqual([
        ['TA1', 'accepted', { interchange_control_number: '000000901' }],
        ['997', 'accepted', { group_control_number: '901' }],
        ['997', 'accepted', { group_control_number: '901', transaction_control_number: '0001' }],
        ['997', 'accepted', { group_control_number: '901', transaction_control_number: '0002' }],
      ]);
      expect(byTa1['000000901']!.interchanges[0]!.groups[0]).toMatchObject({
        functional_id: 'FA',
        transactions: [{ set_id: '997' }],
      });
      // The broken one: a TA1 R naming the trailer's control number mismatch (001), no 997.
      expect(byTa1['000000903']!.acknowledgments).toEqual([
        {
          kind: 'TA1',
          acknowledges: { interchange_control_number: '000000903' },
          normalized: 'rejected',
          errors: [
            { code: '001', description: 'The interchange control number in the header and trailer do not match' },
          ],
        },
      ]);
      expect(byTa1['000000903']!.interchanges[0]!.groups).toEqual([]);

      // CONTRL in the syntax version of the UNB it answers, read by the edifact package too.
      const contrlFile = readFileSync(
        join(
          root,
          'out',
          first.find((n) => n.endsWith('.edi'))!,
        ),
      );
      const contrl = await parseEdi(contrlFile);
      expect(contrl.errors).toEqual([]);
      expect(contrl.acknowledgments.map((a) => [a.kind, a.normalized, a.acknowledges])).toEqual([
        ['CONTRL', 'accepted', { interchange_control_number: 'ICR78' }],
      ]);
      const oracle = edifactOracle(contrlFile);
      expect(oracle.find((s) => s.name === 'UNB')!.elements.slice(0, 3)).toEqual([
        ['UNOC', '4'],
        ['GRIDBRIDGE', 'ZZ'],
        ['5790000000001', '14'],
      ]);
      expect(oracle.find((s) => s.name === 'UNH')!.elements[1]).toEqual(['CONTRL', '4', '1', 'UN']);
      expect(oracle.find((s) => s.name === 'UCI')!.elements).toEqual([
        ['ICR78'],
        ['5790000000001', '14'],
        ['GRIDBRIDGE', 'ZZ'],
        ['7'],
      ]);
      // Our acknowledgements ask for none back (ISA14 0, no UNB 0031).
      for (const n of first.filter((x) => x.endsWith('.x12')))
        expect((await segmentsOf(readFileSync(join(root, 'out', n))))[0]!.elements[14]).toBe('0');
      expect(oracle.find((s) => s.name === 'UNB')!.elements.length).toBeLessThan(9);

      // Restart: the same interchange again (a partner resending, under another name) gets nothing more; a new one gets
      // the next control number from the store.
      await b.stop();
      b = await w.startBridge();
      writeFileSync(join(root, 'in', 'orders-again.x12'), x12Orders('000000901', '901'));
      writeFileSync(join(root, 'in', 'orders-2.x12'), x12Orders('000000902', '902'));
      await runSlot(b, 'mailbox.scan');
      await quiet(b);
      const after = await eventually('one more acknowledgement', () => {
        const f = outFiles(root);
        return f.length === 4 ? f : null;
      });
      const added = after.filter((n) => !first.includes(n));
      expect(added).toHaveLength(1);
      const third = await parseEdi(readFileSync(join(root, 'out', added[0]!)));
      expect(third.interchanges[0]!.control_number).toBe('000000003');
      expect(third.acknowledgments[0]!.acknowledges).toEqual({ interchange_control_number: '000000902' });
      // GS06 2: the group counter moves only for files with a group (the TA1-only rejection took none).
      expect(third.interchanges[0]!.groups[0]!.control_number).toBe('2');
      // Each acknowledgement queued and sent once.
      const files = await b.store.db.selectFrom('edi_outbound_files').select(['key', 'state']).execute();
      expect(files.map((f) => f.key).sort()).toEqual([
        'ack:edifact|14:5790000000001|ICR78',
        'ack:x12|ZZ:ACMESUPPLY|000000901',
        'ack:x12|ZZ:ACMESUPPLY|000000902',
        'ack:x12|ZZ:ACMESUPPLY|000000903',
      ]);
      expect(files.every((f) => f.state === 'sent')).toBe(true);
      const sent = await listAudit(b.store.db, 'edi_interchange', 'x12|ZZ:ACMESUPPLY|000000901');
      expect(sent.filter((a: { action: string }) => a.action === 'edi_sent')).toHaveLength(1);
      // Initech (no send.ack) got nothing.
      expect(after.some((n) => n.includes('INITECH'))).toBe(false);
    });
  },
);
