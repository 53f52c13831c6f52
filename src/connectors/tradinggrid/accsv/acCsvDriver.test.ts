import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFolderTransport } from '../mailbox/localFolderTransport.ts';
import { acValueProblem, parseAcDate, writeAcAcknowledgementCsv, writeAcStatusCsv } from './acCsv.ts';
import { AcCsvDriver, InMemoryAcSnapshotState } from './acCsvDriver.ts';

const FIXTURES = new URL('../../../../test/fixtures/accsv/', import.meta.url);
let dir: string;
let transport: LocalFolderTransport;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gb-accsv-'));
  transport = new LocalFolderTransport({
    inbound: join(dir, 'in'),
    outbound: join(dir, 'out'),
    archive: join(dir, 'archive'),
    quarantine: join(dir, 'q'),
  });
  await transport.ensureFolders();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const drop = (fixture: string, as = fixture) => copyFileSync(new URL(fixture, FIXTURES), join(dir, 'in', as));

describe('ac_csv driver', () => {
  it('emits trading_partner.created for new companies and reports bad rows by line without losing the good ones', async () => {
    const d = new AcCsvDriver(transport, new InMemoryAcSnapshotState());
    drop('companies.csv');
    drop('contacts.csv');
    const r = await d.scanOnce(new Date('2024-03-06T08:00:00Z'));
    if (!r.ok) throw new Error(r.error.detail);
    expect(r.value.events.map((e) => `${e.type}:${e.data.id}:${e.data.status}`)).toEqual([
      'trading_partner.created:C100:active',
      'trading_partner.created:C200:testing',
      'trading_partner.created:C500:inactive',
    ]);
    expect(r.value.events[0]!.data).toMatchObject({
      name: 'Acme Supply',
      tier: 'strategic',
      edi_addresses: [{ qualifier: 'ZZ', id: 'ACMESUPPLY', standard: 'x12' }],
      contacts: [{ name: 'Ana Lopez', email: 'ana@acme.example' }],
      created_at: '2024-01-15T00:00:00.000Z',
    });
    expect(r.value.problems.map((p) => `${p.file}:${p.line}`)).toEqual([
      'companies.csv:4',
      'companies.csv:5',
      'companies.csv:6',
      'contacts.csv:4',
    ]);
    expect(r.value.problems[0]!.message).toBe('dates must be MM/DD/YYYY');
    expect(readdirSync(join(dir, 'in'))).toEqual([]);
  });

  it('emits trading_partner.status_changed against the previous snapshot (Disable Company makes a partner inactive)', async () => {
    const d = new AcCsvDriver(transport, new InMemoryAcSnapshotState());
    drop('companies.csv');
    await d.scanOnce(new Date('2024-03-06T08:00:00Z'));
    drop('companies-next.csv');
    const r = await d.scanOnce(new Date('2024-03-07T08:00:00Z'));
    if (!r.ok) throw new Error(r.error.detail);
    expect(
      r.value.events.map(
        (e) =>
          `${e.type}:${e.data.id}:${'previous_status' in e.data ? `${String(e.data.previous_status)}->` : ''}${e.data.status}`,
      ),
    ).toEqual([
      'trading_partner.status_changed:C100:active->inactive',
      'trading_partner.status_changed:C200:testing->active',
      'trading_partner.created:C600:invited',
    ]);
  });

  it.each([
    ['03/05/2024', '2024-03-05T00:00:00.000Z'],
    ['3/5/2024 14:30', '2024-03-05T14:30:00.000Z'],
    ['2024-03-05', null],
    ['02/30/2024', null],
    ['13/01/2024', null],
  ])('reads the AC date %s as %s', (text, iso) => expect(parseAcDate(text)).toBe(iso));

  it('writes import CSVs that follow AC rules: MM/DD/YYYY, Disable Company, no #, : or line breaks', () => {
    const status = writeAcStatusCsv([
      {
        companyId: 'C100',
        status: 'inactive',
        note: 'Ticket #12: closed\nby ops',
        at: new Date('2024-03-05T10:00:00Z'),
      },
    ]);
    const acks = writeAcAcknowledgementCsv([
      {
        companyId: 'C200',
        noticeTitle: 'Policy: ASN within 2h',
        contact: 'Lars Berg',
        acknowledgedAt: new Date('2024-12-01T00:00:00Z'),
      },
    ]);
    const rows = [...parse(status, { columns: true }), ...parse(acks, { columns: true })] as Record<string, string>[];
    expect(rows[0]).toEqual({
      'Company ID': 'C100',
      Status: 'Inactive',
      'Disable Company': 'Yes',
      Note: 'Ticket No.12 - closed by ops',
      'Last Modified Date': '03/05/2024',
    });
    expect(rows[1]).toMatchObject({ Notice: 'Policy - ASN within 2h', 'Acknowledged Date': '12/01/2024' });
    for (const r of rows) for (const v of Object.values(r)) expect(acValueProblem(v)).toBeNull();
  });

  it('puts import files in the outbound folder', async () => {
    const d = new AcCsvDriver(transport, new InMemoryAcSnapshotState());
    expect(
      (await d.writeImport('status.csv', writeAcStatusCsv([{ companyId: 'C1', status: 'active', at: new Date() }]))).ok,
    ).toBe(true);
    expect(readFileSync(join(dir, 'out', 'status.csv'), 'utf8')).toMatch(/^Company ID,Status,Disable Company/);
  });
});
