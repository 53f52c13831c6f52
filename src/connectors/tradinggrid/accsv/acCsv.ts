import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { PartnerStatus, PartnerTier, TradingPartner } from '../events.ts';

/** A row that could not be used: its 1-based line in the file and why. The good rows are kept. */
export interface AcRowProblem {
  file: string;
  line: number;
  message: string;
}

const STATUSES: Record<string, PartnerStatus> = {
  invited: 'invited',
  registering: 'registering',
  testing: 'testing',
  active: 'active',
  inactive: 'inactive',
  disabled: 'inactive',
};
const TIERS: Record<string, PartnerTier> = { strategic: 'strategic', preferred: 'preferred', standard: 'standard' };
const YES = new Set(['yes', 'y', 'true', '1', 'x']);

/** AC dates are MM/DD/YYYY (optionally followed by a time); returns ISO or null when not such a date. */
export function parseAcDate(text: string): string | null {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) return null;
  const [, mm, dd, yyyy, h = '0', min = '0', s = '0'] = m;
  const d = new Date(Date.UTC(Number(yyyy), Number(mm) - 1, Number(dd), Number(h), Number(min), Number(s)));
  if (d.getUTCMonth() !== Number(mm) - 1 || d.getUTCDate() !== Number(dd)) return null;
  return d.toISOString();
}

export function formatAcDate(d: Date): string {
  return `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${d.getUTCFullYear()}`;
}

/** AC import refuses `#`, `:` and line breaks in values. */
export function acValueProblem(value: string): string | null {
  if (/[\r\n]/.test(value)) return 'contains a line break';
  if (value.includes('#')) return "contains '#'";
  if (value.includes(':')) return "contains ':'";
  return null;
}

function rows(
  file: string,
  csv: string | Buffer,
  problems: AcRowProblem[],
): { line: number; row: Record<string, string> }[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(csv, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      bom: true,
      trim: true,
    });
  } catch (e) {
    problems.push({
      file,
      line: (e as { lines?: number }).lines ?? 1,
      message: `not a CSV file: ${(e as Error).message}`,
    });
    return [];
  }
  return records.map((r) => ({ line: r.info.lines, row: r.record }));
}

/** Parses an Active Community company export into partners (contacts empty; see `attachContacts`). */
export function parseAcCompanies(
  file: string,
  csv: string | Buffer,
): { partners: TradingPartner[]; problems: AcRowProblem[] } {
  const problems: AcRowProblem[] = [];
  const partners: TradingPartner[] = [];
  for (const { line, row } of rows(file, csv, problems)) {
    const bad = (message: string) => problems.push({ file, line, message });
    const id = row['company id'] ?? '';
    const name = row['company name'] ?? '';
    if (!id) {
      bad('Company ID is empty');
      continue;
    }
    if (!name) {
      bad(`Company Name is empty for ${id}`);
      continue;
    }
    const valueIssue = Object.entries(row)
      .map(([k, v]) => [k, acValueProblem(v ?? '')] as const)
      .find(([, p]) => p !== null);
    if (valueIssue) {
      bad(`${valueIssue[0]} ${valueIssue[1]}`);
      continue;
    }
    const statusText = (row['status'] ?? 'active').toLowerCase();
    let status = STATUSES[statusText];
    if (status === undefined) {
      bad(`Status ${JSON.stringify(row['status'])} is not one of Invited, Registering, Testing, Active, Inactive`);
      continue;
    }
    if (YES.has((row['disable company'] ?? '').toLowerCase())) status = 'inactive';
    const tier = TIERS[(row['tier'] ?? 'standard').toLowerCase() || 'standard'];
    if (tier === undefined) {
      bad(`Tier ${JSON.stringify(row['tier'])} is not one of Strategic, Preferred, Standard`);
      continue;
    }
    const created = row['created date'] ? parseAcDate(row['created date']) : null;
    const modified = row['last modified date'] ? parseAcDate(row['last modified date']) : created;
    if ((row['created date'] && created === null) || (row['last modified date'] && modified === null)) {
      bad('dates must be MM/DD/YYYY');
      continue;
    }
    const ediId = row['edi id'] ?? '';
    partners.push({
      id,
      name,
      tier,
      status,
      edi_addresses: ediId
        ? [{ qualifier: row['edi qualifier'] ?? '', id: ediId, standard: (row['edi standard'] ?? 'x12').toLowerCase() }]
        : [],
      contacts: [],
      created_at: created ?? modified ?? '1970-01-01T00:00:00.000Z',
      updated_at: modified ?? created ?? '1970-01-01T00:00:00.000Z',
    });
  }
  return { partners, problems };
}

/** Adds the rows of an AC contact export to the partners they name (by Company ID). */
export function attachContacts(file: string, csv: string | Buffer, partners: TradingPartner[]): AcRowProblem[] {
  const problems: AcRowProblem[] = [];
  const byId = new Map(partners.map((p) => [p.id, p]));
  for (const { line, row } of rows(file, csv, problems)) {
    const partner = byId.get(row['company id'] ?? '');
    const name = `${row['first name'] ?? ''} ${row['last name'] ?? ''}`.trim();
    if (!partner)
      problems.push({
        file,
        line,
        message: `Company ID ${JSON.stringify(row['company id'] ?? '')} is not in the company export`,
      });
    else if (!name) problems.push({ file, line, message: 'contact has no name' });
    else
      partner.contacts.push({
        name,
        ...(row['email'] ? { email: row['email'] } : {}),
        ...(row['phone'] ? { phone: row['phone'] } : {}),
        ...(row['role'] ? { role: row['role'] } : {}),
      });
  }
  return problems;
}

/** Makes a value acceptable to AC import: line breaks become spaces, `#` becomes `No.`, `:` becomes ` -`. */
export function acSafe(value: string): string {
  return value
    .replace(/\r?\n|\r/g, ' ')
    .replace(/#/g, 'No.')
    .replace(/:/g, ' -');
}

export interface AcStatusRow {
  companyId: string;
  status: PartnerStatus;
  note?: string;
  at: Date;
}
export interface AcAcknowledgementRow {
  companyId: string;
  noticeTitle: string;
  contact: string;
  acknowledgedAt: Date;
}

/** Company status CSV for AC import (`Disable Company` set for inactive partners). */
export function writeAcStatusCsv(rowsIn: AcStatusRow[]): string {
  return stringify(
    rowsIn.map((r) => [
      acSafe(r.companyId),
      r.status[0]!.toUpperCase() + r.status.slice(1),
      r.status === 'inactive' ? 'Yes' : 'No',
      acSafe(r.note ?? ''),
      formatAcDate(r.at),
    ]),
    {
      header: true,
      columns: ['Company ID', 'Status', 'Disable Company', 'Note', 'Last Modified Date'],
      record_delimiter: 'windows',
    },
  );
}

/** Acknowledgement CSV (flow 8: partners who acknowledged a notice) for AC import. */
export function writeAcAcknowledgementCsv(rowsIn: AcAcknowledgementRow[]): string {
  return stringify(
    rowsIn.map((r) => [acSafe(r.companyId), acSafe(r.noticeTitle), acSafe(r.contact), formatAcDate(r.acknowledgedAt)]),
    { header: true, columns: ['Company ID', 'Notice', 'Contact', 'Acknowledged Date'], record_delimiter: 'windows' },
  );
}
