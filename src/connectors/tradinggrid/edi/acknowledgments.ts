import {
  EDIFACT_SYNTAX_ERRORS,
  TA1_NOTES,
  X12_ELEMENT_ERRORS,
  X12_GROUP_ERRORS,
  X12_SEGMENT_ERRORS,
  X12_TRANSACTION_ERRORS,
} from './ackCodes.ts';
import type { BusinessReference } from './businessReference.ts';
import type { TransactionEnvelope } from './envelope.ts';
import { comp, comps, first, repeats, type Segment } from './segment.ts';
import type { EdiError } from './envelope.ts';

export type AckKind = 'TA1' | '997' | '999' | '824' | 'CONTRL' | 'APERAK';
/**
 * `received`: the interchange arrived, nothing is accepted yet (CONTRL 0083 = 8); the acknowledgement proper
 * is still to come, so a transaction waiting for its FA keeps waiting.
 */
export type AckOutcome = 'accepted' | 'accepted_with_errors' | 'partially_accepted' | 'rejected' | 'received';

export interface AckError {
  /** Tag of the segment in error (AK3-01, IK3-01, TED03, UCM/UCS context). */
  segment?: string;
  /** Position of that segment in its transaction (AK3-02, IK3-02, TED04, UCS 0096). */
  position?: number;
  /** Position of the element in the segment (AK4-01-1, IK4-01-1, TED05, UCD 0098). */
  element?: number;
  /** Position of the component in that element, when the error is in a component (AK4-01-2, IK4-01-2, UCD 0104). */
  component?: number;
  /** Which repetition of a repeating element (AK4-01-3, IK4-01-3, UCD 0136). */
  repetition?: number;
  code: string;
  description?: string;
}

/** One acknowledgement, in the JSON shape of `gridbridge edi parse`. */
export interface Acknowledgment {
  kind: AckKind;
  acknowledges: {
    interchange_control_number?: string;
    group_control_number?: string;
    transaction_control_number?: string;
  };
  normalized: AckOutcome;
  errors: AckError[];
}

/** An acknowledgement plus what correlation needs beyond the JSON: the acknowledged set and business number. */
export interface AckFinding {
  ack: Acknowledgment;
  acknowledgedSetId: string | null;
  reference: BusinessReference | null;
}

/** Transaction sets that are acknowledgements (their segments are kept and interpreted). */
export const ACK_SETS: ReadonlySet<string> = new Set(['997', '999', '824', 'CONTRL', 'APERAK']);

const X12_STATUS: Record<string, AckOutcome> = {
  A: 'accepted',
  E: 'accepted_with_errors',
  P: 'partially_accepted',
  R: 'rejected',
  M: 'rejected',
  W: 'rejected',
  X: 'rejected',
};

function num(text: string): number | undefined {
  const n = Number.parseInt(text, 10);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The entry of a code list for `code`, among the list's own codes only: the names every object inherits
 * (`toString`, `constructor`…) are codes outside the list, not a function read as an outcome or a description.
 */
function lookup<T>(table: Readonly<Record<string, T>>, code: string): T | undefined {
  return Object.hasOwn(table, code) ? table[code] : undefined;
}

function error(
  code: string,
  table: Record<string, string>,
  extra: Omit<AckError, 'code' | 'description'> = {},
): AckError {
  const out: AckError = { ...extra, code };
  const description = lookup(table, code);
  if (description !== undefined) out.description = description;
  return out;
}

function compact(o: Acknowledgment['acknowledges']): Acknowledgment['acknowledges'] {
  const out: Acknowledgment['acknowledges'] = {};
  for (const [k, v] of Object.entries(o) as [keyof typeof o, string | undefined][]) if (v) out[k] = v;
  return out;
}

/** TA1 interchange acknowledgement (TA101 = ISA13 acknowledged, TA104 A/E/R, TA105 note code). */
export function interpretTa1(seg: Segment): AckFinding {
  const note = first(seg, 5);
  const errors = note !== '' && note !== '000' ? [error(note, TA1_NOTES)] : [];
  return {
    ack: {
      kind: 'TA1',
      acknowledges: compact({ interchange_control_number: first(seg, 1) }),
      normalized: lookup(X12_STATUS, first(seg, 4)) ?? 'rejected',
      errors,
    },
    acknowledgedSetId: null,
    reference: null,
  };
}

/** 997 and 999: one finding per AK2 (transaction set) and one for the group (AK9). */
function interpretFunctionalAck(tx: TransactionEnvelope, segments: Segment[]): AckFinding[] {
  const kind = tx.set_id as '997' | '999';
  const out: AckFinding[] = [];
  let group = '';
  let current: AckFinding | null = null;
  let lastSegment: { tag: string; position?: number } | null = null;
  for (const seg of segments) {
    switch (seg.tag) {
      case 'AK1':
        group = first(seg, 2);
        break;
      case 'AK2':
        current = {
          ack: {
            kind,
            acknowledges: compact({ group_control_number: group, transaction_control_number: first(seg, 2) }),
            normalized: 'accepted',
            errors: [],
          },
          acknowledgedSetId: first(seg, 1) || null,
          reference: null,
        };
        out.push(current);
        lastSegment = null;
        break;
      case 'AK3':
      case 'IK3': {
        const position = num(first(seg, 2));
        lastSegment = { tag: first(seg, 1), ...(position !== undefined ? { position } : {}) };
        current?.ack.errors.push(
          error(first(seg, 4), X12_SEGMENT_ERRORS, {
            segment: lastSegment.tag,
            ...(position !== undefined ? { position } : {}),
          }),
        );
        break;
      }
      case 'CTX': {
        // CTX01 (C998) repeats: each repetition is a context name and, optionally, its reference.
        const last = current?.ack.errors.at(-1);
        const contexts = repeats(seg, 1)
          .map(([name = '', ref = '']) => `${name}${ref ? ` ${ref}` : ''}`)
          .filter(Boolean);
        if (last !== undefined && contexts.length > 0)
          last.description = `${last.description ?? ''}${last.description ? '; ' : ''}context ${contexts.join(', ')}`;
        break;
      }
      case 'AK4':
      case 'IK4': {
        // AK401 / IK401 (C030): element position, component position, repetition position.
        const element = num(comp(seg, 1, 0));
        const component = num(comp(seg, 1, 1));
        const repetition = num(comp(seg, 1, 2));
        current?.ack.errors.push(
          error(first(seg, 3), X12_ELEMENT_ERRORS, {
            ...(lastSegment !== null ? { segment: lastSegment.tag } : {}),
            ...(lastSegment?.position !== undefined ? { position: lastSegment.position } : {}),
            ...(element !== undefined ? { element } : {}),
            ...(component !== undefined ? { component } : {}),
            ...(repetition !== undefined ? { repetition } : {}),
          }),
        );
        break;
      }
      case 'AK5':
      case 'IK5':
        if (current !== null) {
          current.ack.normalized = lookup(X12_STATUS, first(seg, 1)) ?? 'rejected';
          for (let n = 2; n <= 6; n++) {
            const code = first(seg, n);
            if (code !== '') current.ack.errors.push(error(code, X12_TRANSACTION_ERRORS));
          }
        }
        current = null;
        break;
      case 'AK9': {
        const errors: AckError[] = [];
        for (let n = 5; n <= 9; n++) {
          const code = first(seg, n);
          if (code !== '') errors.push(error(code, X12_GROUP_ERRORS));
        }
        out.unshift({
          ack: {
            kind,
            acknowledges: compact({ group_control_number: group }),
            normalized: lookup(X12_STATUS, first(seg, 1)) ?? 'rejected',
            errors,
          },
          acknowledgedSetId: null,
          reference: null,
        });
        break;
      }
    }
  }
  return out;
}

const OTI_STATUS: Record<string, AckOutcome> = {
  A: 'accepted',
  E: 'accepted_with_errors',
  C: 'accepted_with_errors',
  P: 'partially_accepted',
  R: 'rejected',
};

/** 824 application advice: one finding per OTI, with its TED errors. */
function interpret824(segments: Segment[]): AckFinding[] {
  const out: AckFinding[] = [];
  let current: AckFinding | null = null;
  for (const seg of segments) {
    if (seg.tag === 'OTI') {
      const code = first(seg, 1);
      const ref = first(seg, 3);
      current = {
        ack: {
          kind: '824',
          acknowledges: compact({ group_control_number: first(seg, 8), transaction_control_number: first(seg, 9) }),
          normalized: lookup(OTI_STATUS, code.slice(-1)) ?? 'accepted_with_errors',
          errors: [],
        },
        acknowledgedSetId: first(seg, 10) || null,
        reference: ref ? { type: first(seg, 2), value: ref } : null,
      };
      out.push(current);
    } else if (seg.tag === 'TED' && current !== null) {
      const position = num(first(seg, 4));
      const element = num(first(seg, 5));
      const e: AckError = { code: first(seg, 1) };
      if (first(seg, 3)) e.segment = first(seg, 3);
      if (position !== undefined) e.position = position;
      if (element !== undefined) e.element = element;
      if (first(seg, 2)) e.description = first(seg, 2);
      current.ack.errors.push(e);
    }
  }
  return out;
}

/**
 * 0083 Action, coded: the whole UN/EDIFACT code list and what each code means for the level it is reported on
 * (https://stedi.com/edi/edifact/D99B/elements/0083 reproduces the list). 8 acknowledges receipt only.
 */
export const CONTRL_ACTIONS: Readonly<Record<string, { outcome: AckOutcome; meaning: string }>> = {
  '1': { outcome: 'accepted', meaning: 'Acknowledged (this level and all lower levels)' },
  '2': { outcome: 'accepted_with_errors', meaning: 'Acknowledged - errors detected and reported' },
  '3': { outcome: 'partially_accepted', meaning: 'One or more rejected - next lower level' },
  '4': { outcome: 'rejected', meaning: 'This level and all lower levels rejected' },
  '5': { outcome: 'accepted', meaning: 'UNB/UNZ accepted' },
  '6': { outcome: 'rejected', meaning: 'UNB/UNZ rejected' },
  '7': {
    outcome: 'accepted',
    meaning: 'This level acknowledged, next lower level acknowledged if not explicitly rejected',
  },
  '8': { outcome: 'received', meaning: 'Interchange received' },
};
/** An action code outside the list says nothing we can rely on: treated as a rejection, and reported by validateAck. */
const contrlOutcome = (code: string): AckOutcome => lookup(CONTRL_ACTIONS, code)?.outcome ?? 'rejected';

/** Syntax version number of an EDIFACT interchange (UNB S001 0002, kept as `UNOC:3`); 0 when absent. */
export function syntaxVersionOf(version: string): number {
  const n = Number.parseInt(version.split(':')[1] ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}

/**
 * CONTRL: one finding for the interchange (UCI), one per group (UCF) and one per message (UCM). The layout of
 * UCD's S011 follows the syntax version of the CONTRL's own interchange (UNB S001 0002).
 */
function interpretContrl(segments: Segment[], syntaxVersion: number): AckFinding[] {
  const out: AckFinding[] = [];
  let interchange = '';
  let group = '';
  let current: AckFinding | null = null;
  let top: AckFinding | null = null;
  let lastTag: { tag: string; position?: number } | null = null;
  const open = (ack: Acknowledgment, setId: string | null, errorCode: string, tag: string): AckFinding => {
    if (errorCode) ack.errors.push(error(errorCode, EDIFACT_SYNTAX_ERRORS, tag ? { segment: tag } : {}));
    const f = { ack, acknowledgedSetId: setId, reference: null };
    out.push(f);
    return f;
  };
  for (const seg of segments) {
    switch (seg.tag) {
      case 'UCI':
        interchange = first(seg, 1);
        current = top = open(
          {
            kind: 'CONTRL',
            acknowledges: compact({ interchange_control_number: interchange }),
            normalized: contrlOutcome(first(seg, 4)),
            errors: [],
          },
          null,
          first(seg, 5),
          first(seg, 6),
        );
        break;
      case 'UCF':
        group = first(seg, 1);
        current = open(
          {
            kind: 'CONTRL',
            acknowledges: compact({ interchange_control_number: interchange, group_control_number: group }),
            normalized: contrlOutcome(first(seg, 4)),
            errors: [],
          },
          null,
          first(seg, 5),
          first(seg, 6),
        );
        break;
      case 'UCM':
        current = open(
          {
            kind: 'CONTRL',
            acknowledges: compact({
              interchange_control_number: interchange,
              group_control_number: group,
              transaction_control_number: first(seg, 1),
            }),
            normalized: contrlOutcome(first(seg, 3)),
            errors: [],
          },
          comp(seg, 2, 0) || null,
          first(seg, 4),
          first(seg, 5),
        );
        lastTag = null;
        break;
      case 'UCS': {
        const position = num(first(seg, 1));
        lastTag = { tag: 'UCS', ...(position !== undefined ? { position } : {}) };
        const e = error(first(seg, 2), EDIFACT_SYNTAX_ERRORS, position !== undefined ? { position } : {});
        if (e.code !== '') current?.ack.errors.push(e);
        break;
      }
      case 'UCD': {
        // S011: 0098 element position, 0104 component position; 0136 occurrence exists from syntax version 4
        // (ISO 9735:1998) only. Versions 1 to 3 define S011 with two components, so a third there is no occurrence.
        const element = num(comp(seg, 2, 0));
        const component = num(comp(seg, 2, 1));
        const repetition = syntaxVersion >= 4 ? num(comp(seg, 2, 2)) : undefined;
        current?.ack.errors.push(
          error(first(seg, 1), EDIFACT_SYNTAX_ERRORS, {
            ...(lastTag?.position !== undefined ? { position: lastTag.position } : {}),
            ...(element !== undefined ? { element } : {}),
            ...(component !== undefined ? { component } : {}),
            ...(repetition !== undefined ? { repetition } : {}),
          }),
        );
        break;
      }
    }
  }
  // "Acknowledged" with errors reported is accepted with errors; an interchange with rejected messages is partial.
  for (const f of out)
    if (f.ack.normalized === 'accepted' && f.ack.errors.length > 0) f.ack.normalized = 'accepted_with_errors';
  if (
    top !== null &&
    (top.ack.normalized === 'accepted' || top.ack.normalized === 'accepted_with_errors') &&
    out.some((f) => f !== top && f.ack.normalized === 'rejected')
  )
    top.ack.normalized = 'partially_accepted';
  return out;
}

/**
 * BGM 1225 (message function) codes an APERAK answers with. 27 and 12 refuse the message; the "accepted"
 * codes make any ERC a remark on an accepted message. Other codes (11 response, 6 confirmation, 9 original…)
 * say nothing: then the ERCs decide.
 */
export const APERAK_FUNCTIONS: Readonly<Record<string, { outcome: AckOutcome; meaning: string }>> = {
  '27': { outcome: 'rejected', meaning: 'Not accepted' },
  '12': { outcome: 'rejected', meaning: 'Not processed' },
  '29': { outcome: 'accepted', meaning: 'Accepted without amendment' },
  '28': { outcome: 'accepted', meaning: 'Accepted, with amendment in heading section' },
  '30': { outcome: 'accepted', meaning: 'Accepted, with amendment in detail section' },
  '34': { outcome: 'accepted', meaning: 'Accepted with amendment' },
};

/**
 * APERAK, read per its definition: "to inform a message issuer that his message has been received by the
 * addressee's application and has been rejected due to errors encountered during its processing in the
 * application", or "to acknowledge ... the receipt of his message by the addressee's application"
 * (UN/EDIFACT APERAK, https://www.stedi.com/edifact/D19B/messages/APERAK). So an APERAK carrying ERC
 * (application errors) reports a rejection, unless BGM 1225 says the message was accepted (then the ERCs are
 * remarks: accepted_with_errors); BGM 1225 27/12 rejects even without an ERC; no ERC is an acknowledgement.
 * RFF+ACW names the message acknowledged; FTX after an ERC is its text.
 */
function interpretAperak(segments: Segment[]): AckFinding[] {
  let functionCode = '';
  let messageRef = '';
  let reference: BusinessReference | null = null;
  const errors: AckError[] = [];
  for (const seg of segments) {
    if (seg.tag === 'BGM') functionCode = first(seg, 3);
    else if (seg.tag === 'RFF') {
      const q = comp(seg, 1, 0);
      if (q === 'ACW') messageRef = comp(seg, 1, 1);
      else if (reference === null && comp(seg, 1, 1))
        reference = { type: q === 'ON' ? 'purchase_order' : q, value: comp(seg, 1, 1) };
    } else if (seg.tag === 'DOC' && reference === null && comp(seg, 2, 0))
      reference = { type: comp(seg, 1, 0), value: comp(seg, 2, 0) };
    else if (seg.tag === 'ERC') errors.push({ code: comp(seg, 1, 0) });
    else if (seg.tag === 'FTX') {
      const last = errors.at(-1);
      const text = comps(seg, 4).filter(Boolean).join(' ');
      if (last !== undefined && text) last.description = last.description ? `${last.description} ${text}` : text;
    }
  }
  const fn = lookup(APERAK_FUNCTIONS, functionCode)?.outcome;
  const normalized: AckOutcome =
    fn === 'rejected'
      ? 'rejected'
      : errors.length === 0
        ? 'accepted'
        : fn === 'accepted'
          ? 'accepted_with_errors'
          : 'rejected';
  return [
    {
      ack: { kind: 'APERAK', acknowledges: compact({ transaction_control_number: messageRef }), normalized, errors },
      acknowledgedSetId: null,
      reference,
    },
  ];
}

/** Interprets an acknowledgement transaction (997, 999, 824, CONTRL, APERAK) kept with its segments. */
export function interpretAck(tx: TransactionEnvelope): AckFinding[] {
  const segments = tx.segments ?? [];
  switch (tx.set_id) {
    case '997':
    case '999':
      return interpretFunctionalAck(tx, segments);
    case '824':
      return interpret824(segments);
    case 'CONTRL':
      return interpretContrl(segments, syntaxVersionOf(tx.interchange.version));
    case 'APERAK':
      return interpretAperak(segments);
    default:
      return [];
  }
}

const DIGITS = /^\d+$/;
const X12_TAG = /^[A-Z][A-Z0-9]{1,2}$/;
/** Elements of a functional acknowledgement that must be numbers, per segment (element numbers). */
const NUMERIC: Record<string, number[]> = { AK1: [2], AK2: [], AK3: [2], IK3: [2], AK9: [2, 3, 4] };
const STATUS_CODES: Record<string, ReadonlySet<string>> = {
  AK5: new Set(['A', 'E', 'M', 'R', 'W', 'X']),
  IK5: new Set(['A', 'E', 'M', 'R', 'W', 'X']),
  AK9: new Set(['A', 'E', 'M', 'P', 'R', 'W', 'X']),
};
/** Segments of 997/999 where no element repeats: a repetition separator there is an error, not data. */
const NOT_REPEATING = new Set(['AK1', 'AK2', 'AK3', 'AK4', 'AK5', 'AK9', 'IK3', 'IK4', 'IK5']);

/**
 * What makes an acknowledgement unusable, with the segment and byte where it is: a 997/999 whose positions are
 * not numbers, with repetitions where no element repeats, a status outside its code list, or an AK2 loop
 * without its mandatory AK5/IK5 (reported where the loop ends: the next AK2, AK9 or SE); a CONTRL action code
 * outside 0083. Such an acknowledgement is not believed (its file is quarantined), rather than read as whatever
 * its codes happened to resemble.
 */
export function validateAck(tx: TransactionEnvelope): EdiError[] {
  const out: EdiError[] = [];
  const bad = (seg: Segment, message: string) =>
    out.push({ segment: seg.index, position: seg.offset, message: `${tx.set_id} ${tx.control_number}: ${message}` });
  // The AK2 loop not closed yet by its AK5 (997) / IK5 (999), mandatory in the loop: without it the set's status
  // is not told, and reading it as accepted would settle the functional acknowledgement on no answer.
  let openLoop: Segment | null = null;
  for (const seg of tx.segments ?? []) {
    if (tx.set_id === '997' || tx.set_id === '999') {
      if (openLoop !== null && (seg.tag === 'AK2' || seg.tag === 'AK9' || seg.tag === 'SE')) {
        const status = tx.set_id === '999' ? 'IK5' : 'AK5';
        bad(
          seg,
          `expected ${status} to close the AK2 loop of ${first(openLoop, 1)} ${first(openLoop, 2)} (${status} is mandatory there), found ${seg.tag}`,
        );
      }
      if (seg.tag === 'AK2') openLoop = seg;
      else if (seg.tag === 'AK5' || seg.tag === 'IK5' || seg.tag === 'AK9' || seg.tag === 'SE') openLoop = null;
      const d = seg.delimiters;
      if (NOT_REPEATING.has(seg.tag) && d.repetition !== null) {
        for (let n = 1; n < seg.elements.length; n++)
          if (seg.elements[n]!.includes(d.repetition))
            bad(
              seg,
              `expected no repetition in ${seg.tag}${String(n).padStart(2, '0')} (no element of ${seg.tag} repeats), found the repetition separator ${JSON.stringify(d.repetition)} in ${JSON.stringify(seg.elements[n])}`,
            );
      }
      for (const n of NUMERIC[seg.tag] ?? []) {
        const v = first(seg, n);
        if (v !== '' && !DIGITS.test(v))
          bad(seg, `expected ${seg.tag}${String(n).padStart(2, '0')} to be a number, found ${JSON.stringify(v)}`);
      }
      if ((seg.tag === 'AK3' || seg.tag === 'IK3') && !X12_TAG.test(first(seg, 1)))
        bad(seg, `expected ${seg.tag}01 to be a segment tag, found ${JSON.stringify(first(seg, 1))}`);
      if (seg.tag === 'AK4' || seg.tag === 'IK4') {
        const parts = comps(seg, 1);
        if (parts.length === 0 || parts[0] === '' || parts.some((c) => c !== '' && !DIGITS.test(c)))
          bad(
            seg,
            `expected ${seg.tag}01 to be an element position (a number, then optionally component and repetition positions), found ${JSON.stringify(parts.join(':'))}`,
          );
      }
      const codes = STATUS_CODES[seg.tag];
      if (codes && !codes.has(first(seg, 1)))
        bad(
          seg,
          `expected ${seg.tag}01 to be a status code (${[...codes].join(', ')}), found ${JSON.stringify(first(seg, 1))}`,
        );
    } else if (tx.set_id === 'CONTRL') {
      const at = seg.tag === 'UCI' || seg.tag === 'UCF' ? 4 : seg.tag === 'UCM' ? 3 : 0;
      if (at > 0 && !Object.hasOwn(CONTRL_ACTIONS, first(seg, at)))
        bad(seg, `expected ${seg.tag} action code (0083) 1 to 8, found ${JSON.stringify(first(seg, at))}`);
    }
  }
  return out;
}
