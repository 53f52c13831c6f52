import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFolderTransport } from './localFolderTransport.ts';
import { MailboxDriver, type MailboxDriverOptions } from './mailboxDriver.ts';
import type { MailboxException, MailboxItem } from './exceptions.ts';
import { InMemoryMailboxState } from './state.ts';

const FIXTURES = new URL('../../../../test/fixtures/edi/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES));
const T0 = new Date('2024-03-01T09:00:00Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);
const US = { qualifier: 'ZZ', id: 'GRIDBRIDGE' };

let dir: string;
let folders: { inbound: string; outbound: string; archive: string; quarantine: string };
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gb-mailbox-'));
  folders = {
    inbound: join(dir, 'in'),
    outbound: join(dir, 'out'),
    archive: join(dir, 'archive'),
    quarantine: join(dir, 'quarantine'),
  };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function driver(extra: Partial<MailboxDriverOptions> = {}) {
  const transport = new LocalFolderTransport(folders);
  await transport.ensureFolders();
  const state = new InMemoryMailboxState();
  return { d: new MailboxDriver({ transport, state, ourIds: [US], name: 'acme-sftp', ...extra }), state };
}

function drop(name: string, data: Buffer, at = T0): void {
  const path = join(folders.inbound, name);
  writeFileSync(path, data);
  utimesSync(path, at, at);
}

const exceptions = (items: MailboxItem[]) => items.filter((i): i is MailboxException => i.type === 'exception');

describe('MailboxDriver over a local folder', () => {
  it('correlates a 997 with the 850 we sent and raises nothing when accepted', async () => {
    const { d, state } = await driver();
    expect((await d.send('po-4711.x12', fixture('outbound-850.x12'), T0)).ok).toBe(true);
    expect(readdirSync(folders.outbound)).toEqual(['po-4711.x12']);
    drop('997.x12', fixture('997-accepted.x12'));
    const r = await d.scanOnce(hours(1));
    if (!r.ok) throw new Error(r.error.detail);
    const acks = r.value.items.filter((i) => i.type === 'acknowledgment');
    expect(
      acks.map((a) => a.type === 'acknowledgment' && a.correlated.map((c) => `${c.setId}/${c.transaction}`)),
    ).toEqual([['850/0001'], ['850/0001'], []]);
    expect(exceptions(r.value.items)).toEqual([]);
    expect((await state.findSent({ us: US, group: '1001' }))[0]!.fa).toBe('accepted');
    // Past the FA window (24 h by default): an acknowledged transaction is not overdue. The scan that
    // would raise fa_overdue runs only once here, so nothing else may use up that one-time alert first.
    const later = await d.scanOnce(hours(30));
    if (!later.ok) throw new Error(later.error.detail);
    expect(exceptions(later.value.items)).toEqual([]);
    expect((await state.findSent({ us: US, group: '1001' }))[0]!.fa).toBe('accepted');
    expect(r.value.files.map((f) => f.outcome)).toEqual(['archived']);
  });

  it('raises fa_overdue once after the partner window, measured by the deadline function given', async () => {
    const doubled = (from: Date, h: number) => new Date(from.getTime() + 2 * h * 3_600_000); // e.g. business hours
    const { d } = await driver({ partners: { 'ZZ:ACMESUPPLY': { faWindowHours: 12 } }, deadline: doubled });
    await d.send('inv.x12', fixture('outbound-810.x12'), T0);
    const at = async (h: number) => {
      const r = await d.scanOnce(hours(h));
      return r.ok ? exceptions(r.value.items).map((e) => e.exception) : ['failed'];
    };
    expect(await at(13)).toEqual([]);
    expect(await at(24)).toEqual(['fa_overdue']);
    expect(await at(25)).toEqual([]);
  });

  it('turns a rejecting 997 and an 824 into fa_rejected and application_rejected on the invoice we sent', async () => {
    const { d } = await driver();
    await d.send('inv.x12', fixture('outbound-810.x12'), T0);
    drop('997.x12', fixture('997-rejected.x12'));
    drop('824.x12', fixture('824-rejected.x12'));
    const r = await d.scanOnce(hours(1));
    if (!r.ok) throw new Error(r.error.detail);
    const ex = exceptions(r.value.items).sort((a, b) => b.exception.localeCompare(a.exception)); // files run in name order: 824 first
    expect(ex.map((e) => e.exception)).toEqual(['fa_rejected', 'application_rejected']);
    expect(ex[0]).toMatchObject({
      partner: { qualifier: 'ZZ', id: 'ACMESUPPLY' },
      transactionRef: {
        standard: 'x12',
        sender: 'ZZ:GRIDBRIDGE',
        receiver: 'ZZ:ACMESUPPLY',
        interchange: '000002001',
        group: '2001',
        transaction: '0001',
        business: { type: 'invoice', value: 'INV-9001' },
      },
      file: { name: '997.x12' },
    });
    expect(ex[0]!.detail).toContain('N1 #8 element 2 code 7 Invalid code value');
    expect(ex[1]!.detail).toContain('UNIT PRICE DOES NOT MATCH CONTRACT');
  });

  it('correlates CONTRL and APERAK with EDIFACT messages we sent', async () => {
    const { d } = await driver({ ourIds: [US] });
    await d.send('orders.edi', fixture('outbound-orders.edi'), T0);
    drop('contrl.edi', fixture('contrl.edi'));
    drop('aperak.edi', fixture('aperak.edi'));
    const r = await d.scanOnce(hours(1));
    if (!r.ok) throw new Error(r.error.detail);
    const ex = exceptions(r.value.items);
    expect(ex.map((e) => `${e.exception}:${e.transactionRef.transaction}`).sort()).toEqual([
      'application_rejected:M1',
      'fa_rejected:M2',
    ]);
    expect(ex[0]!.partner).toEqual({ qualifier: '14', id: '5790000000001' });
  });

  it('a CONTRL that only says "interchange received" (8) neither accepts nor rejects: the FA stays awaited and goes overdue; 1 and 5 are no rejections', async () => {
    const contrl = (ctrl: string, action: string) =>
      Buffer.from(
        `UNB+UNOC:3+5790000000001:14+GRIDBRIDGE:ZZ+240301:0930+${ctrl}'UNH+CM1+CONTRL:D:3:UN'UCI+INT0042+GRIDBRIDGE:ZZ+5790000000001:14+${action}'UNT+3+CM1'UNZ+1+${ctrl}'`,
        'latin1',
      );
    const { d, state } = await driver({ ourIds: [US] });
    await d.send('orders.edi', fixture('outbound-orders.edi'), T0);
    drop('received.edi', contrl('R1', '8'));
    const r = await d.scanOnce(hours(1));
    if (!r.ok) throw new Error(r.error.detail);
    expect(exceptions(r.value.items)).toEqual([]);
    expect((await state.findSent({ us: US, interchange: 'INT0042' })).map((t) => t.fa)).toEqual([
      'awaiting',
      'awaiting',
    ]);
    const later = await d.scanOnce(hours(25));
    if (!later.ok) throw new Error(later.error.detail);
    expect(exceptions(later.value.items).map((e) => e.exception)).toEqual(['fa_overdue', 'fa_overdue']);

    const second = await driver({ ourIds: [US] });
    await second.d.send('orders.edi', fixture('outbound-orders.edi'), T0);
    drop('ack1.edi', contrl('R2', '1'));
    drop('ack5.edi', contrl('R3', '5'));
    const acked = await second.d.scanOnce(hours(1));
    if (!acked.ok) throw new Error(acked.error.detail);
    expect(exceptions(acked.value.items)).toEqual([]);
    expect((await second.state.findSent({ us: US, interchange: 'INT0042' })).map((t) => t.fa)).toEqual([
      'accepted',
      'accepted',
    ]);
  });

  it('an invalid 997 is quarantined as content_error instead of being believed; a file lacking only its final terminator is accepted when configured', async () => {
    const { d, state } = await driver();
    await d.send('inv.x12', fixture('outbound-810.x12'), T0);
    drop(
      'bad-997.x12',
      Buffer.from(
        fixture('997-rejected.x12').toString('latin1').replace('AK3*N1*8*N1*8~', 'AK3*N1*X8*N1*8~'),
        'latin1',
      ),
    );
    const r = await d.scanOnce(hours(1));
    if (!r.ok) throw new Error(r.error.detail);
    expect(exceptions(r.value.items).map((e) => `${e.exception}: ${e.detail}`)).toEqual([
      expect.stringMatching(/^content_error: .*997 0001: expected AK302 to be a number, found "X8"/),
    ]);
    expect((await state.findSent({ us: US, group: '2001' }))[0]!.fa).toBe('awaiting');

    const lenient = await driver({ acceptMissingFinalTerminator: true });
    await lenient.d.send('inv.x12', fixture('outbound-810.x12'), T0);
    drop(
      'no-final-tilde.x12',
      Buffer.from(fixture('997-rejected.x12').toString('latin1').trimEnd().replace(/~$/, ''), 'latin1'),
    );
    const l = await lenient.d.scanOnce(hours(1));
    if (!l.ok) throw new Error(l.error.detail);
    expect(l.value.files.map((f) => f.outcome)).toEqual(['archived']);
    expect(exceptions(l.value.items).map((e) => e.exception)).toEqual(['fa_rejected']);
  });

  it('a 997 whose AK2 loop lacks its mandatory AK5 is quarantined as content_error, not read as accepted: the FA stays outstanding', async () => {
    const { d, state } = await driver();
    await d.send('inv.x12', fixture('outbound-810.x12'), T0);
    // The rejecting 997 without its AK5 (and an AK9 that says accepted): read as it stood, the 810 was accepted.
    const text = fixture('997-rejected.x12')
      .toString('latin1')
      .replace(/AK5\*R\*5~\r?\n/, '')
      .replace('AK9*R*1*1*0~', 'AK9*A*1*1*1~')
      .replace('SE*10*0001~', 'SE*9*0001~');
    drop('no-ak5-997.x12', Buffer.from(text, 'latin1'));
    const r = await d.scanOnce(hours(1));
    if (!r.ok) throw new Error(r.error.detail);
    expect(r.value.files.map((f) => f.outcome)).toEqual(['quarantined']);
    expect(r.value.items.filter((i) => i.type === 'acknowledgment')).toEqual([]);
    expect(exceptions(r.value.items).map((e) => `${e.exception}: ${e.detail}`)).toEqual([
      expect.stringMatching(
        /^content_error: .*997 0001: expected AK5 to close the AK2 loop of 810 0001 \(AK5 is mandatory there\), found AK9/,
      ),
    ]);
    expect((await state.findSent({ us: US, group: '2001' }))[0]!.fa).toBe('awaiting');
  });

  it('test interchanges (ISA15 T) are ignored by default, and with mark give test items that never touch production state', async () => {
    const asTest = (name: string) =>
      Buffer.from(
        fixture(name)
          .toString('latin1')
          .replace(/\*0\*P\*>~/, '*0*T*>~'),
        'latin1',
      );
    const { d, state } = await driver();
    await d.send('inv.x12', fixture('outbound-810.x12'), T0);
    drop('997-test.x12', asTest('997-rejected.x12'));
    drop('214-test.x12', asTest('214-at7.x12'));
    const r = await d.scanOnce(hours(1));
    if (!r.ok) throw new Error(r.error.detail);
    expect(r.value.items).toEqual([]);
    expect(r.value.files.map((f) => f.outcome)).toEqual(['archived', 'archived']);
    expect((await state.findSent({ us: US, group: '2001' }))[0]!.fa).toBe('awaiting');

    const marked = await driver({ testInterchanges: 'mark' });
    await marked.d.send('inv.x12', fixture('outbound-810.x12'), T0);
    // A test 850 we send waits for no FA.
    expect((await marked.d.send('po-test.x12', asTest('outbound-850.x12'), T0)).ok).toBe(true);
    drop('997-test-2.x12', asTest('997-rejected.x12'));
    drop('214-test-2.x12', asTest('214-at7.x12'));
    const m = await marked.d.scanOnce(hours(1));
    if (!m.ok) throw new Error(m.error.detail);
    const ex = exceptions(m.value.items);
    expect(ex.map((e) => `${e.exception}:${e.test}`).sort()).toEqual([
      'fa_rejected:true',
      'shipment_status_exception:true',
    ]);
    expect(ex.every((e) => e.detail.startsWith('TEST interchange'))).toBe(true);
    expect(m.value.items.filter((i) => i.type === 'acknowledgment')).toEqual([]);
    // The production 810 is neither settled nor rejected by the test 997; the test 850 was never recorded.
    expect((await marked.state.findSent({ us: US, group: '2001' }))[0]!.fa).toBe('awaiting');
    expect(await marked.state.findSent({ us: US, group: '1001' })).toEqual([]);
  });

  it('a file over max_bytes is quarantined unread with a content_error case naming its size; a file over the single-pass size is read twice in flat memory with the same result', async () => {
    const transport = new LocalFolderTransport(folders);
    await transport.ensureFolders();
    let opened = 0;
    const counting = Object.assign(Object.create(transport) as LocalFolderTransport, {
      openInbound: (n: string) => (opened++, transport.openInbound(n)),
    });
    const state = new InMemoryMailboxState();
    const d = new MailboxDriver({ transport: counting, state, ourIds: [US], name: 'acme-sftp', maxBytes: 500 });
    drop('huge.x12', fixture('850-856-810.x12'));
    const r = await d.scanOnce(hours(1));
    if (!r.ok) throw new Error(r.error.detail);
    expect(opened).toBe(0);
    expect(exceptions(r.value.items).map((e) => [e.exception, e.file])).toEqual([['content_error', null]]);
    expect(exceptions(r.value.items)[0]!.detail).toMatch(
      /^file huge\.x12 is \d+ bytes, over mailbox\.max_bytes \(500\): quarantined unread/,
    );
    expect(readdirSync(folders.quarantine).filter((n) => !n.endsWith('.error.txt'))).toEqual([
      expect.stringMatching(/^oversize-\d+_huge\.x12$/),
    ]);

    // The same traffic through the two-pass path (single pass limit 100 bytes) gives the same items as one pass.
    const results: string[][] = [];
    for (const singlePassBytes of [100, 16 * 1024 * 1024]) {
      const { d: each } = await driver({ singlePassBytes });
      await each.send('inv.x12', fixture('outbound-810.x12'), T0);
      drop(`997-${singlePassBytes}.x12`, fixture('997-rejected.x12'));
      drop(`214-${singlePassBytes}.x12`, fixture('214-at7.x12'));
      const got = await each.scanOnce(hours(1));
      if (!got.ok) throw new Error(got.error.detail);
      results.push(
        got.value.items
          .map((i) =>
            i.type === 'exception'
              ? `${i.exception}:${i.detail}`
              : i.type === 'acknowledgment'
                ? `ack:${i.ack.kind}:${i.ack.normalized}`
                : `request:${i.setId}`,
          )
          .sort(),
      );
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0]!.length).toBeGreaterThan(2);
  });

  it("sees what the customer's translator sent, read-only: FA waits per document type, acks matched, and our own 856 stops asn_missing", async () => {
    const sentDir = join(dir, 'customer-sent');
    const sentTransport = new LocalFolderTransport({
      inbound: sentDir,
      outbound: folders.outbound,
      archive: folders.archive,
      quarantine: folders.quarantine,
    });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(sentDir, { recursive: true });
    // Invoices get 48 hours with Acme, everything else the default 24.
    const { d, state } = await driver({ partners: { 'ZZ:ACMESUPPLY': { faHoursBySet: { '810': 48 } } } });
    const put = (name: string, data: Buffer | string) => {
      writeFileSync(join(sentDir, name), data);
      utimesSync(join(sentDir, name), T0, T0);
    };
    put('inv-9001.x12', fixture('outbound-810.x12'));
    const seen = await d.observeSent(sentTransport, T0);
    if (!seen.ok) throw new Error(seen.error.detail);
    expect(seen.value.files.map((f) => f.outcome)).toEqual(['archived']);
    // Read-only: the file is still there, nothing was written beside it.
    expect(readdirSync(sentDir)).toEqual(['inv-9001.x12']);
    const [sent] = await state.findSent({ us: US, group: '2001' });
    expect(sent!.faDueAt).toBe(hours(48).toISOString());
    // Seen again on the next scan: recorded once.
    const again = await d.observeSent(sentTransport, hours(1));
    expect(again.ok && again.value.files.map((f) => f.outcome)).toEqual(['duplicate']);
    // The partner's 997 is matched to the invoice the translator sent.
    drop('997.x12', fixture('997-rejected.x12'));
    const r = await d.scanOnce(hours(2));
    if (!r.ok) throw new Error(r.error.detail);
    expect(exceptions(r.value.items).map((e) => e.exception)).toEqual(['fa_rejected']);
    expect(exceptions(r.value.items)[0]!.detail).toContain('810 0001 (invoice INV-9001)');

    // A supplier: the partner's 850 arrives, our 856 leaves through the translator, no asn_missing after the window.
    const supplier = await driver();
    const all = fixture('850-856-810.x12').toString('latin1');
    const icEnd = all.indexOf('ISA', 10);
    // The fixture's 850 the other way round: the partner orders from us.
    const swap = (x12: string) =>
      x12
        .replace(/ZZ\*(\w+) *\*ZZ\*(\w+) *\*/, (_m, a: string, b: string) => `ZZ*${b.padEnd(15)}*ZZ*${a.padEnd(15)}*`)
        .replace(/GS\*(\w+)\*(\w+)\*(\w+)\*/, (_m, f: string, a: string, b: string) => `GS*${f}*${b}*${a}*`);
    drop('po.x12', Buffer.from(swap(all.slice(0, icEnd)), 'latin1'));
    const po = await supplier.d.scanOnce(hours(1));
    if (!po.ok) throw new Error(po.error.detail);
    // Our 856 (the fixture's 856, sent the other way round).
    put('asn.x12', swap(all.slice(icEnd, all.indexOf('ISA', icEnd + 10))));
    const out = await supplier.d.observeSent(sentTransport, hours(2), true);
    if (!out.ok) throw new Error(out.error.detail);
    expect(readdirSync(sentDir)).toEqual([]); // consume: true removes what it recorded (this driver recorded both)
    const later = await supplier.d.scanOnce(hours(100));
    if (!later.ok) throw new Error(later.error.detail);
    expect(exceptions(later.value.items).map((e) => e.exception)).not.toContain('asn_missing');
    // Without our 856 seen, the same PO does raise asn_missing (what a supplier got for every order before).
    const blind = await driver();
    drop('po-2.x12', Buffer.from(swap(all.slice(0, icEnd)), 'latin1'));
    expect((await blind.d.scanOnce(hours(1))).ok).toBe(true);
    const blindLater = await blind.d.scanOnce(hours(100));
    expect(blindLater.ok && exceptions(blindLater.value.items).map((e) => e.exception)).toContain('asn_missing');
  });

  it('finds invoice mismatches against the 850 we sent and the 856 received', async () => {
    const { d } = await driver();
    await d.send('po.x12', fixture('outbound-850.x12'), T0);
    const all = fixture('850-856-810.x12').toString('latin1');
    drop('asn-and-invoice.x12', Buffer.from(all.slice(all.indexOf('ISA', 10)), 'latin1'));
    const r = await d.scanOnce(hours(2));
    if (!r.ok) throw new Error(r.error.detail);
    const ex = exceptions(r.value.items);
    expect(ex.map((e) => e.exception)).toEqual(['invoice_mismatch']);
    expect(ex[0]!.detail).toBe(
      '810 INV-9001 vs PO PO-4711: SKU-2 price 42 invoiced, 40 ordered; SKU-2 quantity 5 invoiced, 4 shipped',
    );
    const later = await d.scanOnce(hours(100));
    expect(later.ok && exceptions(later.value.items).map((e) => e.exception)).toEqual(['fa_overdue']); // no 997 for our 850; the 856 came, so no asn_missing
  });

  describe('EDIFACT in the three-way match, like X12 850/856/810', () => {
    /** The UNB sender and recipient exchanged: the same message sent the other way round. */
    const swapUnb = (name: string) =>
      Buffer.from(
        fixture(name)
          .toString('latin1')
          .replace(/UNB\+(\w+:\d)\+([^+]+)\+([^+]+)\+/, (_m, s: string, a: string, b: string) => `UNB+${s}+${b}+${a}+`),
        'latin1',
      );

    it("as the buyer: our ORDERS, the partner's DESADV and INVOIC → invoice_mismatch; the DESADV settles asn_missing", async () => {
      const { d } = await driver();
      expect((await d.send('orders.edi', fixture('edifact/orders-d96a.edi'), T0)).ok).toBe(true);
      drop('desadv.edi', fixture('edifact/desadv-d96a.edi'));
      drop('invoic.edi', fixture('edifact/invoic-d01b.edi'));
      const r = await d.scanOnce(hours(2));
      if (!r.ok) throw new Error(r.error.detail);
      const ex = exceptions(r.value.items);
      expect(ex.map((e) => [e.exception, e.partner.id, e.transactionRef.business?.value])).toEqual([
        ['invoice_mismatch', '4012345000009', 'INV-E9001'],
      ]);
      expect(ex[0]!.detail).toBe(
        'INVOIC INV-E9001 vs PO PO-E4711: 4000862141411 price 42 invoiced, 40 ordered; 4000862141411 quantity 5 invoiced, 4 shipped',
      );
      const later = await d.scanOnce(hours(100));
      // No CONTRL for our ORDERS; the DESADV came, so no asn_missing.
      expect(later.ok && exceptions(later.value.items).map((e) => e.exception)).toEqual(['fa_overdue']);
    });

    it("as the supplier: the partner's ORDERS without our DESADV → asn_missing; our DESADV and INVOIC seen in the sent folder are matched", async () => {
      const sentDir = join(dir, 'customer-sent');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(sentDir, { recursive: true });
      const sentTransport = new LocalFolderTransport({ ...folders, inbound: sentDir });
      const put = (name: string, data: Buffer) => {
        writeFileSync(join(sentDir, name), data);
        utimesSync(join(sentDir, name), T0, T0);
      };
      const blind = await driver({ defaults: { asnWindowHours: 24 } });
      drop('orders.edi', swapUnb('edifact/orders-d96a.edi'));
      expect((await blind.d.scanOnce(hours(1))).ok).toBe(true);
      const due = await blind.d.scanOnce(hours(26));
      if (!due.ok) throw new Error(due.error.detail);
      expect(exceptions(due.value.items).map((e) => [e.exception, e.transactionRef.business?.value])).toEqual([
        ['asn_missing', 'PO-E4711'],
      ]);
      expect(exceptions(due.value.items)[0]!.detail).toMatch(/^no DESADV for PO PO-E4711 received /);

      const { d } = await driver({ defaults: { asnWindowHours: 24 } });
      drop('orders-2.edi', swapUnb('edifact/orders-d96a.edi'));
      expect((await d.scanOnce(hours(1))).ok).toBe(true);
      put('desadv.edi', swapUnb('edifact/desadv-d96a.edi'));
      put('invoic.edi', swapUnb('edifact/invoic-d01b.edi'));
      const seen = await d.observeSent(sentTransport, hours(2));
      if (!seen.ok) throw new Error(seen.error.detail);
      // Our own invoice bills more than we shipped and at another price than the partner ordered.
      expect(exceptions(seen.value.items).map((e) => [e.exception, e.partner.id, e.detail])).toEqual([
        [
          'invoice_mismatch',
          '4012345000009',
          'INVOIC INV-E9001 vs PO PO-E4711: 4000862141411 price 42 invoiced, 40 ordered; 4000862141411 quantity 5 invoiced, 4 shipped',
        ],
      ]);
      const later = await d.scanOnce(hours(26));
      expect(later.ok && exceptions(later.value.items).map((e) => e.exception)).not.toContain('asn_missing');
    });

    it('reads IFTSTA status exceptions like 214 AT7 ones', async () => {
      const { d } = await driver();
      drop('iftsta.edi', fixture('edifact/iftsta-d01b.edi'));
      const r = await d.scanOnce(T0);
      if (!r.ok) throw new Error(r.error.detail);
      const ex = exceptions(r.value.items);
      expect(ex.map((e) => [e.exception, e.partner.id, e.transactionRef.business?.value])).toEqual([
        ['shipment_status_exception', 'CARRIER01', 'IFT-5501'],
      ]);
      expect(ex[0]!.detail).toBe(
        'IFTSTA STS status 23 Not delivered reason 14 (Damaged: Three cartons crushed) at 202403041015',
      );
    });
  });

  it("turns a partner's 855 and 865 that refuse or change what we asked into cases naming our 850/860, and an 864 into a case of its own", async () => {
    const { d } = await driver();
    await d.send('po.x12', fixture('outbound-850.x12'), T0);
    await d.send('chg.x12', fixture('outbound-860.x12'), T0);
    drop('855.x12', fixture('855-changed.x12'));
    drop('865.x12', fixture('865-rejected.x12'));
    drop('864.x12', fixture('864-message.x12'));
    const r = await d.scanOnce(hours(1));
    if (!r.ok) throw new Error(r.error.detail);
    const ex = exceptions(r.value.items);
    expect(ex.map((e) => [e.exception, e.partner.id, e.transactionRef.business?.value, e.detail])).toEqual([
      [
        'order_acknowledgment_exception',
        'ACMESUPPLY',
        'PO-4711',
        `855 for PO PO-4711: line 2 SKU-2: IQ Item Accepted - Quantity Changed (4 CS); line 2 SKU-2: IB Item Backordered (1 CS) (answers our 850 0001 sent ${T0.toISOString()})`,
      ],
      [
        'partner_text_message',
        'ACMESUPPLY',
        'MSG-0305',
        '864 New carton labels from 1 April (MSG-0305): From 1 April every carton carries a GS1-128 label.\nMixed pallets need a pallet label as well.',
      ],
      [
        'order_change_exception',
        'ACMESUPPLY',
        'PO-4711',
        `865 for PO PO-4711 change 1: rejected (RJ Rejected - No Detail) (answers our 860 0001 sent ${T0.toISOString()})`,
      ],
    ]);
    // Ours of these (a copy of what we sent, landing in the inbound folder) raise nothing: they are our own answers.
    const quiet = await driver();
    const swap = (name: string) =>
      Buffer.from(
        fixture(name)
          .toString('latin1')
          .replace(/ZZ\*(\w+) *\*ZZ\*(\w+) *\*/, (_m, a: string, b: string) => `ZZ*${b.padEnd(15)}*ZZ*${a.padEnd(15)}*`)
          .replace(/GS\*(\w+)\*(\w+)\*(\w+)\*/, (_m, f: string, a: string, b: string) => `GS*${f}*${b}*${a}*`),
        'latin1',
      );
    for (const f of ['855-changed.x12', '865-rejected.x12', '864-message.x12']) drop(f, swap(f));
    const none = await quiet.d.scanOnce(hours(1));
    expect(none.ok && none.value.files.map((f) => f.outcome)).toEqual(['archived', 'archived', 'archived']);
    expect(none.ok && none.value.items).toEqual([]);
  });

  it('raises asn_missing for an 850 received without an 856 in the window', async () => {
    const { d } = await driver({ defaults: { asnWindowHours: 24 } });
    drop('po.x12', fixture('unusual-separators.x12'));
    await d.scanOnce(T0);
    const r = await d.scanOnce(hours(24));
    expect(r.ok && exceptions(r.value.items).map((e) => `${e.exception}:${e.transactionRef.business?.value}`)).toEqual([
      'asn_missing:PO 4712  ',
      'asn_missing:PO-4713',
    ]);
  });

  it('reads 214 AT7 exception reasons and 180 returns', async () => {
    const { d } = await driver();
    drop('214.x12', fixture('214-at7.x12'));
    drop('180.x12', fixture('180-return.x12'));
    const r = await d.scanOnce(T0);
    if (!r.ok) throw new Error(r.error.detail);
    const ex = exceptions(r.value.items);
    expect(ex.map((e) => [e.exception, e.partner.id, e.transactionRef.business?.value])).toEqual([
      ['return_requested', 'ACMESUPPLY', 'RMA-3001'],
      ['shipment_status_exception', 'CARR', 'SHIP-55'],
    ]);
    expect(ex[1]!.detail).toBe('214 AT7 status X6 reason AJ (Other carrier-related) at 20240304 1015');
    expect(ex[0]!.detail).toContain('2 x SKU-2 (reason DM/CR)');
  });

  it('quarantines a file that does not parse, with an error report, and raises content_error', async () => {
    const { d } = await driver();
    drop('broken.x12', fixture('truncated.x12'));
    const r = await d.scanOnce(T0);
    if (!r.ok) throw new Error(r.error.detail);
    expect(r.value.files[0]).toMatchObject({ name: 'broken.x12', outcome: 'quarantined' });
    const ex = exceptions(r.value.items);
    expect(ex.map((e) => e.exception)).toEqual(['content_error']);
    expect(ex[0]!.detail).toContain('byte 639, segment 20');
    const names = readdirSync(folders.quarantine).sort();
    expect(names).toHaveLength(2);
    expect(
      readFileSync(
        join(
          folders.quarantine,
          names.find((n) => n.endsWith('.error.txt'))!,
        ),
        'utf8',
      ),
    ).toContain('byte 639, segment 20: expected segment terminator');
    const stored = await d.openStoredFile({ sha256: ex[0]!.file!.sha256 });
    expect(stored.ok && (await text(stored.value))).toBe(fixture('truncated.x12').toString('latin1'));
  });

  it('processes a file once: the same name and content dropped again gives no new items', async () => {
    const { d } = await driver();
    drop('214.x12', fixture('214-at7.x12'));
    const first = await d.scanOnce(T0);
    drop('214.x12', fixture('214-at7.x12'));
    const second = await d.scanOnce(hours(1));
    expect(first.ok && first.value.items.length).toBe(1);
    expect(second.ok && second.value).toMatchObject({ items: [], files: [{ name: '214.x12', outcome: 'duplicate' }] });
    expect(existsSync(join(folders.inbound, '214.x12'))).toBe(false);
    const archived = await d.openStoredFile({ name: '214.x12' });
    expect(archived.ok && (await text(archived.value))).toBe(fixture('214-at7.x12').toString('latin1'));
  });

  it('gives stable dedupe keys: the same content under another name makes the same keys', async () => {
    const a = await driver();
    drop('one.x12', fixture('214-at7.x12'));
    const r1 = await a.d.scanOnce(T0);
    const b = await driver();
    drop('two.x12', fixture('214-at7.x12'));
    const r2 = await b.d.scanOnce(hours(5));
    expect(r1.ok && r2.ok && r1.value.items.map((i) => i.dedupeKey)).toEqual(
      r2.ok && r2.value.items.map((i) => i.dedupeKey),
    );
  });

  it('delivers items before archiving, and leaves the file in place when delivery fails', async () => {
    let fail = true;
    const delivered: string[] = [];
    const { d } = await driver({
      deliver: async (items) => {
        if (fail) throw new Error('store down');
        delivered.push(...items.map((i) => i.dedupeKey));
      },
    });
    drop('180.x12', fixture('180-return.x12'));
    await expect(d.scanOnce(T0)).rejects.toThrow('store down');
    expect(existsSync(join(folders.inbound, '180.x12'))).toBe(true);
    fail = false;
    const r = await d.scanOnce(T0);
    expect(r.ok && r.value.files[0]!.outcome).toBe('archived');
    expect(delivered).toHaveLength(1);
  });

  it('raises mailbox_inactive when nothing arrived for the configured hours', async () => {
    const { d } = await driver({ inactiveAfterHours: 24 });
    await d.scanOnce(T0);
    const r = await d.scanOnce(hours(25));
    expect(r.ok && exceptions(r.value.items).map((e) => e.exception)).toEqual(['mailbox_inactive']);
  });

  it('refuses to send a file that does not parse', async () => {
    const { d } = await driver();
    const r = await d.send('bad.x12', fixture('truncated.x12'), T0);
    expect(r.ok).toBe(false);
    expect(readdirSync(folders.outbound)).toEqual([]);
  });
});
