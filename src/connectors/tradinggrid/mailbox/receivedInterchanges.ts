import type {
  EdiError,
  EnvelopeHandler,
  GroupEnvelope,
  InterchangeEnvelope,
  TransactionEnvelope,
} from '../edi/envelope.ts';
import type { ReceivedGroup, ReceivedInterchange, ReceivedInterchangeError } from '../edi/functionalAcks.ts';
import type { Standard } from '../edi/segment.ts';

/** Acknowledgements are never acknowledged (no 997 for a 997, no CONTRL for a CONTRL, nothing for a TA1). */
const FA_SETS: ReadonlySet<string> = new Set(['997', '999', 'CONTRL']);
/** Transactions listed one by one per interchange; beyond, a group's accepted ones are counted only (AK9). */
const MAX_LISTED = 10_000;

interface Collected {
  ic: InterchangeEnvelope;
  groups: ReceivedGroup[];
  byEnvelope: Map<GroupEnvelope, ReceivedGroup>;
  business: boolean;
  fa: boolean;
  listed: number;
}

/**
 * TA1 note code (X12) or 0085 syntax error and service segment (EDIFACT) for an envelope error as our envelope
 * checker words it (`envelope.ts`; tested against its real messages). An error below the interchange (a
 * transaction or group count) rejects the file as a whole: TA1 024 "invalid interchange content", 0085 by what
 * failed.
 */
export function interchangeErrorOf(standard: Standard, message: string): ReceivedInterchangeError {
  if (standard === 'x12') {
    const note = (() => {
      if (/IEA02/.test(message)) return '001';
      if (/IEA01/.test(message)) return '021';
      if (/ISA13/.test(message)) return '018';
      if (/ISA09/.test(message)) return '014';
      if (/ISA10/.test(message)) return '015';
      if (/ISA15/.test(message)) return '020';
      if (/ISA06 sender/.test(message)) return '006';
      if (/ISA elements/.test(message)) return '022';
      if (/found end of file|truncated|without its segment terminator/.test(message)) return '023';
      return '024';
    })();
    return { code: note };
  }
  const tag = /\b(UNB|UNZ|UNG|UNE|UNH|UNT)\b/.exec(message)?.[1];
  const code = (() => {
    if (/found end of file|truncated|without its segment terminator/.test(message)) return '13';
    if (/0020 .*header's control number|0048 .*group's control number|0062 .*header's control number/.test(message))
      return '28';
    if (/count/.test(message)) return '29';
    if (/UNB date|UNB time/.test(message)) return '12';
    if (/expected UNB .*found nothing|sender \(S002\)/.test(message)) return '13';
    return '18';
  })();
  const where = /found end of file/.test(message) ? (/UNT|UNH/.test(message) ? 'UNT' : 'UNZ') : tag;
  return { code, ...(where ? { tag: where } : {}) };
}

/** A control number and address we can quote back: otherwise no acknowledgement can name what it answers. */
function quotable(ic: InterchangeEnvelope): boolean {
  const control = ic.standard === 'x12' ? /^\d{1,9}$/.test(ic.control_number) : ic.control_number !== '';
  return control && ic.sender.id !== '' && ic.sender.qualifier !== '' && ic.receiver.id !== '';
}

/**
 * Collects, while a file is read, what acknowledging each of its interchanges needs: groups, transactions (the
 * first 10 000 per interchange listed, the rest counted), whether it carries anything but acknowledgements.
 * `finish` places the file's errors in the interchange they occurred in.
 */
export class ReceivedInterchangeCollector implements EnvelopeHandler {
  private readonly list: Collected[] = [];

  onInterchange(ic: InterchangeEnvelope): void {
    this.list.push({ ic, groups: [], byEnvelope: new Map(), business: false, fa: false, listed: 0 });
  }

  onGroup(ic: InterchangeEnvelope, g: GroupEnvelope): void {
    const c = this.list.at(-1);
    if (c === undefined || c.ic !== ic) return;
    const group: ReceivedGroup = {
      functionalId: g.functional_id,
      control: g.control_number,
      version: g.version,
      ...(g.application_sender ? { applicationSender: g.application_sender } : {}),
      ...(g.application_receiver ? { applicationReceiver: g.application_receiver } : {}),
      transactions: [],
    };
    c.byEnvelope.set(g, group);
    c.groups.push(group);
  }

  onInterchangeSegment(ic: InterchangeEnvelope): void {
    const c = this.list.at(-1);
    if (c !== undefined && c.ic === ic) c.fa = true;
  }

  onTransaction(tx: TransactionEnvelope): void {
    const c = this.list.at(-1);
    if (c === undefined || c.ic !== tx.interchange) return;
    if (FA_SETS.has(tx.set_id)) {
      c.fa = true;
      return;
    }
    c.business = true;
    let group = c.byEnvelope.get(tx.group);
    if (group === undefined) {
      // EDIFACT messages outside UNG groups.
      group = { functionalId: null, control: null, version: null, transactions: [] };
      c.byEnvelope.set(tx.group, group);
      c.groups.push(group);
    }
    if (c.listed >= MAX_LISTED) {
      group.unlisted = (group.unlisted ?? 0) + 1;
      return;
    }
    c.listed++;
    group.transactions.push({
      setId: tx.set_id,
      control: tx.control_number,
      ...(tx.convention ? { convention: tx.convention } : {}),
    });
  }

  /**
   * The interchanges to acknowledge. A file without errors: each interchange carrying something other than
   * acknowledgements, accepted (a warning on it is noted: X12 TA1 E 023). A file with errors (quarantined): each
   * interchange an error falls in, rejected with the first error's code, when its header names a control number
   * and a sender and it is not made of acknowledgements; nothing for an interchange whose header was never read.
   */
  finish(errors: readonly EdiError[], warnings: readonly EdiError[]): ReceivedInterchange[] {
    const out: ReceivedInterchange[] = [];
    const rejected = errors.length > 0;
    this.list.forEach((c, i) => {
      if (!quotable(c.ic)) return;
      const next = this.list[i + 1]?.ic.segment ?? Infinity;
      const inside = (e: EdiError) =>
        e.segment === undefined ? i === this.list.length - 1 : e.segment >= c.ic.segment && e.segment < next;
      const ic = c.ic;
      let icErrors: ReceivedInterchangeError[];
      if (rejected) {
        const own = errors.filter(inside);
        if (own.length === 0 || c.fa) return;
        icErrors = [interchangeErrorOf(ic.standard, own[0]!.message)];
      } else {
        if (!c.business) return;
        icErrors =
          ic.standard === 'x12' ? warnings.filter(inside).map(() => ({ code: '023', rejected: false as const })) : [];
      }
      out.push({
        standard: ic.standard,
        control: ic.control_number,
        sender: ic.sender,
        receiver: ic.receiver,
        date: ic.date,
        time: ic.time,
        version: ic.version,
        ackRequested: ic.ack_requested,
        usage: ic.usage,
        groups: rejected ? [] : c.groups,
        errors: icErrors.slice(0, 1),
      });
    });
    return out;
  }
}
