import type { PartyId, Usage } from './envelope.ts';
import type { EdiSegmentSpec, EdifactMessage, X12Syntax, X12Transaction } from './writeEdi.ts';
import { x12Text } from './writeEdi.ts';
import type { Standard } from './segment.ts';

/**
 * Functional acknowledgements we write for an interchange we received, when the bridge is the receiving endpoint
 * (`mailbox.partners.<address>.send.ack`): X12 997 (004010) or 999 (005010X231A1) per functional group, a TA1 for
 * the interchange, EDIFACT CONTRL. Pure: what was received (and what was wrong with it) in, segments out; the
 * envelope and control numbers are the outbox's (`queueEdiFile`).
 *
 * Outcomes, per level: no error is accepted; errors whose `rejected` is false are noted (X12 E, CONTRL action 7
 * with the errors); any other error rejects (X12 R, CONTRL 4). A group is P (partially accepted) when some of its
 * transactions are rejected and some not. Our own reader (`interpretAck`, `interpretTa1`) reads each of these back
 * with the same outcome and codes (tested).
 */

/** An error in a data element (AK4 / IK4, EDIFACT UCD). */
export interface ReceivedElementError {
  /** Position of the element in its segment (1 = first after the tag). */
  position: number;
  component?: number;
  repetition?: number;
  /** Data element reference number (AK402 / IK402), when known. */
  reference?: string;
  /** X12 AK403 / IK403 code (1 required element missing, 7 invalid code value…); EDIFACT 0085 (12 invalid value…). */
  code: string;
  /** A copy of the bad value (AK404 / IK404); made writable first. */
  value?: string;
}

/** An error in a segment of a transaction (AK3 / IK3, EDIFACT UCS). */
export interface ReceivedSegmentError {
  tag: string;
  /** Position in the transaction, its header counting 1 (AK302 / IK302, UCS 0096). */
  position: number;
  /** Loop identifier (AK303 / IK303), when in a loop. */
  loop?: string;
  /** X12 AK304 / IK304 (8 segment has data element errors…), EDIFACT UCS 0085; unset when only its elements are in error. */
  code?: string;
  elements?: ReceivedElementError[];
}

export interface ReceivedTransaction {
  /** ST01 / UNH message type. */
  setId: string;
  /** ST02 / UNH 0062. */
  control: string;
  /** ST03 implementation convention reference (a 999 quotes it in AK203). */
  convention?: string;
  /** EDIFACT UNH S009 after the type (a CONTRL UCM quotes it). */
  messageId?: { version: string; release: string; agency: string; association?: string };
  segments?: ReceivedSegmentError[];
  /** Errors of the transaction itself: X12 AK502… / IK502… (3 control numbers differ, 4 segment count…), EDIFACT 0085. */
  codes?: string[];
  /** With errors: false accepts the transaction with the errors noted (E, CONTRL 7); rejected otherwise. */
  rejected?: boolean;
}

export interface ReceivedGroup {
  /** GS01 / UNG 0038; null for EDIFACT messages outside groups. */
  functionalId: string | null;
  /** GS06 / UNG 0048; null for EDIFACT messages outside groups. */
  control: string | null;
  /** GS08 (e.g. 004010, 005010X222A1) / UNG version. */
  version: string | null;
  /** UNG S006 / S007 application sender and recipient (a CONTRL's UCF quotes them). */
  applicationSender?: string;
  applicationReceiver?: string;
  /** GE01 / UNE 0060 as the sender counted (default: the transactions received). */
  count?: number;
  /** The transactions, each with its errors. */
  transactions: ReceivedTransaction[];
  /** Further transactions received and accepted, not listed one by one (a very large group: AK9 counts them). */
  unlisted?: number;
  /** Errors of the group itself: X12 AK905… (3 trailer missing, 5 count…), EDIFACT 0085; any rejects the group. */
  codes?: string[];
}

/** An error of the interchange envelope: a TA1 note code (TA105) / EDIFACT 0085 with the service segment in error. */
export interface ReceivedInterchangeError {
  code: string;
  /** EDIFACT UCI 0013: the service segment in error (UNB, UNZ…). */
  tag?: string;
  /** Noted, not rejecting (a TA1 E, a CONTRL 7 with the code); default rejecting. */
  rejected?: boolean;
}

/** An interchange we received, as its acknowledgement needs it. */
export interface ReceivedInterchange {
  standard: Standard;
  /** ISA13 / UNB 0020 as received. */
  control: string;
  sender: PartyId;
  receiver: PartyId;
  /** ISA09 / UNB 0017, ISA10 / UNB 0019 as received (TA102, TA103). */
  date: string;
  time: string;
  /** ISA12 (00401) / EDIFACT syntax identifier and version (UNOC:3). */
  version: string;
  /** ISA14 = 1 / UNB 0031 = 1. */
  ackRequested: boolean;
  usage: Usage;
  groups: ReceivedGroup[];
  errors: ReceivedInterchangeError[];
}

export type Outcome = 'accepted' | 'accepted_with_errors' | 'partially_accepted' | 'rejected';

function hasErrors(t: ReceivedTransaction): boolean {
  return (t.codes?.length ?? 0) > 0 || (t.segments?.length ?? 0) > 0;
}

export function transactionOutcome(t: ReceivedTransaction): Outcome {
  if (!hasErrors(t)) return 'accepted';
  return t.rejected === false ? 'accepted_with_errors' : 'rejected';
}

export function interchangeOutcome(ic: ReceivedInterchange): Outcome {
  if (ic.errors.length === 0) return 'accepted';
  return ic.errors.some((e) => e.rejected !== false) ? 'rejected' : 'accepted_with_errors';
}

/** The group's outcome with AK9's counts: included (GE01), received, accepted. */
export function groupOutcome(g: ReceivedGroup): {
  outcome: Outcome;
  included: number;
  received: number;
  accepted: number;
} {
  const received = g.transactions.length + (g.unlisted ?? 0);
  const outcomes = g.transactions.map(transactionOutcome);
  const rejected = outcomes.filter((o) => o === 'rejected').length;
  const accepted = received - rejected;
  const included = g.count ?? received;
  let outcome: Outcome;
  if ((g.codes?.length ?? 0) > 0 || (received > 0 && accepted === 0)) outcome = 'rejected';
  else if (rejected > 0) outcome = 'partially_accepted';
  else if (outcomes.includes('accepted_with_errors')) outcome = 'accepted_with_errors';
  else outcome = 'accepted';
  return { outcome, included, received, accepted: outcome === 'rejected' ? 0 : accepted };
}

const X12_CODE: Record<Outcome, string> = {
  accepted: 'A',
  accepted_with_errors: 'E',
  partially_accepted: 'P',
  rejected: 'R',
};

type X12Seps = Pick<X12Syntax, 'element' | 'component' | 'segment' | 'repetition'>;

/** The 999's implementation convention (ST03 and the ack group's GS08). */
export const X12_999_CONVENTION = '005010X231A1';

/**
 * A 997 or a 999 for one functional group: AK1 (group), per transaction AK2, its segment errors (AK3 / IK3) with
 * their element errors (AK4 / IK4), AK5 / IK5 (A, E or R with the transaction's codes), then AK9 (A, E, P or R with
 * included / received / accepted counts and the group's codes). A transaction rejected for its segments with no
 * code of its own gets 5 ("one or more segments in error"; I5 in a 999's IK5 for implementation errors is the
 * caller's to give).
 */
export function x12FunctionalAck(kind: '997' | '999', g: ReceivedGroup, seps: X12Seps): X12Transaction {
  const t = (s: string, max?: number) => x12Text(s, seps, max);
  const is999 = kind === '999';
  const segs: EdiSegmentSpec[] = [
    ['AK1', g.functionalId ?? '', g.control ?? '', ...(is999 && g.version ? [t(g.version, 12)] : [])],
  ];
  for (const tx of g.transactions) {
    segs.push(['AK2', tx.setId, tx.control, ...(is999 && tx.convention ? [t(tx.convention, 35)] : [])]);
    for (const s of tx.segments ?? []) {
      // A segment reported only for its elements is "8, segment has data element errors".
      const code = s.code ?? ((s.elements?.length ?? 0) > 0 ? '8' : '');
      segs.push([is999 ? 'IK3' : 'AK3', s.tag, String(s.position), s.loop ? t(s.loop, 4) : '', code]);
      for (const e of s.elements ?? []) {
        const position =
          e.component === undefined && e.repetition === undefined
            ? String(e.position)
            : [
                String(e.position),
                e.component === undefined ? '' : String(e.component),
                e.repetition === undefined ? '' : String(e.repetition),
              ];
        segs.push([
          is999 ? 'IK4' : 'AK4',
          position,
          e.reference ?? '',
          e.code,
          e.value === undefined ? '' : t(e.value, 99),
        ]);
      }
    }
    const outcome = transactionOutcome(tx);
    const codes = [...(tx.codes ?? [])];
    if (outcome !== 'accepted' && codes.length === 0) codes.push('5');
    segs.push([is999 ? 'IK5' : 'AK5', X12_CODE[outcome], ...codes.slice(0, 5)]);
  }
  const sum = groupOutcome(g);
  segs.push([
    'AK9',
    X12_CODE[sum.outcome],
    String(sum.included),
    String(sum.received),
    String(sum.accepted),
    ...(g.codes ?? []).slice(0, 5),
  ]);
  return { setId: kind, segments: segs };
}

/**
 * TA1 for the interchange: TA101 its control number, TA102/TA103 its date and time, TA104 A (accepted), E (accepted
 * with errors noted) or R (rejected), TA105 the first error's note code or 000.
 */
export function x12Ta1(ic: ReceivedInterchange): EdiSegmentSpec {
  const outcome = interchangeOutcome(ic);
  return ['TA1', ic.control.padStart(9, '0'), ic.date, ic.time, X12_CODE[outcome], ic.errors[0]?.code ?? '000'];
}

/** UNH S009 of a CONTRL, by the syntax version of the interchange it answers (ISO 9735: 2:2 before version 3, D:3, 4:1). */
export function contrlMessageId(syntaxVersion: number): Pick<EdifactMessage, 'version' | 'release' | 'agency'> {
  if (syntaxVersion >= 4) return { version: '4', release: '1', agency: 'UN' };
  if (syntaxVersion === 3) return { version: 'D', release: '3', agency: 'UN' };
  return { version: '2', release: '2', agency: 'UN' };
}

/** Syntax version of an EDIFACT syntax identifier as kept (`UNOC:3` → 3); 3 when unreadable. */
export function syntaxVersionOfId(version: string): number {
  const n = Number.parseInt(version.split(':')[1] ?? '', 10);
  return Number.isInteger(n) && n >= 1 && n <= 4 ? n : 3;
}

/**
 * CONTRL for an interchange. UCI quotes the interchange (0020, sender, recipient) with action 0083 7 ("this level
 * acknowledged, next lower level acknowledged if not explicitly rejected") or 4 ("this level and all lower levels
 * rejected"), and an interchange error's 0085 and service segment. Below an accepted interchange, only what is in
 * error is reported: UCF per group (UNG) in error, UCM per message in error (4 rejected, 7 noted) with its UCS
 * segments and UCD elements (S011 with the occurrence 0136 from syntax version 4 only). A rejected interchange
 * reports nothing below it (all of it is rejected).
 */
export function contrlFor(ic: ReceivedInterchange): EdifactMessage {
  const syntaxVersion = syntaxVersionOfId(ic.version);
  const top = interchangeOutcome(ic);
  const first = ic.errors[0];
  const segs: EdiSegmentSpec[] = [
    [
      'UCI',
      ic.control,
      [ic.sender.id, ic.sender.qualifier],
      [ic.receiver.id, ic.receiver.qualifier],
      top === 'rejected' ? '4' : '7',
      first?.code ?? '',
      first?.tag ?? '',
    ],
  ];
  if (top !== 'rejected')
    for (const g of ic.groups) {
      const grouped = g.control !== null && g.functionalId !== null;
      const sum = groupOutcome(g);
      const groupInError = (g.codes?.length ?? 0) > 0;
      if (grouped && (groupInError || sum.outcome !== 'accepted'))
        segs.push([
          'UCF',
          g.control!,
          [g.applicationSender ?? ''],
          [g.applicationReceiver ?? ''],
          groupInError ? '4' : '7',
          g.codes?.[0] ?? '',
        ]);
      if (groupInError) continue;
      for (const tx of g.transactions) {
        const outcome = transactionOutcome(tx);
        if (outcome === 'accepted') continue;
        const m = tx.messageId;
        segs.push([
          'UCM',
          tx.control,
          [tx.setId, m?.version ?? '', m?.release ?? '', m?.agency ?? '', m?.association ?? ''],
          outcome === 'rejected' ? '4' : '7',
          tx.codes?.[0] ?? '',
        ]);
        for (const s of tx.segments ?? []) {
          segs.push(['UCS', String(s.position), s.code ?? '']);
          for (const e of s.elements ?? [])
            segs.push([
              'UCD',
              e.code,
              [
                String(e.position),
                e.component === undefined ? '' : String(e.component),
                ...(syntaxVersion >= 4 && e.repetition !== undefined ? [String(e.repetition)] : []),
              ],
            ]);
        }
      }
    }
  return { type: 'CONTRL', ...contrlMessageId(syntaxVersion), segments: segs };
}
