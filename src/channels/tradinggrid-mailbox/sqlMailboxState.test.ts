import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../store/db.ts';
import { describeStores, pgOrWarn, storeMakers } from '../../../test/helpers/pgStore.ts';
import { LocalFolderTransport } from '../../connectors/tradinggrid/mailbox/localFolderTransport.ts';
import { MailboxDriver } from '../../connectors/tradinggrid/mailbox/mailboxDriver.ts';
import type { MailboxException, MailboxItem } from '../../connectors/tradinggrid/mailbox/exceptions.ts';
import { SqlAcSnapshotState, SqlMailboxState } from './sqlMailboxState.ts';
import { acquireNamedLease, releaseNamedLease } from '../../store/ops/namedLease.ts';

const FIXTURES = new URL('../../../test/fixtures/edi/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES));
const T0 = new Date('2024-03-01T09:00:00Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);
const US = { qualifier: 'ZZ', id: 'GRIDBRIDGE' };
const exceptions = (items: MailboxItem[]) =>
  items.filter((i): i is MailboxException => i.type === 'exception').map((e) => e.exception);

// Both stores in every run: PostgreSQL in a database of this file's own (created, then dropped), never
// a database or schema it did not create.
const pgUp = await pgOrWarn('src/channels/tradinggrid-mailbox/sqlMailboxState.test.ts');
const makers = storeMakers();
afterAll(() => makers.postgres.dispose());

describeStores(pgUp)('SqlMailboxState on %s', (kind) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let dir: string;
  let folders: { inbound: string; outbound: string; archive: string; quarantine: string };
  beforeAll(async () => {
    const t = await makers[kind].make();
    cleanup = t.cleanup;
    store = t.store;
    dir = mkdtempSync(join(tmpdir(), 'gb-sqlstate-mbx-'));
    folders = {
      inbound: join(dir, 'in'),
      outbound: join(dir, 'out'),
      archive: join(dir, 'archive'),
      quarantine: join(dir, 'q'),
    };
  });
  afterAll(async () => {
    await cleanup?.();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A new driver and state object each time: only the store carries what happened before (as after a restart). */
  async function driver(mailbox = 'm1') {
    const transport = new LocalFolderTransport(folders);
    await transport.ensureFolders();
    return new MailboxDriver({
      transport,
      state: new SqlMailboxState(store.db, mailbox, () => T0.getTime()),
      ourIds: [US],
      name: mailbox,
      defaults: { asnWindowHours: 24 },
    });
  }
  const drop = (name: string, data: Buffer) => {
    writeFileSync(join(folders.inbound, name), data);
    utimesSync(join(folders.inbound, name), T0, T0);
  };

  it("two partners' transactions with the same control numbers are two records: a 997 answers only its sender's", async () => {
    // Control numbers counted per trading partner (common in translators): both 850s are interchange 1001, group 1001.
    const other = (b: Buffer) =>
      Buffer.from(
        b.toString('latin1').replace('ZZ*ACMESUPPLY     ', 'ZZ*OTHERCO        ').replace('*ACMESUPPLY*', '*OTHERCO*'),
        'latin1',
      );
    const d = await driver('m-two-partners');
    expect((await d.send('po-acme.x12', fixture('outbound-850.x12'), T0)).ok).toBe(true);
    expect((await d.send('po-other.x12', other(fixture('outbound-850.x12')), T0)).ok).toBe(true);
    drop(
      '997-other.x12',
      Buffer.from(
        fixture('997-accepted.x12')
          .toString('latin1')
          .replace('ZZ*ACMESUPPLY     ', 'ZZ*OTHERCO        ')
          .replace('FA*ACMESUPPLY*', 'FA*OTHERCO*'),
        'latin1',
      ),
    );
    const r = await (await driver('m-two-partners')).scanOnce(hours(1));
    expect(r.ok && exceptions(r.value.items)).toEqual([]);
    const state = new SqlMailboxState(store.db, 'm-two-partners', Date.now);
    const byPartner = (await state.findSent({ us: US, group: '1001' })).map((t) => `${t.partner.id}:${t.fa}`).sort();
    expect(byPartner).toEqual(['ACMESUPPLY:awaiting', 'OTHERCO:accepted']);
    // Acme's 850 is still owed its FA: overdue past the window, Other Co's is not.
    const late = await (await driver('m-two-partners')).scanOnce(hours(30));
    const overdue = late.ok ? late.value.items.filter((i): i is MailboxException => i.type === 'exception') : [];
    expect(overdue.filter((e) => e.exception === 'fa_overdue').map((e) => e.partner.id)).toEqual(['ACMESUPPLY']);
  });

  it('keeps FA waits, their correlation and the overdue report across restarts', async () => {
    expect((await (await driver()).send('inv.x12', fixture('outbound-810.x12'), T0)).ok).toBe(true);
    expect((await (await driver()).send('po.x12', fixture('outbound-850.x12'), T0)).ok).toBe(true);
    drop('997.x12', fixture('997-rejected.x12'));
    const r = await (await driver()).scanOnce(hours(1));
    expect(r.ok && exceptions(r.value.items)).toEqual(['fa_rejected']);
    const state = new SqlMailboxState(store.db, 'm1', Date.now);
    expect((await state.findSent({ us: US, group: '2001' })).map((t) => t.fa)).toEqual(['rejected']);
    const late = await (await driver()).scanOnce(hours(30));
    expect(late.ok && exceptions(late.value.items)).toEqual(['fa_overdue', 'asn_missing']); // the 850 we sent: no 997, no 856
    const again = await (await driver()).scanOnce(hours(31));
    expect(again.ok && exceptions(again.value.items)).toEqual([]);
  });

  it('remembers processed files by name and hash, and finds the stored copy by hash', async () => {
    drop('214.x12', fixture('214-at7.x12'));
    const first = await (await driver()).scanOnce(T0);
    drop('214.x12', fixture('214-at7.x12'));
    const second = await (await driver()).scanOnce(T0);
    expect(first.ok && exceptions(first.value.items)).toEqual(['shipment_status_exception']);
    expect(second.ok && second.value.files.map((f) => f.outcome)).toEqual(['duplicate']);
    const sha = first.ok ? first.value.files[0]!.sha256 : '';
    const stored = await (await driver()).openStoredFile({ sha256: sha });
    expect(stored.ok && (await text(stored.value))).toBe(fixture('214-at7.x12').toString('latin1'));
    expect(await new SqlMailboxState(store.db, 'other', Date.now).findProcessed({ sha256: sha })).toBeNull(); // per mailbox
  });

  it('compares an 810 with the 850 sent and the 856 received, kept in the store', async () => {
    const all = fixture('850-856-810.x12').toString('latin1');
    drop('asn-and-invoice.x12', Buffer.from(all.slice(all.indexOf('ISA', 10)), 'latin1'));
    const r = await (await driver()).scanOnce(hours(2));
    const details = (x: typeof r) =>
      x.ok ? x.value.items.filter((i): i is MailboxException => i.type === 'exception').map((e) => e.detail) : [];
    expect(details(r)).toEqual([
      '810 INV-9001 vs PO PO-4711: SKU-2 price 42 invoiced, 40 ordered; SKU-2 quantity 5 invoiced, 4 shipped',
    ]);
    // The same 856 read again (here: the same content under another name) does not count its shipment twice.
    drop('asn-and-invoice-again.x12', Buffer.from(all.slice(all.indexOf('ISA', 10)), 'latin1'));
    expect(details(await (await driver()).scanOnce(hours(3)))).toEqual(details(r));
  });

  it('the scan lease is held by one owner at a time, and taken over once expired', async () => {
    expect(await acquireNamedLease(store.db, 'mailbox.scan:m1', 'a', 1000, 1000)).toBe(true);
    expect(await acquireNamedLease(store.db, 'mailbox.scan:m1', 'b', 1000, 1500)).toBe(false);
    expect(await acquireNamedLease(store.db, 'mailbox.scan:m1', 'a', 1500, 1500)).toBe(true); // renewed by its owner
    expect(await acquireNamedLease(store.db, 'mailbox.scan:m1', 'b', 1000, 3000)).toBe(true); // expired: taken over
    await releaseNamedLease(store.db, 'mailbox.scan:m1', 'a'); // not a's any more: no effect
    expect(await acquireNamedLease(store.db, 'mailbox.scan:m1', 'c', 1500, 3500)).toBe(false);
    await releaseNamedLease(store.db, 'mailbox.scan:m1', 'b');
    expect(await acquireNamedLease(store.db, 'mailbox.scan:m1', 'c', 1500, 3500)).toBe(true);
  });

  it('keeps the AC partner snapshot', async () => {
    const s = new SqlAcSnapshotState(store.db, Date.now);
    expect(await s.getPartner('C1')).toBeNull();
    const p = {
      id: 'C1',
      name: 'Acme',
      tier: 'standard' as const,
      status: 'active' as const,
      edi_addresses: [],
      contacts: [],
      created_at: '2024-01-01T00:00:00.000Z',
      updated_at: '2024-01-01T00:00:00.000Z',
    };
    await s.putPartner(p);
    await s.putPartner({ ...p, status: 'inactive' });
    expect(await new SqlAcSnapshotState(store.db, Date.now).getPartner('C1')).toEqual({ ...p, status: 'inactive' });
  });
});
