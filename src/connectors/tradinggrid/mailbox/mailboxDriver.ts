import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { err, ok, type Result } from '../../../core/result.ts';
import { CHANGE_REQUEST_SETS, readChangeRequest } from '../edi/partnerDocuments.ts';
import { ACK_SETS, interpretAck, interpretTa1, validateAck, type AckFinding } from '../edi/acknowledgments.ts';
import type { EdiError, EnvelopeHandler, InterchangeEnvelope, PartyId, TransactionEnvelope } from '../edi/envelope.ts';
import type { ReceivedInterchange } from '../edi/functionalAcks.ts';
import { ReceivedInterchangeCollector } from './receivedInterchanges.ts';
import { readEdi, type ReadEdiOptions } from '../edi/readEdi.ts';
import {
  DOCUMENT_ROLES,
  DOCUMENT_SETS,
  invoiceOf,
  orderOf,
  returnItems,
  SHIPMENT_NOTICE,
  shipmentsOf,
  statusExceptions,
} from './documents.ts';
import { describeOrderAnswer, orderAnswer, textMessage } from './x12Responses.ts';
import {
  describeAckErrors,
  dedupeKeyOf,
  exception,
  refOfSent,
  type MailboxAcknowledgment,
  type MailboxException,
  type MailboxItem,
  type TransactionRef,
} from './exceptions.ts';
import { partyKey, type FileRef, type MailboxState, type SentTransaction } from './state.ts';
import type { MailboxTransport } from './transport.ts';
import { storedName } from './storedName.ts';

export interface PartnerWindows {
  /** Hours a partner has to send its 997/999/CONTRL (default 24). */
  faWindowHours?: number;
  /** FA hours per document type (transaction set or message type, e.g. `810`, `INVOIC`): Trading Grid's FA delinquency rule. */
  faHoursBySet?: Record<string, number>;
  /** Hours between an 850 and its 856 (default 48). */
  asnWindowHours?: number;
}

export interface MailboxDriverOptions {
  transport: MailboxTransport;
  state: MailboxState;
  /** Name of this mailbox, used for `mailbox_inactive` (partner `{qualifier:'mailbox', id: name}`). */
  name?: string;
  /** Our own EDI identities; a transaction sent from one of these counts as ours. */
  ourIds?: PartyId[];
  defaults?: PartnerWindows;
  /** Per partner `qualifier:id`. */
  partners?: Record<string, PartnerWindows>;
  /** Deadline calendar: `(from, hours) → due`. Default: plain hours. Pass the business calendar here. */
  deadline?: (from: Date, hours: number) => Date;
  /** Raise `mailbox_inactive` when no inbound file arrived for this many hours (off when unset). */
  inactiveAfterHours?: number;
  /** Leave files younger than this alone (they may still be uploading). Default 0. */
  settleMs?: number;
  /** Unit price difference tolerated between 810 and 850 (default 0.005). */
  priceTolerance?: number;
  /**
   * Called with a file's items before the file is moved and marked processed, and with the items time made
   * due (file null) before they are marked reported: make them durable here (e.g. the engine's inbox). A crash
   * in between re-delivers the same items with the same dedupeKeys.
   */
  deliver?: (items: MailboxItem[], file: FileRef | null) => Promise<void>;
  /** Character set of X12 text (no X12 header says it; default utf8 with a latin1 fallback). EDIFACT follows UNB. */
  x12Encoding?: 'utf8' | 'latin1';
  /** Files larger than this are quarantined unread, with a content_error case (default 512 MiB). */
  maxBytes?: number;
  /** Files up to this size are read once and held in memory; larger ones are checked, then read again streaming (default 16 MiB). */
  singlePassBytes?: number;
  /** Accept, with a warning, a file whose complete last trailer lacks only its final segment terminator. */
  acceptMissingFinalTerminator?: boolean;
  /**
   * Test interchanges (ISA15 T or I, UNB 0035 = 1): `ignore` (default) reads nothing from them; `mark` derives
   * what needs no production state (rejections, 214, 180) as items marked `test`. Either way they never touch
   * what production traffic is matched against (FA waits, orders, shipments).
   */
  testInterchanges?: 'ignore' | 'mark';
  /**
   * Functional acknowledgements, when the bridge is the receiving endpoint: `wants` says which senders get one
   * (from the partner's config); `deliver` receives, before the file is archived or quarantined, each interchange
   * of the file addressed to one of our ids by such a sender, accepted, or rejected when the file does not parse
   * (only where its header could be read). Make them durable there: a crash re-delivers the same interchanges.
   */
  acknowledge?: {
    wants(sender: PartyId): boolean;
    deliver(interchanges: ReceivedInterchange[], file: FileRef): Promise<void>;
  };
  logger?: Logger;
}

export interface FileOutcome extends FileRef {
  outcome: 'archived' | 'quarantined' | 'duplicate' | 'skipped' | 'failed';
  detail?: string;
}

export interface ScanResult {
  items: MailboxItem[];
  files: FileOutcome[];
}

const plainHours = (from: Date, hours: number) => new Date(from.getTime() + hours * 3_600_000);
const FA_KINDS = new Set(['TA1', '997', '999', 'CONTRL']);

/** What one read of a file established. */
interface FileCheck {
  sha256: string;
  bytes: number;
  errors: EdiError[];
  warnings: EdiError[];
}

/** A TA1 or a transaction, in file order, handed from the reader to the derivation. */
type Entry = { ta1: { ic: InterchangeEnvelope; finding: AckFinding } } | { tx: TransactionEnvelope };

/** Default mailbox.max_bytes: larger files are quarantined unread. */
export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
/** Files up to this size are read once and held; larger ones are checked, then read again streaming. */
const SINGLE_PASS_BYTES = 16 * 1024 * 1024;
/** Items a scan result keeps per file (all of them are delivered). */
const MAX_RESULT_ITEMS = 10_000;
const NO_REF: TransactionRef = {
  standard: null,
  sender: null,
  receiver: null,
  interchange: null,
  group: null,
  transaction: null,
  business: null,
};

/**
 * The `mailbox` Trading Grid driver: polls an inbound folder (SFTP or local), parses each new file once
 * (name + SHA-256), correlates acknowledgements with what we sent, derives exceptions, archives or
 * quarantines the file. `send` writes outbound files and records them for FA tracking.
 */
export class MailboxDriver {
  readonly driver = 'mailbox' as const;
  private readonly deadline: (from: Date, hours: number) => Date;
  private readonly ours: Set<string>;
  private readonly readOptions: ReadEdiOptions;

  constructor(private readonly opts: MailboxDriverOptions) {
    this.deadline = opts.deadline ?? plainHours;
    this.ours = new Set((opts.ourIds ?? []).map(partyKey));
    this.readOptions = {
      ...(opts.x12Encoding ? { x12Encoding: opts.x12Encoding } : {}),
      ...(opts.acceptMissingFinalTerminator ? { acceptMissingFinalTerminator: true } : {}),
    };
  }

  private windows(partner: PartyId): { faWindowHours: number; asnWindowHours: number } {
    const p = this.opts.partners?.[partyKey(partner)] ?? {};
    return {
      faWindowHours: p.faWindowHours ?? this.opts.defaults?.faWindowHours ?? 24,
      asnWindowHours: p.asnWindowHours ?? this.opts.defaults?.asnWindowHours ?? 48,
    };
  }

  /** Hours to FA delinquency for one document type to one partner: partner and type, partner, type, default. */
  private faHours(partner: PartyId, setId: string): number {
    const p = this.opts.partners?.[partyKey(partner)] ?? {};
    const d = this.opts.defaults ?? {};
    return p.faHoursBySet?.[setId] ?? p.faWindowHours ?? d.faHoursBySet?.[setId] ?? d.faWindowHours ?? 24;
  }

  /**
   * Reads a file once: SHA-256, size, structural errors (invalid acknowledgements included) and warnings.
   * With a sink, every TA1 and transaction is handed over as it completes (with its segments); without one,
   * nothing is kept, so a file of any size is checked in flat memory.
   */
  private async read(
    stream: Readable,
    expectedSize: number | null,
    sink: ((e: Entry) => void) | null,
    afterChunk?: () => Promise<void>,
    observer?: EnvelopeHandler,
  ): Promise<Result<FileCheck>> {
    const hash = createHash('sha256');
    const invalid: EdiError[] = [];
    let bytes = 0;
    stream.on('data', (c: Buffer) => {
      hash.update(c);
      bytes += c.length;
    });
    try {
      const summary = await readEdi(
        stream,
        {
          keepSegments: (set) => ACK_SETS.has(set) || (sink !== null && DOCUMENT_SETS.has(set)),
          ...(observer?.onInterchange ? { onInterchange: (ic) => observer.onInterchange?.(ic) } : {}),
          ...(observer?.onGroup ? { onGroup: (ic, g) => observer.onGroup?.(ic, g) } : {}),
          onTransaction: (tx) => {
            // An acknowledgement that breaks its own rules is not believed: the file goes to quarantine like a broken one.
            if (ACK_SETS.has(tx.set_id)) invalid.push(...validateAck(tx));
            observer?.onTransaction?.(tx);
            sink?.({ tx });
          },
          onInterchangeSegment: (ic, seg) => {
            observer?.onInterchangeSegment?.(ic, seg);
            if (seg.tag === 'TA1') sink?.({ ta1: { ic, finding: interpretTa1(seg) } });
          },
        },
        { ...this.readOptions, ...(afterChunk ? { afterChunk } : {}) },
      );
      // A stream that ended early without an error is a broken transfer, not a broken file.
      if (expectedSize !== null && bytes < expectedSize)
        return err({ code: 'mailbox:short_read', retryable: true, detail: `read ${bytes} of ${expectedSize} bytes` });
      return ok({
        sha256: hash.digest('hex'),
        bytes,
        errors: [...summary.errors, ...invalid],
        warnings: summary.warnings,
      });
    } catch (e) {
      stream.destroy();
      return err({
        code: 'mailbox:read_failed',
        retryable: true,
        detail: `reading failed mid-transfer: ${(e as Error).message}`,
      });
    }
  }

  /** Processes every new inbound file once, then raises what is overdue at `now`. */
  async scanOnce(now: Date): Promise<Result<ScanResult>> {
    const listed = await this.opts.transport.listInbound();
    if (!listed.ok) return listed;
    const items: MailboxItem[] = [];
    const files: FileOutcome[] = [];
    for (const f of listed.value) {
      if (now.getTime() - f.modifiedAt.getTime() < (this.opts.settleMs ?? 0)) {
        files.push({ name: f.name, sha256: '', outcome: 'skipped', detail: 'still settling' });
        continue;
      }
      const r = await this.processFile(f.name, f.size, f.modifiedAt, now);
      if (!r.ok) {
        this.opts.logger?.warn({ file: f.name, error: r.error }, 'mailbox file not processed; will retry');
        files.push({ name: f.name, sha256: '', outcome: 'failed', detail: r.error.detail });
        continue;
      }
      items.push(...r.value.items);
      files.push(r.value.outcome);
    }
    if (
      listed.value.some((f) =>
        files.find((o) => o.name === f.name && o.outcome !== 'skipped' && o.outcome !== 'failed'),
      )
    )
      await this.opts.state.setLastInboundAt(now.toISOString());
    items.push(...(await this.sweep(now)));
    return ok({ items, files });
  }

  private async processFile(
    name: string,
    size: number,
    modifiedAt: Date,
    now: Date,
  ): Promise<Result<{ items: MailboxItem[]; outcome: FileOutcome }>> {
    const { transport, state } = this.opts;
    const at = now.toISOString();
    const maxBytes = this.opts.maxBytes ?? DEFAULT_MAX_BYTES;
    if (size > maxBytes) return this.quarantineOversize(name, size, modifiedAt, maxBytes, at);
    // Small files are read once and their transactions held; bigger ones are checked first keeping nothing,
    // then read again handing each chunk's transactions over as they come: memory stays flat either way.
    const small = size <= (this.opts.singlePassBytes ?? SINGLE_PASS_BYTES);
    const held: Entry[] = [];
    const opened = await transport.openInbound(name);
    if (!opened.ok) return opened;
    const collector = this.opts.acknowledge ? new ReceivedInterchangeCollector() : undefined;
    const checked = await this.read(opened.value, size, small ? (e) => held.push(e) : null, undefined, collector);
    if (!checked.ok) return checked;
    const file: FileRef = { name, sha256: checked.value.sha256 };
    if ((await state.getProcessed(name, file.sha256)) !== null) {
      const removed = await transport.removeInbound(name);
      if (!removed.ok) return removed;
      return ok({ items: [], outcome: { ...file, outcome: 'duplicate' } });
    }
    const stored = storedName(file.sha256.slice(0, 12), name);
    if (checked.value.errors.length > 0) {
      const report = [
        `${name}: does not parse as EDI (sha256 ${file.sha256}, ${checked.value.bytes} bytes)`,
        ...checked.value.errors.map((e) => `byte ${e.position ?? '?'}, segment ${e.segment ?? '?'}: ${e.message}`),
      ].join('\n');
      const first = checked.value.errors[0]!;
      const item = exception(
        'content_error',
        this.mailboxParty(),
        NO_REF,
        `file ${name} quarantined: byte ${first.position ?? '?'}, segment ${first.segment ?? '?'}: ${first.message}`,
        at,
        file,
        file.sha256,
      );
      await this.opts.deliver?.([item], file);
      await this.deliverAcks(collector?.finish(checked.value.errors, checked.value.warnings), file);
      const q = await transport.quarantine(name, stored, `${report}\n`);
      if (!q.ok) return q;
      await state.markProcessed({ ...file, outcome: 'quarantined', storedAs: stored, processedAt: at });
      return ok({ items: [item], outcome: { ...file, outcome: 'quarantined', detail: first.message } });
    }
    for (const w of checked.value.warnings)
      this.opts.logger?.warn(
        { file: name, segment: w.segment, position: w.position },
        `mailbox file accepted with a warning: ${w.message}`,
      );
    const items: MailboxItem[] = [];
    let kept = 0;
    // Items are made durable as they come (before the file is archived); the result keeps the first ones only.
    const take = async (batch: MailboxItem[]) => {
      if (batch.length === 0) return;
      await this.opts.deliver?.(batch, file);
      for (const i of batch) if (kept++ < MAX_RESULT_ITEMS) items.push(i);
    };
    const counter = { ignored: 0 };
    if (small) await take(await this.derive(held, file, now, counter));
    else {
      const pending: Entry[] = [];
      const again = await transport.openInbound(name);
      if (!again.ok) return again;
      const second = await this.read(
        again.value,
        size,
        (e) => pending.push(e),
        async () => {
          const batch = pending.splice(0);
          if (batch.length > 0) await take(await this.derive(batch, file, now, counter));
        },
      );
      if (!second.ok) return second;
      if (second.value.sha256 !== file.sha256)
        return err({
          code: 'mailbox:changed',
          retryable: true,
          detail: `${name} changed while it was read; the next scan reads it again`,
        });
    }
    if (counter.ignored > 0)
      this.opts.logger?.info(
        { file: name, ignored: counter.ignored },
        'test interchanges in the file ignored (mailbox.test_interchanges: ignore)',
      );
    await this.deliverAcks(collector?.finish([], checked.value.warnings), file);
    const a = await transport.archive(name, stored);
    if (!a.ok) return a;
    await state.markProcessed({ ...file, outcome: 'archived', storedAs: stored, processedAt: at });
    return ok({
      items,
      outcome: {
        ...file,
        outcome: 'archived',
        ...(kept > items.length ? { detail: `${kept} items (the first ${items.length} in this result)` } : {}),
      },
    });
  }

  /** A file over mailbox.max_bytes: quarantined with a case, never opened (a partner's mistake must not exhaust the bridge). */
  private async quarantineOversize(
    name: string,
    size: number,
    modifiedAt: Date,
    maxBytes: number,
    at: string,
  ): Promise<Result<{ items: MailboxItem[]; outcome: FileOutcome }>> {
    // Unread, it has no SHA-256: it is known by name, size and time instead.
    const key = `size:${size}:mtime:${modifiedAt.getTime()}`;
    const file: FileRef = { name, sha256: key };
    if ((await this.opts.state.getProcessed(name, key)) !== null)
      return ok({ items: [], outcome: { ...file, outcome: 'duplicate' } });
    const stored = storedName(`oversize-${modifiedAt.getTime()}`, name);
    const detail = `file ${name} is ${size} bytes, over mailbox.max_bytes (${maxBytes}): quarantined unread as ${stored}; ask the partner to split it, or raise max_bytes`;
    // No attachment: the file is the problem, and too big to attach.
    const item = exception('content_error', this.mailboxParty(), NO_REF, detail, at, null, key);
    await this.opts.deliver?.([item], null);
    const q = await this.opts.transport.quarantine(name, stored, `${detail}\n`);
    if (!q.ok) return q;
    await this.opts.state.markProcessed({ ...file, outcome: 'quarantined', storedAs: stored, processedAt: at });
    return ok({ items: [item], outcome: { ...file, outcome: 'quarantined', detail } });
  }

  /** The interchanges to acknowledge: addressed to one of our ids, by a sender configured for acknowledgements. */
  private async deliverAcks(received: ReceivedInterchange[] | undefined, file: FileRef): Promise<void> {
    const a = this.opts.acknowledge;
    if (a === undefined || received === undefined) return;
    const ours = received.filter(
      (r) =>
        (this.ours.size === 0 || this.ours.has(partyKey(r.receiver))) &&
        !this.ours.has(partyKey(r.sender)) &&
        a.wants(r.sender),
    );
    if (ours.length > 0) await a.deliver(ours, file);
  }

  private mailboxParty(): PartyId {
    return { qualifier: 'mailbox', id: this.opts.name ?? 'mailbox' };
  }

  private async derive(
    entries: Entry[],
    file: FileRef,
    now: Date,
    counter: { ignored: number },
  ): Promise<MailboxItem[]> {
    const items: MailboxItem[] = [];
    const at = now.toISOString();
    const mode = this.opts.testInterchanges ?? 'ignore';
    const test = (ic: InterchangeEnvelope) => ic.usage !== 'production';
    for (const e of entries) {
      if ('ta1' in e) {
        const { ic, finding } = e.ta1;
        if (test(ic)) {
          if (mode === 'ignore') counter.ignored++;
          else items.push(...this.testAckItems(ic, [finding], file, at));
        } else items.push(...(await this.correlate(ic, [finding], file, at)));
        continue;
      }
      const tx = e.tx;
      const ic = tx.interchange;
      if (test(ic)) {
        if (mode === 'ignore') counter.ignored++;
        else items.push(...this.testItems(tx, file, at));
        continue;
      }
      const ref: TransactionRef = {
        standard: ic.standard,
        sender: partyKey(ic.sender),
        receiver: partyKey(ic.receiver),
        interchange: ic.control_number,
        group: tx.group.control_number,
        transaction: tx.control_number,
        setId: tx.set_id,
        business: tx.business_reference,
      };
      const partner = this.partnerOf(ic);
      if (ACK_SETS.has(tx.set_id)) items.push(...(await this.correlate(ic, interpretAck(tx), file, at)));
      else if (tx.set_id === '214' || tx.set_id === 'IFTSTA')
        statusExceptions(tx).forEach((x, i) =>
          items.push(
            exception(
              'shipment_status_exception',
              partner,
              ref,
              `${x.label} status ${x.status || '-'} reason ${x.reason} (${x.description})${x.date ? ` at ${x.date}` : ''}`,
              at,
              file,
              String(i),
            ),
          ),
        );
      else if (tx.set_id === '180')
        items.push(
          exception(
            'return_requested',
            partner,
            ref,
            `180 return ${tx.business_reference?.value ?? ''}: ${returnItems(tx).join('; ') || 'no items listed'}`.trim(),
            at,
            file,
          ),
        );
      else if (DOCUMENT_ROLES[tx.set_id] !== undefined)
        items.push(...(await this.trackDocument(tx, ref, partner, file, now)));
      else if (this.ours.has(partyKey(ic.sender))) continue;
      // What a partner answers or writes to us; ours of these (seen leaving) only wait for their FA.
      else if (tx.set_id === '855' || tx.set_id === '865')
        items.push(...(await this.orderAnswerItems(tx, ref, file, at)));
      else if (tx.set_id === '864') items.push(this.textMessageItem(tx, ref, file, at));
      else if (CHANGE_REQUEST_SETS.has(tx.set_id)) {
        // A partner's purchase order change: a flow-6 request, answered by 865 / ORDRSP.
        const request = readChangeRequest(tx);
        if (request !== null)
          items.push({
            type: 'request',
            partner,
            us: ic.receiver,
            setId: tx.set_id,
            transactionRef: ref,
            request,
            occurredAt: at,
            file,
            dedupeKey: dedupeKeyOf('change_request', partner, ref),
          });
      }
    }
    return items;
  }

  /**
   * A partner's 855 (to our 850) or 865 (to our 860) that refuses the order or change, or does not accept every
   * line as asked: one case, naming what we sent that it answers when we have a record of it.
   */
  private async orderAnswerItems(
    tx: TransactionEnvelope,
    ref: TransactionRef,
    file: FileRef,
    at: string,
  ): Promise<MailboxItem[]> {
    const answer = orderAnswer(tx);
    const words = describeOrderAnswer(tx.set_id, answer);
    if (words === null) return [];
    const asked = tx.set_id === '865' ? '860' : '850';
    const sent =
      answer.po === null
        ? []
        : (
            await this.opts.state.findSent({
              us: tx.interchange.receiver,
              partner: tx.interchange.sender,
              businessValue: answer.po,
            })
          ).filter((t) => t.setId === asked);
    const ours = sent.at(-1);
    return [
      exception(
        tx.set_id === '865' ? 'order_change_exception' : 'order_acknowledgment_exception',
        tx.interchange.sender,
        ref,
        `${words}${ours ? ` (answers our ${asked} ${ours.transaction} sent ${ours.sentAt})` : ''}`,
        at,
        file,
      ),
    ];
  }

  /** A partner's 864 text message: a case of its own, found by its MIT reference. */
  private textMessageItem(tx: TransactionEnvelope, ref: TransactionRef, file: FileRef, at: string): MailboxItem {
    const m = textMessage(tx);
    return exception(
      'partner_text_message',
      tx.interchange.sender,
      ref,
      `864 ${m.subject || 'text message'}${m.reference ? ` (${m.reference})` : ''}${m.text ? `: ${m.text}` : ''}`,
      at,
      file,
    );
  }

  /** A test interchange's acknowledgements: a rejection is reported (marked test); nothing we sent is settled by it. */
  private testAckItems(ic: InterchangeEnvelope, findings: AckFinding[], file: FileRef, at: string): MailboxItem[] {
    const out: MailboxItem[] = [];
    const hasTxLevel = findings.some((f) => f.ack.acknowledges.transaction_control_number !== undefined);
    for (const f of findings) {
      if (f.ack.normalized !== 'rejected') continue;
      const a = f.ack.acknowledges;
      if (hasTxLevel && a.transaction_control_number === undefined) continue; // as for production: the most precise answer
      const ref: TransactionRef = {
        standard: ic.standard,
        sender: partyKey(ic.receiver),
        receiver: partyKey(ic.sender),
        interchange: a.interchange_control_number ?? null,
        group: a.group_control_number ?? null,
        transaction: a.transaction_control_number ?? null,
        business: f.reference,
      };
      const errors = describeAckErrors(f.ack);
      const kind = FA_KINDS.has(f.ack.kind) ? 'fa_rejected' : 'application_rejected';
      out.push({
        ...exception(
          kind,
          ic.sender,
          ref,
          `TEST interchange ${ic.control_number}: ${f.ack.kind} rejected ${a.transaction_control_number ?? a.group_control_number ?? a.interchange_control_number ?? ''}${errors ? `: ${errors}` : ''}`,
          at,
          file,
          `test|${f.ack.kind}`,
        ),
        test: true,
      });
    }
    return out;
  }

  /** What a test interchange's transaction says without production state: rejections, 214 AT7, 180. */
  private testItems(tx: TransactionEnvelope, file: FileRef, at: string): MailboxItem[] {
    const ic = tx.interchange;
    if (ACK_SETS.has(tx.set_id)) return this.testAckItems(ic, interpretAck(tx), file, at);
    const ref: TransactionRef = {
      standard: ic.standard,
      sender: partyKey(ic.sender),
      receiver: partyKey(ic.receiver),
      interchange: ic.control_number,
      group: tx.group.control_number,
      transaction: tx.control_number,
      setId: tx.set_id,
      business: tx.business_reference,
    };
    const partner = this.partnerOf(ic);
    if (tx.set_id === '214' || tx.set_id === 'IFTSTA')
      return statusExceptions(tx).map((x, i) => ({
        ...exception(
          'shipment_status_exception',
          partner,
          ref,
          `TEST interchange: ${x.label} status ${x.status || '-'} reason ${x.reason} (${x.description})`,
          at,
          file,
          `test|${i}`,
        ),
        test: true as const,
      }));
    if (tx.set_id === '180')
      return [
        {
          ...exception(
            'return_requested',
            partner,
            ref,
            `TEST interchange: 180 return ${tx.business_reference?.value ?? ''}: ${returnItems(tx).join('; ') || 'no items listed'}`,
            at,
            file,
            'test',
          ),
          test: true,
        },
      ];
    return [];
  }

  /** The other party of an interchange: whichever side is not one of our ids (the sender when unsure). */
  private partnerOf(ic: InterchangeEnvelope): PartyId {
    return this.ours.has(partyKey(ic.sender)) ? ic.receiver : ic.sender;
  }

  private async correlate(
    ic: InterchangeEnvelope,
    findings: AckFinding[],
    file: FileRef,
    at: string,
  ): Promise<MailboxItem[]> {
    const items: MailboxItem[] = [];
    const partner = ic.sender;
    const us = ic.receiver;
    const hasTxLevel = findings.some((f) => f.ack.acknowledges.transaction_control_number !== undefined);
    for (const f of findings) {
      const a = f.ack.acknowledges;
      const sent = await this.opts.state.findSent({
        us,
        partner,
        ...(a.interchange_control_number !== undefined ? { interchange: a.interchange_control_number } : {}),
        ...(a.group_control_number !== undefined ? { group: a.group_control_number } : {}),
        ...(a.transaction_control_number !== undefined ? { transaction: a.transaction_control_number } : {}),
        ...(a.interchange_control_number === undefined &&
        a.group_control_number === undefined &&
        a.transaction_control_number === undefined &&
        f.reference
          ? { businessValue: f.reference.value }
          : {}),
      });
      const isFa = FA_KINDS.has(f.ack.kind);
      const txLevel = a.transaction_control_number !== undefined;
      // "Interchange received" (CONTRL 8) is not the acknowledgement: the FA is still awaited, and may still be overdue.
      if (isFa && f.ack.normalized !== 'received')
        for (const t of sent)
          if (txLevel || !hasTxLevel || t.fa === 'awaiting') await this.opts.state.setFa(t, f.ack.normalized);
      const ackItem: MailboxAcknowledgment = {
        type: 'acknowledgment',
        partner,
        ack: f.ack,
        correlated: sent.map((t) => ({
          interchange: t.interchange,
          group: t.group,
          transaction: t.transaction,
          setId: t.setId,
          business: t.business,
          file: t.file,
        })),
        occurredAt: at,
        file,
        dedupeKey: `ack|${partyKey(partner)}|${f.ack.kind}|${a.interchange_control_number ?? ''}|${a.group_control_number ?? ''}|${a.transaction_control_number ?? ''}|${file.sha256}`,
      };
      items.push(ackItem);
      if (f.ack.normalized !== 'rejected') continue;
      // One case per rejected transaction; a group/interchange rejection only when no transaction-level answer says more.
      if (!txLevel && hasTxLevel) continue;
      const kind = isFa ? 'fa_rejected' : 'application_rejected';
      const ref: TransactionRef =
        sent.length === 1
          ? refOfSent(sent[0]!)
          : {
              standard: ic.standard,
              sender: partyKey(us),
              receiver: partyKey(partner),
              interchange: a.interchange_control_number ?? null,
              group: a.group_control_number ?? null,
              transaction: a.transaction_control_number ?? null,
              business: sent[0]?.business ?? f.reference,
            };
      const errors = describeAckErrors(f.ack);
      const what =
        sent.length > 0
          ? sent
              .map((t) => `${t.setId} ${t.transaction}${t.business ? ` (${t.business.type} ${t.business.value})` : ''}`)
              .join(', ')
          : 'a transaction we have no record of sending';
      items.push(
        exception(
          kind,
          partner,
          ref,
          `${f.ack.kind} rejected ${what}${errors ? `: ${errors}` : ''}`,
          at,
          file,
          f.ack.kind,
        ),
      );
    }
    return items;
  }

  private async trackDocument(
    tx: TransactionEnvelope,
    ref: TransactionRef,
    partner: PartyId,
    file: FileRef,
    now: Date,
  ): Promise<MailboxItem[]> {
    const { state } = this.opts;
    const ic = tx.interchange;
    const role = DOCUMENT_ROLES[tx.set_id];
    if (role === 'order') {
      const order = orderOf(tx);
      if (order !== null)
        await state.recordOrder({
          partner,
          poNumber: order.po,
          lines: order.lines,
          receivedAt: now.toISOString(),
          asnDueAt: this.deadline(now, this.windows(partner).asnWindowHours).toISOString(),
          asnSeen: false,
          asnMissingReported: false,
          ref: {
            standard: ic.standard,
            sender: ic.sender,
            receiver: ic.receiver,
            interchange: ic.control_number,
            group: tx.group.control_number,
            transaction: tx.control_number,
          },
          file,
        });
      return [];
    }
    if (role === 'shipment') {
      for (const [po, lines] of shipmentsOf(tx)) {
        await state.markAsnSeen(partner, po);
        await state.addShipment(
          partner,
          po,
          lines,
          `${file.sha256}|${tx.interchange.control_number}|${tx.group.control_number ?? ''}|${tx.control_number}`,
        );
      }
      return [];
    }
    if (role !== 'invoice') return [];
    // 810 / INVOIC: compare each invoice line with the order (price) and with what was shipped, or else ordered (quantity).
    const invoice = invoiceOf(tx);
    const po = invoice.po;
    if (po === null) return [];
    const order = await state.getOrder(partner, po);
    if (order === null) return [];
    const shipped = await state.getShipped(partner, po);
    const tolerance = this.opts.priceTolerance ?? 0.005;
    const problems: string[] = [];
    for (const line of invoice.lines) {
      const ordered = order.lines.find(
        (l) => (line.product !== null && l.product === line.product) || (line.product === null && l.line === line.line),
      );
      const label = line.product ?? `line ${line.line}`;
      if (ordered === undefined) {
        problems.push(`${label} invoiced but not ordered`);
        continue;
      }
      if (
        line.unitPrice !== null &&
        ordered.unitPrice !== null &&
        Math.abs(line.unitPrice - ordered.unitPrice) > tolerance
      )
        problems.push(`${label} price ${line.unitPrice} invoiced, ${ordered.unitPrice} ordered`);
      const shippedQty = shipped.filter((s) => s.product === ordered.product).reduce((n, s) => n + s.quantity, 0);
      const limit = shipped.length > 0 ? shippedQty : ordered.quantity;
      if (line.quantity !== null && limit !== null && line.quantity > limit)
        problems.push(
          `${label} quantity ${line.quantity} invoiced, ${limit} ${shipped.length > 0 ? 'shipped' : 'ordered'}`,
        );
    }
    if (problems.length === 0) return [];
    return [
      exception(
        'invoice_mismatch',
        partner,
        ref,
        `${tx.set_id} ${tx.business_reference?.value ?? ''} vs PO ${po}: ${problems.join('; ')}`,
        now.toISOString(),
        file,
      ),
    ];
  }

  /** FA overdue, ASN missing, mailbox inactive: what time alone makes due. */
  private async sweep(now: Date): Promise<MailboxException[]> {
    const { state } = this.opts;
    const out: MailboxException[] = [];
    const at = now.toISOString();
    const faOverdue = await state.listFaOverdue(now);
    const asnOverdue = await state.listAsnOverdue(now);
    for (const t of faOverdue) {
      out.push(
        exception(
          'fa_overdue',
          t.partner,
          refOfSent(t),
          `no functional acknowledgement for ${t.setId} ${t.transaction}${t.business ? ` (${t.business.type} ${t.business.value})` : ''} sent ${t.sentAt}, due ${t.faDueAt}`,
          at,
          t.file,
        ),
      );
    }
    for (const o of asnOverdue) {
      const ref: TransactionRef = {
        standard: o.ref.standard,
        sender: partyKey(o.ref.sender),
        receiver: partyKey(o.ref.receiver),
        interchange: o.ref.interchange,
        group: o.ref.group,
        transaction: o.ref.transaction,
        // Order records are made only from 850 / ORDERS.
        setId: o.ref.standard === 'x12' ? '850' : 'ORDERS',
        business: { type: 'purchase_order', value: o.poNumber },
      };
      out.push(
        exception(
          'asn_missing',
          o.partner,
          ref,
          `no ${SHIPMENT_NOTICE[o.ref.standard]} for PO ${o.poNumber} received ${o.receivedAt}, due ${o.asnDueAt}`,
          at,
          o.file,
        ),
      );
    }
    if (this.opts.inactiveAfterHours !== undefined) {
      const last = await state.getLastInboundAt();
      if (last === null) await state.setLastInboundAt(at);
      else if (now.getTime() >= this.deadline(new Date(last), this.opts.inactiveAfterHours).getTime()) {
        const mailbox = { qualifier: 'mailbox', id: this.opts.name ?? 'mailbox' };
        out.push(
          exception(
            'mailbox_inactive',
            mailbox,
            {
              standard: null,
              sender: null,
              receiver: null,
              interchange: null,
              group: null,
              transaction: null,
              business: null,
            },
            `no inbound file since ${last}`,
            at,
            null,
            last,
          ),
        );
      }
    }
    // Durable first, then marked reported: a crash in between raises the same items (same dedupeKeys) again, never none.
    if (out.length > 0) await this.opts.deliver?.(out, null);
    for (const t of faOverdue) await state.setFa(t, 'overdue');
    for (const o of asnOverdue) await state.markAsnMissingReported(o.partner, o.poNumber);
    return out;
  }

  /**
   * Writes a file to the outbound folder, keeps a copy in the archive, and records its transactions awaiting FA.
   * `deliveredElsewhere`: another transport (AS2) delivered it; only the archive copy and the records are made.
   */
  async send(
    name: string,
    data: Buffer,
    now: Date,
    o: { deliveredElsewhere?: boolean } = {},
  ): Promise<Result<{ file: FileRef; transactions: number }>> {
    const { state, transport } = this.opts;
    const transactions: TransactionEnvelope[] = [];
    const summary = await readEdi(
      data,
      { keepSegments: (s) => DOCUMENT_SETS.has(s), onTransaction: (tx) => transactions.push(tx) },
      this.readOptions,
    );
    if (summary.errors.length > 0)
      return err({
        code: 'mailbox:invalid_outbound',
        retryable: false,
        detail: `refusing to send ${name}: ${summary.errors[0]!.message} (byte ${summary.errors[0]!.position})`,
      });
    const file: FileRef = { name, sha256: createHash('sha256').update(data).digest('hex') };
    const stored = storedName(file.sha256.slice(0, 12), name);
    const copy = await transport.writeArchive(stored, data);
    if (!copy.ok) return copy;
    if (!o.deliveredElsewhere) {
      const w = await transport.writeOutbound(name, data);
      if (!w.ok) return w;
    }
    await this.recordOutgoing(transactions, file, now, false);
    await state.markProcessed({ ...file, outcome: 'sent', storedAs: stored, processedAt: now.toISOString() });
    return ok({ file, transactions: transactions.filter((tx) => this.awaitsFa(tx)).length });
  }

  private awaitsFa(tx: TransactionEnvelope): boolean {
    // Acknowledgements are not acknowledged; a test interchange we send waits for no production FA.
    return !(ACK_SETS.has(tx.set_id) && tx.set_id !== '824') && tx.interchange.usage === 'production';
  }

  /**
   * What we sent, as the partner will answer it: each transaction waits for its FA (hours per partner and
   * document type), our orders and shipment notices (850/856, ORDERS/DESADV) join the order/shipment match, and
   * (seen in the customer's sent folder) our invoice (810, INVOIC) is checked against the partner's order and what
   * we shipped, the three-way match the other way round.
   */
  private async recordOutgoing(
    transactions: TransactionEnvelope[],
    file: FileRef,
    now: Date,
    invoices: boolean,
  ): Promise<MailboxItem[]> {
    const at = now.toISOString();
    const sent: SentTransaction[] = [];
    const items: MailboxItem[] = [];
    for (const tx of transactions) {
      if (!this.awaitsFa(tx)) continue;
      const ic = tx.interchange;
      sent.push({
        standard: ic.standard,
        us: ic.sender,
        partner: ic.receiver,
        interchange: ic.control_number,
        group: tx.group.control_number,
        transaction: tx.control_number,
        setId: tx.set_id,
        business: tx.business_reference,
        file,
        sentAt: at,
        faDueAt: this.deadline(now, this.faHours(ic.receiver, tx.set_id)).toISOString(),
        fa: 'awaiting',
      });
      const role = DOCUMENT_ROLES[tx.set_id];
      if (role === 'order' || role === 'shipment' || (invoices && role === 'invoice')) {
        const ref: TransactionRef = {
          standard: ic.standard,
          sender: partyKey(ic.sender),
          receiver: partyKey(ic.receiver),
          interchange: ic.control_number,
          group: tx.group.control_number,
          transaction: tx.control_number,
          setId: tx.set_id,
          business: tx.business_reference,
        };
        items.push(...(await this.trackDocument(tx, ref, ic.receiver, file, now)));
      }
    }
    await this.opts.state.recordSent(sent);
    return items;
  }

  /**
   * Reads what the customer's own translator sent (its outbound or sent-archive folder, given as a transport
   * whose inbound folder is that folder), read-only: every new file once (by name and SHA-256), recorded as if
   * we had sent it. Never moves, renames or deletes a file there unless `consume` is true (then the file is
   * removed once recorded). A file that does not parse is skipped with a warning and remembered, not quarantined:
   * the folder is not ours.
   */
  async observeSent(
    sent: MailboxTransport,
    now: Date,
    consume = false,
  ): Promise<Result<{ files: FileOutcome[]; items: MailboxItem[] }>> {
    const listed = await sent.listInbound();
    if (!listed.ok) return listed;
    const files: FileOutcome[] = [];
    const items: MailboxItem[] = [];
    const maxBytes = this.opts.maxBytes ?? DEFAULT_MAX_BYTES;
    for (const f of listed.value) {
      if (now.getTime() - f.modifiedAt.getTime() < (this.opts.settleMs ?? 0)) continue;
      if (f.size > maxBytes) {
        files.push({
          name: f.name,
          sha256: '',
          outcome: 'skipped',
          detail: `over mailbox.max_bytes (${f.size} bytes): not read`,
        });
        continue;
      }
      const opened = await sent.openInbound(f.name);
      if (!opened.ok) return opened;
      const transactions: TransactionEnvelope[] = [];
      const hash = createHash('sha256');
      opened.value.on('data', (c: Buffer) => hash.update(c));
      let summary;
      try {
        summary = await readEdi(
          opened.value,
          { keepSegments: (s) => DOCUMENT_SETS.has(s), onTransaction: (tx) => transactions.push(tx) },
          this.readOptions,
        );
      } catch (e) {
        opened.value.destroy();
        return err({
          code: 'mailbox:read_failed',
          retryable: true,
          detail: `reading sent file ${f.name} failed: ${(e as Error).message}`,
        });
      }
      const file: FileRef = { name: `sent:${f.name}`, sha256: hash.digest('hex') };
      if ((await this.opts.state.getProcessed(file.name, file.sha256)) !== null) {
        files.push({ ...file, outcome: 'duplicate' });
        continue;
      }
      const at = now.toISOString();
      if (summary.errors.length > 0) {
        this.opts.logger?.warn(
          { file: f.name, error: summary.errors[0] },
          'a file in the sent folder does not parse; it is not counted as sent',
        );
        await this.opts.state.markProcessed({ ...file, outcome: 'quarantined', storedAs: null, processedAt: at });
        files.push({ ...file, outcome: 'skipped', detail: summary.errors[0]!.message });
        continue;
      }
      // The file stays in the customer's folder, not in our archive: nothing of it to attach.
      const found = (await this.recordOutgoing(transactions, file, now, true)).map((i) =>
        i.type === 'exception' ? { ...i, file: null } : i,
      );
      if (found.length > 0) await this.opts.deliver?.(found, null);
      items.push(...found);
      await this.opts.state.markProcessed({ ...file, outcome: 'sent', storedAs: null, processedAt: at });
      if (consume) {
        const removed = await sent.removeInbound(f.name);
        if (!removed.ok) return removed;
      }
      files.push({
        ...file,
        outcome: 'archived',
        detail: consume ? 'recorded and removed (consume)' : 'recorded; left in place',
      });
    }
    return ok({ files, items });
  }

  /** Bytes of a file we processed or sent (archive or quarantine), by SHA-256 and/or name: to attach to a ClickUp task. */
  async openStoredFile(by: { sha256?: string; name?: string }): Promise<Result<Readable>> {
    const f = await this.opts.state.findProcessed(by);
    if (f === null || f.storedAs === null)
      return err({ code: 'mailbox:not_found', retryable: false, detail: `no stored file for ${JSON.stringify(by)}` });
    return f.outcome === 'quarantined'
      ? this.opts.transport.openQuarantined(f.storedAs)
      : this.opts.transport.openArchived(f.storedAs);
  }

  async close(): Promise<void> {
    await this.opts.transport.close();
  }
}
