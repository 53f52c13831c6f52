import type { PartyId } from './envelope.ts';

/**
 * Our EDI writer: whole interchanges (X12 ISA/GS/ST…SE/GE/IEA, EDIFACT UNA/UNB/UNH…UNT/UNZ) from segments given
 * as element lists, with the partner's separators, versions and character set. Pure: control numbers and the time
 * come in (the store allocates the numbers, see `allocateControlNumbers`), bytes go out.
 *
 * Why not the `edifact` package: it reads (Parser, Reader, Validator, Tracker, Counter) and writes nothing; it is
 * the oracle our tests read every file we write with.
 *
 * Values: X12 has no release character, so a value holding a separator cannot be written; `x12Text` makes free
 * text safe (separators and control characters become spaces), and the writer refuses anything else with a
 * separator in it (a bug in the caller, never silently altered). EDIFACT values are escaped with the release
 * character.
 */

/** One element: a simple value, or the components of a composite (trailing empty components are dropped). */
export type EdiValue = string | readonly string[];
/** A segment: its tag and its elements in order (trailing empty elements are dropped). */
export type EdiSegmentSpec = readonly [tag: string, ...elements: EdiValue[]];

export interface X12Syntax {
  element: string;
  component: string;
  segment: string;
  /** ISA11 repetition separator (from 00402); null writes ISA11 as the 00401 standards identifier `U`. */
  repetition: string | null;
  /** ISA12 interchange control version, e.g. `00401`. */
  interchangeVersion: string;
  /** GS08 version/release, e.g. `004010`. */
  groupVersion: string;
  /** Bytes of text: X12 names no character set (utf8 by default, as mailbox.x12_encoding). */
  encoding: 'utf8' | 'latin1';
  /** Appended after each segment terminator (e.g. `\n`; empty by default). */
  suffix: string;
}

export interface EdifactSyntax {
  element: string;
  component: string;
  decimal: string;
  release: string;
  repetition: string;
  segment: string;
  /** UNB S001: syntax identifier (UNOA…UNOY) and version (3 or 4: the date in UNB is YYMMDD up to 3, CCYYMMDD from 4). */
  syntaxId: string;
  syntaxVersion: '1' | '2' | '3' | '4';
  /** Write the UNA service string advice (always when the separators are not the defaults). */
  una: boolean;
  suffix: string;
}

export const X12_DEFAULTS: X12Syntax = {
  element: '*',
  component: ':',
  segment: '~',
  repetition: null,
  interchangeVersion: '00401',
  groupVersion: '004010',
  encoding: 'utf8',
  suffix: '',
};

export const EDIFACT_DEFAULTS: EdifactSyntax = {
  element: '+',
  component: ':',
  decimal: '.',
  release: '?',
  repetition: '*',
  segment: "'",
  syntaxId: 'UNOC',
  syntaxVersion: '3',
  una: true,
  suffix: '',
};

/** Control numbers of one interchange, allocated by the store (never reused). */
export interface ControlNumbers {
  interchange: number;
  /** X12 GS06 (EDIFACT: unused, messages go without UNG). */
  group: number;
  /** One per transaction set / message, in order. */
  transactions: readonly number[];
}

export interface X12Transaction {
  /** ST01, e.g. `865`. */
  setId: string;
  /** The segments between ST and SE. */
  segments: readonly EdiSegmentSpec[];
}

export interface X12Interchange {
  syntax: X12Syntax;
  sender: PartyId;
  receiver: PartyId;
  /** GS02/GS03 application codes (default: the interchange ids). */
  applicationSender?: string;
  applicationReceiver?: string;
  /** GS01 functional identifier, e.g. `CA` for 865. */
  functionalId: string;
  controls: ControlNumbers;
  /** ISA15 T instead of P. */
  test: boolean;
  /** ISA14: ask the partner for a TA1. */
  requestTa1?: boolean;
  at: Date;
  /** Segments between ISA and the group (TA1 interchange acknowledgements). */
  interchangeSegments?: readonly EdiSegmentSpec[];
  /** No transactions (only interchange segments): no GS/GE, IEA01 0. */
  transactions: readonly X12Transaction[];
}

export interface EdifactMessage {
  /** UNH S009: type, version, release, agency, association code (e.g. ORDRSP, D, 96A, UN, EAN008). */
  type: string;
  version: string;
  release: string;
  agency: string;
  association?: string;
  /** The segments between UNH and UNT. */
  segments: readonly EdiSegmentSpec[];
}

export interface EdifactInterchange {
  syntax: EdifactSyntax;
  sender: PartyId;
  receiver: PartyId;
  controls: ControlNumbers;
  /** UNB 0035 = 1. */
  test: boolean;
  /** UNB 0031 = 1: ask the partner for a CONTRL. */
  requestAck?: boolean;
  at: Date;
  messages: readonly EdifactMessage[];
}

/** A value the writer cannot put into the interchange (a caller's bug: the writer never alters data silently). */
export class EdiWriteError extends Error {
  override readonly name = 'EdiWriteError';
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const ymd = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
const hm = (d: Date) => `${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}`;

/** Interchange and group control numbers: 1…999 999 999 (ISA13, GS06 are at most 9 digits). */
export const MAX_CONTROL = 999_999_999;

function checkControl(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_CONTROL)
    throw new EdiWriteError(`${what} ${n} is not in 1…${MAX_CONTROL}`);
}

/** Trailing empty elements and components are not written (X12 and EDIFACT both say so). */
function trimEnd<T>(xs: readonly T[], empty: (x: T) => boolean): T[] {
  let n = xs.length;
  while (n > 0 && empty(xs[n - 1]!)) n--;
  return xs.slice(0, n);
}
const emptyValue = (v: EdiValue) => (typeof v === 'string' ? v === '' : v.every((c) => c === ''));

/** Free text made writable in X12: separators and control characters become spaces, runs of spaces one, cut to `max`. */
export function x12Text(
  s: string,
  syntax: Pick<X12Syntax, 'element' | 'component' | 'segment' | 'repetition'>,
  max = 264,
): string {
  const seps = [syntax.element, syntax.component, syntax.segment, syntax.repetition].filter((x): x is string => !!x);
  let out = '';
  for (const ch of s) out += seps.includes(ch) || /[\u0000-\u001f\u007f]/.test(ch) ? ' ' : ch;
  return [...out.replace(/ {2,}/g, ' ').trim()].slice(0, max).join('');
}

/** Free text for EDIFACT: control characters become spaces, runs of spaces one, cut to `max` characters (escaping comes later). */
export function edifactText(s: string, max = 512): string {
  return [
    ...s
      .replace(/[\u0000-\u001f\u007f]/g, ' ')
      .replace(/ {2,}/g, ' ')
      .trim(),
  ]
    .slice(0, max)
    .join('');
}

function x12Segment(spec: EdiSegmentSpec, s: X12Syntax): string {
  const [tag, ...elements] = spec;
  const seps = [s.element, s.component, s.segment, s.repetition].filter((x): x is string => !!x);
  const check = (v: string) => {
    for (const sep of seps)
      if (v.includes(sep))
        throw new EdiWriteError(
          `${tag}: value ${JSON.stringify(v)} holds the separator ${JSON.stringify(sep)} (use x12Text)`,
        );
  };
  const out = trimEnd(elements, emptyValue).map((v) => {
    if (typeof v === 'string') {
      check(v);
      return v;
    }
    const parts = trimEnd(v, (c) => c === '');
    parts.forEach(check);
    return parts.join(s.component);
  });
  return [tag, ...out].join(s.element) + s.segment + s.suffix;
}

const fixed = (v: string, w: number, what: string) => {
  if (v.length > w) throw new EdiWriteError(`${what} ${JSON.stringify(v)} is longer than ${w}`);
  return v.padEnd(w, ' ');
};

/** Writes one X12 interchange (one functional group). */
export function writeX12(ic: X12Interchange): Buffer {
  const s = ic.syntax;
  const c = ic.controls;
  checkControl(c.interchange, 'ISA13');
  const grouped = ic.transactions.length > 0;
  if (grouped) checkControl(c.group, 'GS06');
  else if ((ic.interchangeSegments ?? []).length === 0)
    throw new EdiWriteError('an interchange needs a transaction or an interchange segment (TA1)');
  if (c.transactions.length !== ic.transactions.length)
    throw new EdiWriteError(`${ic.transactions.length} transactions but ${c.transactions.length} ST02 numbers`);
  const seps = [s.element, s.component, s.segment, ...(s.repetition ? [s.repetition] : [])];
  if (new Set(seps).size !== seps.length || seps.some((x) => x.length !== 1 || /[A-Za-z0-9 ]/.test(x)))
    throw new EdiWriteError(`X12 separators must be distinct single characters, not letters, digits or space`);
  const isa: EdiSegmentSpec = [
    'ISA',
    '00',
    ' '.repeat(10),
    '00',
    ' '.repeat(10),
    fixed(ic.sender.qualifier, 2, 'ISA05'),
    fixed(ic.sender.id, 15, 'ISA06'),
    fixed(ic.receiver.qualifier, 2, 'ISA07'),
    fixed(ic.receiver.id, 15, 'ISA08'),
    ymd(ic.at).slice(2),
    hm(ic.at),
    s.repetition ?? 'U',
    s.interchangeVersion,
    pad(c.interchange, 9),
    ic.requestTa1 ? '1' : '0',
    ic.test ? 'T' : 'P',
    s.component,
  ];
  // The ISA is fixed width and carries the separators themselves: written as is (its last element is ISA16).
  const lines: string[] = [isa.join(s.element) + s.segment + s.suffix];
  for (const seg of ic.interchangeSegments ?? []) lines.push(x12Segment(seg, s));
  if (!grouped) {
    lines.push(x12Segment(['IEA', '0', pad(c.interchange, 9)], s));
    return Buffer.from(lines.join(''), s.encoding);
  }
  const group = String(c.group);
  lines.push(
    x12Segment(
      [
        'GS',
        ic.functionalId,
        ic.applicationSender ?? ic.sender.id,
        ic.applicationReceiver ?? ic.receiver.id,
        ymd(ic.at),
        hm(ic.at),
        group,
        'X',
        s.groupVersion,
      ],
      s,
    ),
  );
  ic.transactions.forEach((tx, i) => {
    const n = c.transactions[i]!;
    checkControl(n, 'ST02');
    const st02 = pad(n, 4);
    lines.push(x12Segment(['ST', tx.setId, st02], s));
    for (const seg of tx.segments) lines.push(x12Segment(seg, s));
    lines.push(x12Segment(['SE', String(tx.segments.length + 2), st02], s));
  });
  lines.push(x12Segment(['GE', String(ic.transactions.length), group], s));
  lines.push(x12Segment(['IEA', '1', pad(c.interchange, 9)], s));
  return Buffer.from(lines.join(''), s.encoding);
}

/** EDIFACT character sets we write, by syntax identifier: the bytes' encoding and whether a character is in the set. */
const EDIFACT_SETS: Record<string, { encoding: 'latin1' | 'utf8'; allowed: (ch: string) => boolean; upper?: true }> = {
  // UNOA: upper case letters, digits and the ISO 646 specials ISO 9735 lists; UNOB adds lower case.
  UNOA: { encoding: 'latin1', allowed: (ch) => /^[A-Z0-9 .,\-()/='+:?!"%&*;<>]$/.test(ch), upper: true },
  UNOB: { encoding: 'latin1', allowed: (ch) => /^[A-Za-z0-9 .,\-()/='+:?!"%&*;<>]$/.test(ch) },
  UNOC: { encoding: 'latin1', allowed: (ch) => ch.charCodeAt(0) <= 0xff },
  UNOW: { encoding: 'utf8', allowed: () => true },
  UNOY: { encoding: 'utf8', allowed: () => true },
};

/** The syntax identifiers `writeEdifact` writes. */
export const EDIFACT_WRITABLE_SETS = Object.keys(EDIFACT_SETS);

/** Writes one EDIFACT interchange (messages without UNG groups). */
export function writeEdifact(ic: EdifactInterchange): Buffer {
  const s = ic.syntax;
  const c = ic.controls;
  const set = EDIFACT_SETS[s.syntaxId];
  if (!set)
    throw new EdiWriteError(
      `syntax identifier ${s.syntaxId} is not one we write (${EDIFACT_WRITABLE_SETS.join(', ')})`,
    );
  checkControl(c.interchange, 'UNB 0020');
  if (c.transactions.length !== ic.messages.length)
    throw new EdiWriteError(`${ic.messages.length} messages but ${c.transactions.length} UNH 0062 numbers`);
  const specials = [s.element, s.component, s.release, s.segment, ...(s.syntaxVersion === '4' ? [s.repetition] : [])];
  if (new Set(specials).size !== specials.length || specials.some((x) => x.length !== 1 || /[A-Za-z0-9 ]/.test(x)))
    throw new EdiWriteError('EDIFACT separators must be distinct single characters, not letters, digits or space');
  const escape = (v: string): string => {
    let out = '';
    for (let ch of set.upper ? v.toUpperCase() : v) {
      if (!set.allowed(ch)) ch = ' ';
      if (specials.includes(ch)) out += s.release;
      out += ch;
    }
    return out;
  };
  const segment = (spec: EdiSegmentSpec): string => {
    const [tag, ...elements] = spec;
    const out = trimEnd(elements, emptyValue).map((v) =>
      typeof v === 'string'
        ? escape(v)
        : trimEnd(v, (x) => x === '')
            .map(escape)
            .join(s.component),
    );
    return [tag, ...out].join(s.element) + s.segment + s.suffix;
  };
  const defaults =
    s.element === '+' &&
    s.component === ':' &&
    s.decimal === '.' &&
    s.release === '?' &&
    s.segment === "'" &&
    (s.repetition === ' ' || s.repetition === '*');
  const lines: string[] = [];
  if (s.una || !defaults)
    lines.push(
      `UNA${s.component}${s.element}${s.decimal}${s.release}${s.syntaxVersion === '4' ? s.repetition : ' '}${s.segment}${s.suffix}`,
    );
  const date = s.syntaxVersion === '4' ? ymd(ic.at) : ymd(ic.at).slice(2);
  const ref = String(c.interchange);
  lines.push(
    segment([
      'UNB',
      [s.syntaxId, s.syntaxVersion],
      [ic.sender.id, ic.sender.qualifier],
      [ic.receiver.id, ic.receiver.qualifier],
      [date, hm(ic.at)],
      ref,
      '',
      '',
      '',
      ic.requestAck ? '1' : '',
      '',
      ic.test ? '1' : '',
    ]),
  );
  ic.messages.forEach((m, i) => {
    const n = c.transactions[i]!;
    checkControl(n, 'UNH 0062');
    const mref = String(n);
    lines.push(segment(['UNH', mref, [m.type, m.version, m.release, m.agency, m.association ?? '']]));
    for (const seg of m.segments) lines.push(segment(seg));
    lines.push(segment(['UNT', String(m.segments.length + 2), mref]));
  });
  lines.push(segment(['UNZ', String(ic.messages.length), ref]));
  return Buffer.from(lines.join(''), set.encoding);
}
