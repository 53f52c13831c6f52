import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { PartyId } from '../../connectors/tradinggrid/edi/envelope.ts';
import {
  partyKey,
  type MailboxState,
  type OrderRecord,
  type ProcessedFile,
  type SentTransaction,
  type ShipmentLine,
} from '../../connectors/tradinggrid/mailbox/state.ts';
import type { AcSnapshotState } from '../../connectors/tradinggrid/accsv/acCsvDriver.ts';
import type { TradingPartner } from '../../connectors/tradinggrid/events.ts';
import {
  findProcessedFile,
  getProcessedFile,
  markFileProcessed,
  type ProcessedFileRow,
} from '../../store/ops/mailboxFiles.ts';
import {
  findSentTransactions,
  listFaOverdue,
  recordSentTransactions,
  setSentFa,
  type SentTransactionRow,
} from '../../store/ops/mailboxSent.ts';
import {
  getOrder,
  listAsnOverdue,
  markAsnMissingReported,
  markAsnSeen,
  recordOrder,
  type OrderRow,
} from '../../store/ops/mailboxOrders.ts';
import { addShipment, getShipped } from '../../store/ops/mailboxShipments.ts';
import { getMailboxLastInbound, setMailboxLastInbound } from '../../store/ops/mailboxLastInbound.ts';
import { getAcPartner, putAcPartner } from '../../store/ops/acPartnerSnapshot.ts';

const toFile = (r: ProcessedFileRow): ProcessedFile => ({
  name: r.name,
  sha256: r.sha256,
  outcome: r.outcome as ProcessedFile['outcome'],
  storedAs: r.stored_as,
  processedAt: new Date(Number(r.processed_at)).toISOString(),
});
const toSent = (r: SentTransactionRow): SentTransaction => ({
  ...(JSON.parse(r.data) as SentTransaction),
  fa: r.fa as SentTransaction['fa'],
});
const toOrder = (r: OrderRow): OrderRecord => ({
  ...(JSON.parse(r.data) as OrderRecord),
  asnSeen: Number(r.asn_seen) === 1,
  asnMissingReported: Number(r.asn_missing_reported) === 1,
});
const sentKey = (t: SentTransaction) => ({
  usKey: partyKey(t.us),
  partnerKey: partyKey(t.partner),
  interchange: t.interchange,
  group: t.group ?? '',
  transaction: t.transaction,
});

/** MailboxState in the store (SQLite or PostgreSQL): each method is one store op, so state survives restarts. */
export class SqlMailboxState implements MailboxState {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly mailbox: string,
    private readonly now: () => number,
  ) {}

  async getProcessed(name: string, sha256: string) {
    const r = await getProcessedFile(this.db, this.mailbox, name, sha256);
    return r ? toFile(r) : null;
  }
  async findProcessed(by: { sha256?: string; name?: string }) {
    const r = await findProcessedFile(this.db, this.mailbox, by);
    return r ? toFile(r) : null;
  }
  markProcessed(f: ProcessedFile) {
    return markFileProcessed(this.db, {
      mailbox: this.mailbox,
      name: f.name,
      sha256: f.sha256,
      outcome: f.outcome,
      stored_as: f.storedAs,
      processed_at: Date.parse(f.processedAt),
    });
  }

  recordSent(txs: SentTransaction[]) {
    return recordSentTransactions(
      this.db,
      txs.map((t) => ({
        mailbox: this.mailbox,
        us_key: partyKey(t.us),
        interchange: t.interchange,
        group_control: t.group ?? '',
        transaction_control: t.transaction,
        partner_key: partyKey(t.partner),
        business_value: t.business?.value ?? null,
        fa: t.fa,
        fa_due_at: Date.parse(t.faDueAt),
        sent_at: Date.parse(t.sentAt),
        data: JSON.stringify(t),
      })),
    );
  }
  async findSent(q: {
    us: PartyId;
    partner?: PartyId;
    interchange?: string;
    group?: string;
    transaction?: string;
    businessValue?: string;
  }) {
    const { us, partner, ...rest } = q;
    return (
      await findSentTransactions(this.db, this.mailbox, {
        usKey: partyKey(us),
        ...(partner ? { partnerKey: partyKey(partner) } : {}),
        ...rest,
      })
    ).map(toSent);
  }
  setFa(tx: SentTransaction, fa: SentTransaction['fa']) {
    return setSentFa(this.db, this.mailbox, sentKey(tx), fa, JSON.stringify({ ...tx, fa }));
  }
  async listFaOverdue(now: Date) {
    return (await listFaOverdue(this.db, this.mailbox, now.getTime())).map(toSent);
  }

  recordOrder(o: OrderRecord) {
    return recordOrder(this.db, {
      mailbox: this.mailbox,
      partner_key: partyKey(o.partner),
      po_number: o.poNumber,
      asn_seen: o.asnSeen ? 1 : 0,
      asn_missing_reported: o.asnMissingReported ? 1 : 0,
      asn_due_at: Date.parse(o.asnDueAt),
      received_at: Date.parse(o.receivedAt),
      data: JSON.stringify(o),
    });
  }
  async getOrder(partner: PartyId, po: string) {
    const r = await getOrder(this.db, this.mailbox, partyKey(partner), po);
    return r ? toOrder(r) : null;
  }
  markAsnSeen(partner: PartyId, po: string) {
    return markAsnSeen(this.db, this.mailbox, partyKey(partner), po);
  }
  markAsnMissingReported(partner: PartyId, po: string) {
    return markAsnMissingReported(this.db, this.mailbox, partyKey(partner), po);
  }
  async listAsnOverdue(now: Date) {
    return (await listAsnOverdue(this.db, this.mailbox, now.getTime())).map(toOrder);
  }
  addShipment(partner: PartyId, po: string, lines: ShipmentLine[], source?: string) {
    // Without a source every call is a new shipment (as the in-memory state does).
    return addShipment(
      this.db,
      this.mailbox,
      partyKey(partner),
      po,
      source ?? `anon:${randomUUID()}`,
      lines,
      this.now(),
    );
  }
  getShipped(partner: PartyId, po: string) {
    return getShipped<ShipmentLine>(this.db, this.mailbox, partyKey(partner), po);
  }

  getLastInboundAt() {
    return getMailboxLastInbound(this.db, this.mailbox);
  }
  setLastInboundAt(at: string) {
    return setMailboxLastInbound(this.db, this.mailbox, at, this.now());
  }
}

/** The AC partner snapshot in the store. */
export class SqlAcSnapshotState implements AcSnapshotState {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number,
  ) {}
  async getPartner(id: string) {
    const data = await getAcPartner(this.db, id);
    return data === null ? null : (JSON.parse(data) as TradingPartner);
  }
  putPartner(p: TradingPartner) {
    return putAcPartner(this.db, p.id, p.status, JSON.stringify(p), this.now());
  }
}
