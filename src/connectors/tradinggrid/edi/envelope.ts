import { businessReferenceOf, type BusinessReference } from './businessReference.ts';
import { comp, first, type Delimiters, type Segment, type Standard } from './segment.ts';

export interface PartyId {
  qualifier: string;
  id: string;
}

export type Usage = 'production' | 'test' | 'information';

export interface InterchangeEnvelope {
  standard: Standard;
  control_number: string;
  sender: PartyId;
  receiver: PartyId;
  usage: Usage;
  /** X12 ISA12 / EDIFACT syntax identifier (e.g. UNOC:3). */
  version: string;
  /** The sender asks for an acknowledgement: X12 ISA14 = 1 (a TA1), EDIFACT UNB 0031 = 1 (a CONTRL). */
  ack_requested: boolean;
  /** Interchange date and time as written (ISA09 YYMMDD / UNB 0017, ISA10 / UNB 0019 HHMM): a TA1 quotes them. */
  date: string;
  time: string;
  offset: number;
  segment: number;
  delimiters: Delimiters;
}

export interface GroupEnvelope {
  control_number: string | null;
  functional_id: string | null;
  /** GS02/GS03 application codes or UNG sender/recipient; null for EDIFACT messages without a group. */
  application_sender: string | null;
  application_receiver: string | null;
  version: string | null;
}

export interface TransactionEnvelope {
  interchange: InterchangeEnvelope;
  group: GroupEnvelope;
  set_id: string;
  control_number: string;
  /** X12 ST03 implementation convention reference (005010 on); null when absent and for EDIFACT. */
  convention: string | null;
  business_reference: BusinessReference | null;
  offset: number;
  segment: number;
  /** Every segment of the transaction, header and trailer included, when `keepSegments` asked for this set. */
  segments: Segment[] | null;
}

/** A problem with the file's structure: where it is and what was expected. */
export interface EdiError {
  segment?: number;
  position?: number;
  message: string;
}

export interface EnvelopeHandler {
  onInterchange?(ic: InterchangeEnvelope): void;
  onGroup?(ic: InterchangeEnvelope, group: GroupEnvelope): void;
  /** Called once the trailer (SE/UNT) has been checked. */
  onTransaction?(tx: TransactionEnvelope): void;
  /** Segments between the interchange header and its first group that are not transactions (TA1). */
  onInterchangeSegment?(ic: InterchangeEnvelope, seg: Segment): void;
  /** Which transaction sets to hand over with their segments (acknowledgements, documents we compare). */
  keepSegments?(setId: string): boolean;
}

const X12 = { ic: 'ISA', icEnd: 'IEA', grp: 'GS', grpEnd: 'GE', tx: 'ST', txEnd: 'SE' } as const;
const EDI = { ic: 'UNB', icEnd: 'UNZ', grp: 'UNG', grpEnd: 'UNE', tx: 'UNH', txEnd: 'UNT' } as const;
const NO_GROUP: GroupEnvelope = {
  control_number: null,
  functional_id: null,
  application_sender: null,
  application_receiver: null,
  version: null,
};

/** CCYYMMDD that is a day of the calendar. */
function isDate(d: string): boolean {
  if (!/^\d{8}$/.test(d)) return false;
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(4, 6));
  const day = Number(d.slice(6, 8));
  const t = new Date(Date.UTC(y, m - 1, day));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === day;
}
function isTime(t: string): boolean {
  return /^([01]\d|2[0-3])[0-5]\d$/.test(t);
}

function x12Usage(flag: string): Usage {
  return flag === 'T' ? 'test' : flag === 'I' ? 'information' : 'production';
}

/**
 * Checks the envelopes of a segment stream (ISA/GS/ST…SE/GE/IEA and UNB/UNG/UNH…UNT/UNE/UNZ): nesting,
 * counts and control numbers. Reports each problem with its segment number and byte offset, and hands
 * complete transactions to the handler.
 */
export class EnvelopeChecker {
  readonly errors: EdiError[] = [];
  private ic: InterchangeEnvelope | null = null;
  private icGroups = 0;
  private icMessages = 0;
  private usedGroups = false;
  private group: GroupEnvelope | null = null;
  private groupTx = 0;
  private tx: TransactionEnvelope | null = null;
  private txSegments = 0;
  private lastSegment: Segment | null = null;
  transactions = 0;

  constructor(
    private readonly handler: EnvelopeHandler,
    private readonly maxErrors = 100,
  ) {}

  private error(seg: Segment | null, message: string): void {
    if (this.errors.length >= this.maxErrors) return;
    this.errors.push(seg === null ? { message } : { segment: seg.index, position: seg.offset, message });
  }

  /** Feed every segment, in order. */
  segment(seg: Segment): void {
    this.lastSegment = seg;
    const tag = seg.tag;
    const t = seg.standard === 'x12' ? X12 : EDI;
    if (this.tx !== null && tag !== t.txEnd) {
      if (tag === t.tx || tag === t.grp || tag === t.grpEnd || tag === t.ic || tag === t.icEnd) {
        this.error(seg, `expected ${t.txEnd} to close ${t.tx} ${this.tx.control_number}, found ${tag}`);
        this.tx = null;
      } else {
        this.txSegments++;
        if (this.tx.business_reference === null) this.tx.business_reference = businessReferenceOf(this.tx.set_id, seg);
        this.tx.segments?.push(seg);
        return;
      }
    }
    switch (tag) {
      case t.ic:
        return this.openInterchange(seg);
      case t.icEnd:
        return this.closeInterchange(seg);
      case t.grp:
        return this.openGroup(seg);
      case t.grpEnd:
        return this.closeGroup(seg);
      case t.tx:
        return this.openTransaction(seg);
      case t.txEnd:
        return this.closeTransaction(seg);
      default:
        if (this.ic !== null && this.group === null && this.icGroups === 0 && this.icMessages === 0 && tag === 'TA1') {
          this.handler.onInterchangeSegment?.(this.ic, seg);
          return;
        }
        this.error(
          seg,
          `expected ${this.ic === null ? t.ic : this.group === null && seg.standard === 'x12' ? `${t.grp} or ${t.icEnd}` : `${t.tx}, ${t.grpEnd} or ${t.icEnd}`}, found ${tag}`,
        );
    }
  }

  /** Call after the last segment: anything still open means the file was cut off. */
  end(fileBytes: number, segmentCount: number): void {
    const t = this.ic?.standard === 'edifact' ? EDI : X12;
    const where = { segment: segmentCount + 1, position: fileBytes };
    if (this.tx !== null)
      this.errors.push({
        ...where,
        message: `expected ${t.txEnd} for ${t.tx} ${this.tx.control_number}, found end of file`,
      });
    else if (this.group !== null && this.group !== NO_GROUP)
      this.errors.push({
        ...where,
        message: `expected ${t.grpEnd} for ${t.grp} ${this.group.control_number}, found end of file`,
      });
    else if (this.ic !== null)
      this.errors.push({
        ...where,
        message: `expected ${t.icEnd} for ${t.ic} ${this.ic.control_number}, found end of file`,
      });
    else if (this.lastSegment === null)
      this.errors.push({ ...where, message: 'expected an interchange header (ISA, UNA or UNB), found an empty file' });
  }

  private openInterchange(seg: Segment): void {
    if (this.ic !== null)
      this.error(seg, `expected ${seg.standard === 'x12' ? 'IEA' : 'UNZ'} before a new interchange, found ${seg.tag}`);
    let ic: InterchangeEnvelope;
    if (seg.standard === 'x12') {
      if (seg.elements.length !== 17) this.error(seg, `expected 16 ISA elements, found ${seg.elements.length - 1}`);
      // One width rule (docs/edi.md): values are read between separators, never by column; a field of the wrong
      // width passes when its content is what the field holds (ids trimmed, numbers digits, dates real dates).
      const control = seg.elements[13] ?? '';
      if (!/^\d{1,9}$/.test(control))
        this.error(seg, `expected ISA13 interchange control number (up to 9 digits), found ${JSON.stringify(control)}`);
      if ((seg.elements[6] ?? '').trim() === '' || (seg.elements[8] ?? '').trim() === '')
        this.error(seg, 'expected ISA06 sender and ISA08 receiver ids, found an empty one');
      const date = seg.elements[9] ?? '';
      if (!isDate(`20${date}`))
        this.error(seg, `expected ISA09 interchange date YYMMDD, found ${JSON.stringify(date)}`);
      if (!isTime(seg.elements[10] ?? ''))
        this.error(seg, `expected ISA10 interchange time HHMM, found ${JSON.stringify(seg.elements[10] ?? '')}`);
      const usage = seg.elements[15] ?? '';
      if (!/^[PTI]$/.test(usage))
        this.error(seg, `expected ISA15 usage indicator P, T or I, found ${JSON.stringify(usage)}`);
      ic = {
        standard: 'x12',
        control_number: control,
        sender: { qualifier: (seg.elements[5] ?? '').trim(), id: (seg.elements[6] ?? '').trim() },
        receiver: { qualifier: (seg.elements[7] ?? '').trim(), id: (seg.elements[8] ?? '').trim() },
        usage: x12Usage(usage),
        version: seg.elements[12] ?? '',
        ack_requested: (seg.elements[14] ?? '') === '1',
        date,
        time: seg.elements[10] ?? '',
        offset: seg.offset,
        segment: seg.index,
        delimiters: seg.delimiters,
      };
    } else {
      const control = first(seg, 5);
      if (control === '') this.error(seg, 'expected UNB 0020 interchange control reference, found nothing');
      if (comp(seg, 2, 0) === '' || comp(seg, 3, 0) === '')
        this.error(seg, 'expected UNB sender (S002) and recipient (S003) identifications');
      // S004: 0017 is YYMMDD up to syntax version 3 and CCYYMMDD from version 4 (ISO 9735); 0019 HHMM.
      const syntaxVersion = Number(comp(seg, 1, 1));
      const date = comp(seg, 4, 0);
      const wide = syntaxVersion >= 4;
      if (!(wide ? date.length === 8 && isDate(date) : date.length === 6 && isDate(`20${date}`)))
        this.error(
          seg,
          `expected UNB date (0017) ${wide ? 'CCYYMMDD' : 'YYMMDD'} for syntax version ${comp(seg, 1, 1) || '?'}, found ${JSON.stringify(date)}`,
        );
      if (!isTime(comp(seg, 4, 1)))
        this.error(seg, `expected UNB time (0019) HHMM, found ${JSON.stringify(comp(seg, 4, 1))}`);
      ic = {
        standard: 'edifact',
        control_number: control,
        sender: { qualifier: comp(seg, 2, 1), id: comp(seg, 2, 0) },
        receiver: { qualifier: comp(seg, 3, 1), id: comp(seg, 3, 0) },
        usage: first(seg, 11) === '1' ? 'test' : 'production',
        version: `${comp(seg, 1, 0)}:${comp(seg, 1, 1)}`,
        ack_requested: first(seg, 9) === '1',
        date,
        time: comp(seg, 4, 1),
        offset: seg.offset,
        segment: seg.index,
        delimiters: seg.delimiters,
      };
    }
    this.ic = ic;
    this.icGroups = 0;
    this.icMessages = 0;
    this.usedGroups = false;
    this.group = seg.standard === 'x12' ? null : NO_GROUP;
    this.handler.onInterchange?.(ic);
  }

  private closeInterchange(seg: Segment): void {
    const ic = this.ic;
    if (ic === null) return this.error(seg, `expected ${seg.standard === 'x12' ? 'ISA' : 'UNB'} before ${seg.tag}`);
    if (this.group !== null && this.group !== NO_GROUP)
      this.error(
        seg,
        `expected ${seg.standard === 'x12' ? 'GE' : 'UNE'} to close group ${this.group.control_number}, found ${seg.tag}`,
      );
    const count = first(seg, 1);
    const control = first(seg, 2);
    const expectedCount = seg.standard === 'x12' || this.usedGroups ? this.icGroups : this.icMessages;
    const what = seg.standard === 'x12' ? 'IEA01 group count' : 'UNZ 0036 count';
    if (count === '' || Number(count) !== expectedCount)
      this.error(seg, `expected ${what} ${expectedCount}, found ${JSON.stringify(count)}`);
    const same =
      control === ic.control_number ||
      (seg.standard === 'x12' && /^\d{1,9}$/.test(control) && Number(control) === Number(ic.control_number));
    if (!same)
      this.error(
        seg,
        `expected ${seg.standard === 'x12' ? 'IEA02' : 'UNZ 0020'} ${JSON.stringify(ic.control_number)} (the header's control number), found ${JSON.stringify(control)}`,
      );
    this.ic = null;
    this.group = null;
  }

  private openGroup(seg: Segment): void {
    if (this.ic === null)
      return this.error(seg, `expected ${seg.standard === 'x12' ? 'ISA' : 'UNB'} before ${seg.tag}`);
    if (this.group !== null && this.group !== NO_GROUP)
      this.error(seg, `expected ${seg.standard === 'x12' ? 'GE' : 'UNE'} before a new group, found ${seg.tag}`);
    if (seg.standard === 'edifact' && this.icMessages > 0 && !this.usedGroups)
      this.error(seg, 'expected no UNG: this interchange already has messages outside groups');
    this.icGroups++;
    this.usedGroups = true;
    this.groupTx = 0;
    const g: GroupEnvelope =
      seg.standard === 'x12'
        ? {
            control_number: first(seg, 6),
            functional_id: first(seg, 1),
            application_sender: first(seg, 2),
            application_receiver: first(seg, 3),
            version: first(seg, 8) || null,
          }
        : {
            control_number: first(seg, 5),
            functional_id: first(seg, 1),
            application_sender: comp(seg, 2, 0),
            application_receiver: comp(seg, 3, 0),
            version: comp(seg, 7, 1) || null,
          };
    if (!g.control_number)
      this.error(seg, `expected ${seg.standard === 'x12' ? 'GS06' : 'UNG 0048'} group control number, found nothing`);
    this.group = g;
    this.handler.onGroup?.(this.ic, g);
  }

  private closeGroup(seg: Segment): void {
    const g = this.group;
    if (g === null || g === NO_GROUP)
      return this.error(seg, `expected ${seg.standard === 'x12' ? 'GS' : 'UNG'} before ${seg.tag}`);
    const count = first(seg, 1);
    const control = first(seg, 2);
    const what = seg.standard === 'x12' ? 'GE01 transaction count' : 'UNE 0060 message count';
    if (count === '' || Number(count) !== this.groupTx)
      this.error(seg, `expected ${what} ${this.groupTx}, found ${JSON.stringify(count)}`);
    if (control !== g.control_number)
      this.error(
        seg,
        `expected ${seg.standard === 'x12' ? 'GE02' : 'UNE 0048'} ${JSON.stringify(g.control_number)} (the group's control number), found ${JSON.stringify(control)}`,
      );
    this.group = seg.standard === 'x12' ? null : NO_GROUP;
  }

  private openTransaction(seg: Segment): void {
    const ic = this.ic;
    if (ic === null) return this.error(seg, `expected ${seg.standard === 'x12' ? 'ISA' : 'UNB'} before ${seg.tag}`);
    const group = this.group;
    if (group === null) return this.error(seg, `expected GS before ST`);
    if (group === NO_GROUP && this.usedGroups)
      this.error(seg, 'expected UNG: this interchange puts its messages in groups');
    const setId = seg.standard === 'x12' ? first(seg, 1) : comp(seg, 2, 0);
    const control = first(seg, 2 - (seg.standard === 'x12' ? 0 : 1));
    if (setId === '')
      this.error(
        seg,
        `expected ${seg.standard === 'x12' ? 'ST01 transaction set identifier' : 'UNH S009 message type'}, found nothing`,
      );
    if (control === '')
      this.error(seg, `expected ${seg.standard === 'x12' ? 'ST02' : 'UNH 0062'} control number, found nothing`);
    this.groupTx++;
    this.icMessages++;
    this.txSegments = 1;
    const keep = this.handler.keepSegments?.(setId) ?? false;
    this.tx = {
      interchange: ic,
      group,
      set_id: setId,
      control_number: control,
      convention: seg.standard === 'x12' ? first(seg, 3) || null : null,
      business_reference: null,
      offset: seg.offset,
      segment: seg.index,
      segments: keep ? [seg] : null,
    };
  }

  private closeTransaction(seg: Segment): void {
    const tx = this.tx;
    if (tx === null) return this.error(seg, `expected ${seg.standard === 'x12' ? 'ST' : 'UNH'} before ${seg.tag}`);
    this.txSegments++;
    tx.segments?.push(seg);
    const count = first(seg, 1);
    const control = first(seg, 2);
    const what = seg.standard === 'x12' ? 'SE01 segment count' : 'UNT 0074 segment count';
    if (count === '' || Number(count) !== this.txSegments)
      this.error(seg, `expected ${what} ${this.txSegments}, found ${JSON.stringify(count)}`);
    if (control !== tx.control_number)
      this.error(
        seg,
        `expected ${seg.standard === 'x12' ? 'SE02' : 'UNT 0062'} ${JSON.stringify(tx.control_number)} (the header's control number), found ${JSON.stringify(control)}`,
      );
    this.tx = null;
    this.transactions++;
    this.handler.onTransaction?.(tx);
  }
}
