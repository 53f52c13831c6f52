import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { err, ok, type Result } from '../../../core/result.ts';
import type { TradingPartner } from '../events.ts';
import type { MailboxTransport } from '../mailbox/transport.ts';
import { attachContacts, parseAcCompanies, type AcRowProblem } from './acCsv.ts';

/** Events shaped like the community contract's: `{id, type, occurred_at, data:{...partner}}`. */
export type AcPartnerEvent =
  | { id: string; type: 'trading_partner.created'; occurred_at: string; data: TradingPartner }
  | {
      id: string;
      type: 'trading_partner.status_changed';
      occurred_at: string;
      data: TradingPartner & { previous_status: TradingPartner['status'] };
    };

/** The previous snapshot of partners, by AC Company ID. The SQL store will back it. */
export interface AcSnapshotState {
  getPartner(id: string): Promise<TradingPartner | null>;
  putPartner(p: TradingPartner): Promise<void>;
}

export class InMemoryAcSnapshotState implements AcSnapshotState {
  private readonly partners = new Map<string, TradingPartner>();
  async getPartner(id: string) {
    const p = this.partners.get(id);
    return p ? structuredClone(p) : null;
  }
  async putPartner(p: TradingPartner) {
    this.partners.set(p.id, structuredClone(p));
  }
}

export interface AcScanResult {
  events: AcPartnerEvent[];
  problems: AcRowProblem[];
  files: string[];
}

/**
 * The `ac_csv` driver: reads AC company/contact exports dropped in the inbound folder (local or SFTP,
 * through a MailboxTransport), diffs them with the previous snapshot and emits partner events.
 * Company files are recognised by "compan" in their name, contact files by "contact".
 */
export class AcCsvDriver {
  readonly driver = 'ac_csv' as const;
  constructor(
    private readonly transport: MailboxTransport,
    private readonly state: AcSnapshotState,
    private readonly opts: {
      /**
       * Called with the events and row problems of a scan before the snapshot is updated and the files are
       * archived: make them durable here. A crash in between gives the same events (same ids) again.
       */
      deliver?: (result: { events: AcPartnerEvent[]; problems: AcRowProblem[] }) => Promise<void>;
    } = {},
  ) {}

  private async read(name: string): Promise<Result<Buffer>> {
    const s = await this.transport.openInbound(name);
    if (!s.ok) return s;
    try {
      return ok(await buffer(s.value));
    } catch (e) {
      return err({ code: 'ac_csv:read_failed', retryable: true, detail: `reading ${name}: ${(e as Error).message}` });
    }
  }

  async scanOnce(now: Date): Promise<Result<AcScanResult>> {
    const listed = await this.transport.listInbound();
    if (!listed.ok) return listed;
    const csvs = listed.value.filter((f) => f.name.toLowerCase().endsWith('.csv'));
    const companies = csvs.filter((f) => /compan/i.test(f.name));
    const contacts = csvs.filter((f) => /contact/i.test(f.name));
    if (companies.length === 0) return ok({ events: [], problems: [], files: [] });
    const partners: TradingPartner[] = [];
    const problems: AcRowProblem[] = [];
    const files: { name: string; sha: string }[] = [];
    for (const f of [...companies, ...contacts]) {
      const data = await this.read(f.name);
      if (!data.ok) return data;
      files.push({ name: f.name, sha: createHash('sha256').update(data.value).digest('hex') });
      if (companies.includes(f)) {
        const r = parseAcCompanies(f.name, data.value);
        partners.push(...r.partners);
        problems.push(...r.problems);
      } else problems.push(...attachContacts(f.name, data.value, partners));
    }
    const events: AcPartnerEvent[] = [];
    const at = now.toISOString();
    // A company listed twice compares with its previous row, as if the rows had been applied one by one.
    const seen = new Map<string, TradingPartner>();
    for (const p of partners) {
      const before = seen.has(p.id) ? seen.get(p.id)! : await this.state.getPartner(p.id);
      if (before === null)
        events.push({ id: `ac_csv:${p.id}:created`, type: 'trading_partner.created', occurred_at: at, data: p });
      else if (before.status !== p.status)
        events.push({
          id: `ac_csv:${p.id}:status:${before.status}->${p.status}:${p.updated_at}`,
          type: 'trading_partner.status_changed',
          occurred_at: at,
          data: { ...p, previous_status: before.status },
        });
      seen.set(p.id, p);
    }
    await this.opts.deliver?.({ events, problems });
    for (const p of seen.values()) await this.state.putPartner(p);
    for (const f of files) {
      const a = await this.transport.archive(f.name, `${f.sha.slice(0, 12)}_${f.name}`);
      if (!a.ok) return a;
    }
    return ok({ events, problems, files: files.map((f) => f.name) });
  }

  /** Writes an import CSV (status or acknowledgement, from acCsv.ts writers) to the outbound folder. */
  writeImport(name: string, csv: string): Promise<Result<void>> {
    return this.transport.writeOutbound(name, Buffer.from(csv, 'utf8'));
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
