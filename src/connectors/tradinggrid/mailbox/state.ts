import type { BusinessReference } from '../edi/businessReference.ts';
import type { AckOutcome } from '../edi/acknowledgments.ts';
import type { PartyId } from '../edi/envelope.ts';
import type { Standard } from '../edi/segment.ts';

export interface FileRef {
  name: string;
  sha256: string;
}

export interface ProcessedFile extends FileRef {
  outcome: 'archived' | 'quarantined' | 'duplicate' | 'sent';
  /** Name in the archive or quarantine folder; null for a removed duplicate. */
  storedAs: string | null;
  processedAt: string;
}

/** A transaction we sent, waiting for (or holding) its functional acknowledgement. */
export interface SentTransaction {
  standard: Standard;
  us: PartyId;
  partner: PartyId;
  interchange: string;
  group: string | null;
  transaction: string;
  setId: string;
  business: BusinessReference | null;
  file: FileRef;
  sentAt: string;
  faDueAt: string;
  fa: 'awaiting' | AckOutcome | 'overdue';
}

export interface OrderLine {
  line: string;
  product: string | null;
  quantity: number | null;
  unitPrice: number | null;
}

/** An 850 (either direction), kept until its 856 arrives and for comparing the 810. */
export interface OrderRecord {
  partner: PartyId;
  poNumber: string;
  lines: OrderLine[];
  receivedAt: string;
  asnDueAt: string;
  asnSeen: boolean;
  asnMissingReported: boolean;
  ref: {
    standard: Standard;
    sender: PartyId;
    receiver: PartyId;
    interchange: string;
    group: string | null;
    transaction: string;
  };
  file: FileRef;
}

export interface ShipmentLine {
  product: string | null;
  quantity: number;
}

/**
 * What the mailbox driver remembers between scans. Async so that the SQL store can back it; every
 * method is one small operation (the SQL version maps each to one statement).
 */
export interface MailboxState {
  getProcessed(name: string, sha256: string): Promise<ProcessedFile | null>;
  findProcessed(by: { sha256?: string; name?: string }): Promise<ProcessedFile | null>;
  /** Returns false when the (name, sha256) pair was already recorded. */
  markProcessed(file: ProcessedFile): Promise<boolean>;

  recordSent(txs: SentTransaction[]): Promise<void>;
  /**
   * Sent transactions from `us` (to `partner`, when given) matching the control numbers given (absent = any).
   * A sender's control numbers are unique per receiver in many translators, so the partner is part of a sent
   * transaction's identity: two partners' 850s may both be group 1001.
   */
  findSent(q: {
    us: PartyId;
    partner?: PartyId;
    interchange?: string;
    group?: string;
    transaction?: string;
    businessValue?: string;
  }): Promise<SentTransaction[]>;
  setFa(tx: SentTransaction, fa: SentTransaction['fa']): Promise<void>;
  /** Still awaiting an FA with the due time passed. */
  listFaOverdue(now: Date): Promise<SentTransaction[]>;

  recordOrder(order: OrderRecord): Promise<void>;
  getOrder(partner: PartyId, poNumber: string): Promise<OrderRecord | null>;
  markAsnSeen(partner: PartyId, poNumber: string): Promise<void>;
  markAsnMissingReported(partner: PartyId, poNumber: string): Promise<void>;
  listAsnOverdue(now: Date): Promise<OrderRecord[]>;
  /** `source` names the 856 (file hash + control numbers): the same 856 read again adds nothing. */
  addShipment(partner: PartyId, poNumber: string, lines: ShipmentLine[], source?: string): Promise<void>;
  getShipped(partner: PartyId, poNumber: string): Promise<ShipmentLine[]>;

  getLastInboundAt(): Promise<string | null>;
  setLastInboundAt(at: string): Promise<void>;
}

export const partyKey = (p: PartyId): string => `${p.qualifier}:${p.id}`;
const sentKey = (t: SentTransaction) =>
  `${partyKey(t.us)}|${partyKey(t.partner)}|${t.interchange}|${t.group ?? ''}|${t.transaction}`;

/** In-memory MailboxState for tests and the demo. */
export class InMemoryMailboxState implements MailboxState {
  private readonly processed = new Map<string, ProcessedFile>();
  private readonly sent = new Map<string, SentTransaction>();
  private readonly orders = new Map<string, OrderRecord>();
  private readonly shipped = new Map<string, ShipmentLine[]>();
  private readonly shipmentSources = new Set<string>();
  private lastInboundAt: string | null = null;

  async getProcessed(name: string, sha256: string) {
    return this.processed.get(`${name}|${sha256}`) ?? null;
  }
  async findProcessed(by: { sha256?: string; name?: string }) {
    for (const f of [...this.processed.values()].reverse())
      if ((by.sha256 === undefined || f.sha256 === by.sha256) && (by.name === undefined || f.name === by.name))
        return f;
    return null;
  }
  async markProcessed(file: ProcessedFile) {
    const key = `${file.name}|${file.sha256}`;
    if (this.processed.has(key)) return false;
    this.processed.set(key, { ...file });
    return true;
  }
  async recordSent(txs: SentTransaction[]) {
    for (const t of txs) if (!this.sent.has(sentKey(t))) this.sent.set(sentKey(t), { ...t });
  }
  async findSent(q: {
    us: PartyId;
    partner?: PartyId;
    interchange?: string;
    group?: string;
    transaction?: string;
    businessValue?: string;
  }) {
    return [...this.sent.values()]
      .filter(
        (t) =>
          partyKey(t.us) === partyKey(q.us) &&
          (q.partner === undefined || partyKey(t.partner) === partyKey(q.partner)) &&
          (q.interchange === undefined || t.interchange === q.interchange) &&
          (q.group === undefined || t.group === q.group) &&
          (q.transaction === undefined || t.transaction === q.transaction) &&
          (q.businessValue === undefined || t.business?.value === q.businessValue),
      )
      .map((t) => ({ ...t }));
  }
  async setFa(tx: SentTransaction, fa: SentTransaction['fa']) {
    const t = this.sent.get(sentKey(tx));
    if (t) t.fa = fa;
  }
  async listFaOverdue(now: Date) {
    return [...this.sent.values()]
      .filter((t) => t.fa === 'awaiting' && Date.parse(t.faDueAt) <= now.getTime())
      .map((t) => ({ ...t }));
  }
  private orderKey(p: PartyId, po: string) {
    return `${partyKey(p)}|${po}`;
  }
  async recordOrder(o: OrderRecord) {
    const k = this.orderKey(o.partner, o.poNumber);
    if (!this.orders.has(k)) this.orders.set(k, structuredClone(o));
  }
  async getOrder(p: PartyId, po: string) {
    const o = this.orders.get(this.orderKey(p, po));
    return o ? structuredClone(o) : null;
  }
  async markAsnSeen(p: PartyId, po: string) {
    const o = this.orders.get(this.orderKey(p, po));
    if (o) o.asnSeen = true;
  }
  async markAsnMissingReported(p: PartyId, po: string) {
    const o = this.orders.get(this.orderKey(p, po));
    if (o) o.asnMissingReported = true;
  }
  async listAsnOverdue(now: Date) {
    return [...this.orders.values()]
      .filter((o) => !o.asnSeen && !o.asnMissingReported && Date.parse(o.asnDueAt) <= now.getTime())
      .map((o) => structuredClone(o));
  }
  async addShipment(p: PartyId, po: string, lines: ShipmentLine[], source?: string) {
    const k = this.orderKey(p, po);
    if (source !== undefined) {
      if (this.shipmentSources.has(`${k}|${source}`)) return;
      this.shipmentSources.add(`${k}|${source}`);
    }
    this.shipped.set(k, [...(this.shipped.get(k) ?? []), ...lines]);
  }
  async getShipped(p: PartyId, po: string) {
    return [...(this.shipped.get(this.orderKey(p, po)) ?? [])];
  }
  async getLastInboundAt() {
    return this.lastInboundAt;
  }
  async setLastInboundAt(at: string) {
    this.lastInboundAt = at;
  }
}
